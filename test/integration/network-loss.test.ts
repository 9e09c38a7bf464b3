import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../common/agent-events';
import { startKamailio, type KamailioHandle } from '../../lab/kamailio';
import { Lab } from '../../lab/lab';
import { AgentProcess } from '../support/agent-process';
import { freeUdpPort } from '../support/free-port';

// A conference with a context channel streaming INFO both ways, through Kamailio, while
// Kamailio freezes for 25 s (a dead proxy keeps its TCP connections open) or is killed and
// restarted: the agent notices, registers again, refreshes every dialog, and the conference
// and its channel carry on; the focus can still eject the agent afterwards.

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup().catch(() => undefined);
  }
});

const AGENT = 'sip:agent@lab.local';
const LAB_APP = 'sip:conf@lab.local';
const ECHO = '{6F2C4B1E-3A5D-4E7F-8B9C-0D1E2F3A4B5C}';
const BIN = fileURLToPath(new URL('../../bin/switchboard.js', import.meta.url));
const PACKAGES = fileURLToPath(new URL('../../out/extensions/', import.meta.url));
const TOTAL = 120;

async function setup(): Promise<{ lab: Lab; kamailio: KamailioHandle; agent: AgentProcess }> {
  const labPort = await freeUdpPort();
  const kamailio = await startKamailio({ conferenceServer: { host: '127.0.0.1', port: labPort, transport: 'udp' } });
  cleanups.push(() => kamailio.stop());
  const lab = await Lab.start({ signaling: { mode: 'proxied', proxyHost: '127.0.0.1', proxyPort: kamailio.udpPort, localPort: labPort } });
  cleanups.push(() => lab.stop());
  const registry = mkdtempSync(join(tmpdir(), 'sb-registry-'));
  execFileSync(process.execPath, [BIN, 'extensions', 'install', join(PACKAGES, 'echo'), '--registry', registry], { stdio: 'pipe' });
  const agent = new AgentProcess(['--server', kamailio.wsUrl, '--aor', AGENT, '--registry', registry, '--auto-accept', '--trust', LAB_APP]);
  cleanups.push(() => agent.dispose());
  await agent.waitForType('registered', 10_000);
  return { lab, kamailio, agent };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Pane sends through stdin, one every `everyMs`, never more than 32 unanswered (the queue cap is 64). */
async function streamFromAgent(agent: AgentProcess, channelId: string, everyMs: number): Promise<void> {
  const outcomes = (): number => agent.events.filter((e) => e.event.type === 'channel.sent').length;
  const before = outcomes();
  for (let i = 0; i < TOTAL; i += 1) {
    for (let n = 0; n < 2000 && i - (outcomes() - before) >= 32; n += 1) {
      await sleep(25);
    }
    agent.send({ cmd: 'send', appId: ECHO, channelId, contentType: 'text/plain', body: `to-lab ${i}` });
    await sleep(everyMs);
  }
}

const ufragOf = (raw: string | undefined): string | undefined => (raw === undefined ? undefined : /^a=ice-ufrag:(\S+)/m.exec(raw)?.[1]);

/** The MCU dialog's offer/answer exchanges as the lab saw them: INVITEs with SDP and their 200s. */
function mcuExchanges(lab: Lab): { callId: string; offer?: string; answer?: string; invitedAt: number; answeredAt?: number }[] {
  const entries = lab.trace.entries();
  const invites = entries.filter((e) => e.direction === 'in' && e.method === 'INVITE' && e.status === undefined && e.contentType?.startsWith('application/sdp') === true && /^m=audio/m.test(e.raw));
  const unique = invites.filter((e, i) => invites.findIndex((o) => o.callId === e.callId && o.cseq === e.cseq) === i);
  return unique.map((invite) => {
    const ok = entries.find((e) => e.direction === 'out' && e.status === 200 && e.callId === invite.callId && e.cseq === invite.cseq);
    return { callId: invite.callId, offer: ufragOf(invite.raw), answer: ufragOf(ok?.raw), invitedAt: invite.at, ...(ok !== undefined && { answeredAt: ok.at }) };
  });
}

function index(agent: AgentProcess, match: (e: AgentEvent) => boolean, from = 0): number {
  return agent.events.findIndex((e, i) => i >= from && match(e.event));
}

for (const outage of ['frozen for 25 s', 'killed and restarted'] as const) {
  describe(`a conference and its channel when Kamailio is ${outage}`, () => {
    it('reconnects, refreshes every dialog, loses and duplicates nothing, and still hears the focus', async () => {
      const { lab, kamailio, agent } = await setup();
      const { conference, conversationId } = await lab.invite(AGENT, 'Outage');
      await agent.waitForType('media', 10_000, 0, (e) => e.state === 'connected' && e.packetsReceived > 0);
      const channel = lab.channel(AGENT, conversationId);
      expect(await channel.establish(ECHO, { applicationName: 'Echo' })).toMatchObject({ ok: true });
      const { channelId } = (await agent.waitForType('channel.state', 5000, 0, (e) => e.state === 'Established')).event;

      const [initial, ...others] = mcuExchanges(lab);
      expect(others).toEqual([]);
      expect(initial?.offer).toBeDefined();
      expect(initial?.answer).toBeDefined();

      const fromLab: Promise<unknown>[] = [];
      let restoredAt = 0;
      const fromAgent = streamFromAgent(agent, channelId, 150);
      const mark = agent.events.length;
      for (let i = 0; i < TOTAL; i += 1) {
        fromLab.push(channel.sendData('text/plain', `to-agent ${i}`));
        if (i === 30) {
          const at = performance.now();
          if (outage === 'frozen for 25 s') {
            await kamailio.pause();
            const lost = await agent.waitForType('connection', 20_000, mark, (e) => e.state === 'lost');
            console.info(`[figures] frozen proxy noticed after ${(lost.at - at).toFixed(0)} ms`);
            await sleep(Math.max(0, 25_000 - (performance.now() - at)));
            await kamailio.resume();
          } else {
            await kamailio.kill();
            await sleep(500);
            await kamailio.restart();
          }
          restoredAt = performance.now();
        }
        await sleep(150);
      }
      const back = await agent.waitForType('conference.state', 30_000, mark, (e) => e.state === 'joined');
      const registered = await agent.waitForType('registered', 1000, mark);
      console.info(`[figures] ${outage}: proxy back -> registered ${(registered.at - restoredAt).toFixed(0)} ms, -> conference joined again ${(back.at - restoredAt).toFixed(0)} ms (${back.event.reason ?? ''})`);
      const reconnecting = index(agent, (e) => e.type === 'conference.state' && e.state === 'reconnecting', mark);
      expect(reconnecting).toBeGreaterThan(-1);
      expect(reconnecting).toBeLessThan(agent.events.indexOf(back));
      // The roster as it is now arrives on the new subscription, and the audio flows on.
      await agent.waitForType('roster', 10_000, agent.events.indexOf(back) - 5, (e) => e.users.some((u) => u.self));
      // The MCU dialog was refreshed with an ICE restart (RFC 8445 §9), not dialled anew: its
      // re-INVITE offered new ICE credentials and the MCU answered with new ones too.
      const restart = mcuExchanges(lab).at(-1);
      expect(restart).toMatchObject({ callId: initial?.callId, offer: expect.any(String), answer: expect.any(String) });
      expect(restart?.offer).not.toBe(initial?.offer);
      expect(restart?.answer).not.toBe(initial?.answer);
      console.info(`[figures] ${outage}: MCU re-INVITE with an ICE restart answered in ${((restart?.answeredAt ?? Number.NaN) - (restart?.invitedAt ?? 0)).toFixed(0)} ms`);
      const media = await agent.waitForType('media', 10_000, agent.events.indexOf(back), (e) => e.state === 'connected');
      await agent.waitForType('media', 5000, agent.events.indexOf(media), (e) => e.packetsReceived > media.event.packetsReceived);

      await Promise.all(fromLab);
      await fromAgent;
      for (let i = 0; i < 100 && (channel.received.length < TOTAL || agent.events.filter((e) => e.event.type === 'channel.data').length < TOTAL); i += 1) {
        await sleep(200);
      }
      const atAgent = agent.events.flatMap((e) => (e.event.type === 'channel.data' ? [e.event.body] : []));
      expect(atAgent).toEqual(Array.from({ length: TOTAL }, (_, i) => `to-agent ${i}`));
      expect(channel.received.map((d) => d.body)).toEqual(Array.from({ length: TOTAL }, (_, i) => `to-lab ${i}`));

      // The focus reaches the agent on its new connection: an eject (or the conference's end) arrives.
      if (outage === 'frozen for 25 s') {
        expect(lab.conferences.eject(conference.id, AGENT)).toBe(true);
      } else {
        lab.conferences.end(conference.id);
      }
      const left = await agent.waitForType('conference.left', 5000, agent.events.indexOf(back));
      expect(left.event.reason).toMatch(outage === 'frozen for 25 s' ? /removed by the focus/ : /removed by the focus|the conference ended/);
      await agent.waitForType('channel.state', 5000, agent.events.indexOf(left), (e) => e.state === 'Terminated');
    }, 120_000);
  });
}

describe('a conference whose focus dropped the agent during the outage', () => {
  it('joins again with a new C3P addUser once reconnected, with the roster and audio back', async () => {
    const { lab, kamailio, agent } = await setup();
    const { conference } = await lab.invite(AGENT, 'Dropped');
    await agent.waitForType('media', 10_000, 0, (e) => e.state === 'connected' && e.packetsReceived > 0);
    const mark = agent.events.length;
    await kamailio.kill();
    await agent.waitForType('conference.state', 10_000, mark, (e) => e.state === 'reconnecting');
    // The focus removes us while our connection is down: its BYE cannot reach us.
    expect(lab.conferences.eject(conference.id, AGENT)).toBe(true);
    await sleep(300);
    await kamailio.restart();
    const back = await agent.waitForType('conference.state', 20_000, mark, (e) => e.state !== 'reconnecting');
    expect(back.event).toMatchObject({ state: 'joined', reason: 'rejoined with a new addUser' });
    await agent.waitForType('roster', 10_000, agent.events.indexOf(back) - 5, (e) => e.users.some((u) => u.self));
    await agent.waitForType('media', 10_000, agent.events.indexOf(back), (e) => e.state === 'connected' && e.packetsReceived > 0);
    for (let i = 0; i < 50 && !(lab.conferences.dialogsOf(conference.id, AGENT).focus && lab.conferences.dialogsOf(conference.id, AGENT).mcu); i += 1) {
      await sleep(100);
    }
    expect(lab.conferences.dialogsOf(conference.id, AGENT)).toEqual({ focus: true, mcu: true });
    expect(agent.events.some((e, i) => i >= mark && e.event.type === 'conference.left')).toBe(false);
  }, 60_000);
});
