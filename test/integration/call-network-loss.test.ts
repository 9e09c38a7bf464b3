import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startKamailio } from '../../lab/kamailio';
import { Lab } from '../../lab/lab';
import { AgentProcess } from '../support/agent-process';
import { freeUdpPort } from '../support/free-port';

// Issue 17 with the network-loss guarantees: a two-party call through Kamailio survives the proxy
// being killed and restarted. The agent registers again, refreshes the call's dialog with a
// re-INVITE that restarts ICE (RFC 8445 §9), audio flows again both ways, and the caller can
// still end the call on the agent's new connection.

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup().catch(() => undefined);
  }
});

const AGENT = 'sip:call-loss@lab.local';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('a two-party call when Kamailio is killed and restarted', () => {
  it('comes back with an ICE restart, audio both ways, and ends on the caller\'s BYE', async () => {
    const labPort = await freeUdpPort();
    const kamailio = await startKamailio({ conferenceServer: { host: '127.0.0.1', port: labPort, transport: 'udp', serviceUser: 'conf' } });
    cleanups.push(() => kamailio.stop());
    const lab = await Lab.start({ signaling: { mode: 'proxied', proxyHost: '127.0.0.1', proxyPort: kamailio.udpPort, localPort: labPort } });
    cleanups.push(() => lab.stop());
    const agent = new AgentProcess(['--server', kamailio.wsUrl, '--aor', AGENT, '--registry', mkdtempSync(join(tmpdir(), 'sb-reg-')), '--auto-accept', '--trust', 'sip:conf@lab.local']);
    cleanups.push(() => agent.dispose());
    await agent.waitForType('registered', 10_000);

    const { call, answer } = await lab.phone.call(AGENT);
    await answer;
    const connected = await agent.waitForType('call.state', 10_000, 0, (e) => e.state === 'connected');
    await agent.waitForType('call.media', 10_000, 0, (e) => e.packetsReceived > 10);
    const ufragBefore = /^a=ice-ufrag:(\S+)/m.exec(call.remoteSdp)?.[1];

    const mark = agent.events.length;
    const at = performance.now();
    await kamailio.kill();
    await sleep(500);
    await kamailio.restart();
    const registered = await agent.waitForType('registered', 30_000, mark);
    console.info(`[figures] proxy killed -> registered again ${(registered.at - at).toFixed(0)} ms`);

    // The call's re-INVITE brought new ICE credentials (the lab keeps the agent's description).
    for (let i = 0; i < 100 && /^a=ice-ufrag:(\S+)/m.exec(call.remoteSdp)?.[1] === ufragBefore; i += 1) {
      await sleep(100);
    }
    expect(/^a=ice-ufrag:(\S+)/m.exec(call.remoteSdp)?.[1]).not.toBe(ufragBefore);
    const before = call.media.stats().packetsReceived;
    const flowing = await agent.waitForType('call.media', 10_000, agent.events.indexOf(registered), (e) => e.state === 'connected');
    await agent.waitForType('call.media', 5000, agent.events.indexOf(flowing), (e) => e.packetsReceived > flowing.event.packetsReceived + 10);
    for (let i = 0; i < 50 && call.media.stats().packetsReceived < before + 10; i += 1) {
      await sleep(100);
    }
    expect(call.media.stats().packetsReceived).toBeGreaterThan(before + 10);
    expect(agent.events.slice(mark).some((e) => e.event.type === 'call.state' && e.event.state === 'ended')).toBe(false);

    call.hangUp();
    const ended = await agent.waitForType('call.state', 5000, mark, (e) => e.id === connected.event.id && e.state === 'ended');
    expect(ended.event.reason).toBe('the other side hung up');
  }, 90_000);
});
