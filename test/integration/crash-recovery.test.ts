import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startKamailio } from '../../lab/kamailio';
import { Lab } from '../../lab/lab';
import { AgentProcess } from '../support/agent-process';
import { freeUdpPort } from '../support/free-port';

// What a crash costs: the agent is killed (SIGKILL: no BYE, no un-REGISTER) in the middle of a
// conference; the next start, with the same state folder, ends the dialogs the dead process left.

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup().catch(() => undefined);
  }
});

const AGENT = 'sip:agent@lab.local';
const LAB_APP = 'sip:conf@lab.local';

/** The journal files in the agent's state folder (none before the first write). */
function journals(stateHome: string): string[] {
  try {
    return readdirSync(join(stateHome, 'switchboard')).filter((f) => f.startsWith('open-dialogs-'));
  } catch {
    return [];
  }
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  for (const deadline = performance.now() + ms; performance.now() < deadline; ) {
    if (check()) {
      return true;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

describe('after a crash', () => {
  it('the next start ends the focus, roster and MCU dialogs the killed agent left open', async () => {
    const labPort = await freeUdpPort();
    const kamailio = await startKamailio({ conferenceServer: { host: '127.0.0.1', port: labPort, transport: 'udp' } });
    cleanups.push(() => kamailio.stop());
    const lab = await Lab.start({ signaling: { mode: 'proxied', proxyHost: '127.0.0.1', proxyPort: kamailio.udpPort, localPort: labPort } });
    cleanups.push(() => lab.stop());
    const stateHome = mkdtempSync(join(tmpdir(), 'sb-crash-'));
    const args = ['--server', kamailio.wsUrl, '--aor', AGENT, '--auto-accept', '--trust', LAB_APP];

    const first = new AgentProcess(args, { XDG_STATE_HOME: stateHome });
    cleanups.push(() => first.dispose());
    await first.waitForType('registered', 10_000);
    const { conference } = await lab.invite(AGENT, 'Crash me');
    await first.waitForType('media', 10_000, 0, (e) => e.state === 'connected');
    // The journal is written within its 2 s interval.
    expect(await until(() => journals(stateHome).length === 1, 5000)).toBe(true);
    first.signal('SIGKILL');
    await first.exited;
    expect(lab.conferences.dialogsOf(conference.id, AGENT)).toEqual({ focus: true, mcu: true });

    const started = performance.now();
    const second = new AgentProcess(args, { XDG_STATE_HOME: stateHome });
    cleanups.push(() => second.dispose());
    await second.waitForType('registered', 10_000);
    const cleaned = await until(() => !lab.conferences.dialogsOf(conference.id, AGENT).focus && !lab.conferences.dialogsOf(conference.id, AGENT).mcu, 5000);
    console.info(`[figures] ghost dialogs ended ${(performance.now() - started).toFixed(0)} ms after the restart`);
    expect(cleaned).toBe(true);
    // The new agent is not in the conference it never joined, and keeps running.
    expect(second.events.some((e) => e.event.type === 'conference.left' || e.event.type === 'error')).toBe(false);
    second.signal('SIGINT');
    expect(await second.exited).toBe(0);
    // A clean stop leaves nothing to recover.
    expect(journals(stateHome)).toEqual([]);
  }, 60_000);
});
