import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKamailio, type KamailioHandle } from '../../lab/kamailio';
import { Lab } from '../../lab/lab';
import { AgentProcess } from '../support/agent-process';
import { freeUdpPort } from '../support/free-port';

// Presence over real sockets: two headless agents and the lab behind Kamailio, whose presence
// modules are the presence server (im-presence §3.3). One agent publishes (RFC 3903), the
// other watches over WebSocket (RFC 3856; open question 33), and Kamailio's own table shows
// what is stored. Then the same against the standalone lab's presence server.

let kamailio: KamailioHandle;
let lab: Lab;
const agents: AgentProcess[] = [];

beforeAll(async () => {
  const labPort = await freeUdpPort();
  // The lab's Kamailio is the presence server by default.
  kamailio = await startKamailio({ conferenceServer: { host: '127.0.0.1', port: labPort, transport: 'udp' } });
  lab = await Lab.start({ signaling: { mode: 'proxied', proxyHost: '127.0.0.1', proxyPort: kamailio.udpPort, localPort: labPort } });
});

afterAll(async () => {
  for (const agent of agents) {
    await agent.dispose();
  }
  await lab?.stop();
  await kamailio?.stop();
});

const aorOf = (user: string): string => `sip:${user}@lab.local`;

async function startAgent(server: string, user: string, extra: string[] = []): Promise<AgentProcess> {
  const agent = new AgentProcess(['--server', server, '--aor', aorOf(user), '--registry', mkdtempSync(join(tmpdir(), 'sb-reg-')), ...extra]);
  agents.push(agent);
  await agent.waitForType('registered', 10_000);
  return agent;
}

/** What Kamailio stores for `user`: the presentity rows of its presence table, as JSON text. */
async function storedPresence(user: string): Promise<string> {
  const rows = await kamailio.rpc('presence.presentity_list', ['full']);
  const list: unknown[] = Array.isArray(rows) ? rows : [rows];
  return list.map((row) => JSON.stringify(row)).filter((row) => row.includes(`"${user}"`) || row.includes(`${user}@`)).join('\n');
}

describe('presence through Kamailio (RFC 3903, RFC 3856)', () => {
  it('publishes at sign-in, a watcher sees every change, and sign-out leaves the agent offline', async () => {
    const alice = await startAgent(kamailio.wsUrl, 'alice-p');
    const own = await alice.waitForType('presence', 5000, 0, (e) => e.aor === aorOf('alice-p'));
    expect(own.event).toMatchObject({ availability: 'available' });
    expect(own.event.error).toBeUndefined();
    expect(await storedPresence('alice-p')).toContain('alice-p');

    const bob = await startAgent(kamailio.wsUrl, 'bob-p');
    bob.send({ cmd: 'watch', aor: aorOf('alice-p') });
    await bob.waitForType('presence', 5000, 0, (e) => e.aor === aorOf('alice-p') && e.availability === 'available');

    let mark = bob.events.length;
    alice.send({ cmd: 'presence', availability: 'busy', note: 'On queue 4' });
    const busy = await bob.waitForType('presence', 5000, mark, (e) => e.aor === aorOf('alice-p'));
    expect(busy.event).toMatchObject({ availability: 'busy', note: 'On queue 4' });

    mark = bob.events.length;
    alice.send({ cmd: 'presence', availability: 'dnd' });
    await bob.waitForType('presence', 5000, mark, (e) => e.aor === aorOf('alice-p') && e.availability === 'dnd');
    expect(await storedPresence('alice-p')).toMatch(/9500/);

    mark = bob.events.length;
    alice.signal('SIGINT');
    expect(await alice.exited).toBe(0);
    await bob.waitForType('presence', 5000, mark, (e) => e.aor === aorOf('alice-p') && e.availability === 'offline');
  });

  it('is Busy, In a conference, while conference audio is up, and back after leaving', async () => {
    const carol = await startAgent(kamailio.wsUrl, 'carol-p');
    const dave = await startAgent(kamailio.wsUrl, 'dave-p');
    dave.send({ cmd: 'watch', aor: aorOf('carol-p') });
    await dave.waitForType('presence', 5000, 0, (e) => e.aor === aorOf('carol-p') && e.availability === 'available');

    const { conference } = await lab.invite(aorOf('carol-p'), 'Presence check');
    const invitation = await carol.waitForType('invitation', 5000);
    let mark = dave.events.length;
    carol.send({ cmd: 'accept', id: invitation.event.id });
    const inCall = await dave.waitForType('presence', 10_000, mark, (e) => e.aor === aorOf('carol-p') && e.availability === 'busy');
    expect(inCall.event).toMatchObject({ activity: 'in-a-conference', note: 'In a conference' });

    mark = dave.events.length;
    carol.send({ cmd: 'leave', focusUri: conference.focusUri });
    await dave.waitForType('presence', 10_000, mark, (e) => e.aor === aorOf('carol-p') && e.availability === 'available');
  });

  it('answers an unwatch of a stranger with an error and keeps running', async () => {
    const erin = await startAgent(kamailio.wsUrl, 'erin-p');
    erin.send({ cmd: 'unwatch', aor: aorOf('nobody') });
    const refused = await erin.waitForType('error', 3000, 0, (e) => e.code === 'unknown-id' || e.code === 'bad-command');
    expect(refused.event.message).toMatch(/not watching sip:nobody@lab\.local/);
  });
});

describe('presence refresh (RFC 3903 §4.3)', () => {
  it('refreshes with SIP-If-Match before the publication expires: Kamailio keeps it, the watcher never sees offline', async () => {
    const lena = await startAgent(kamailio.wsUrl, 'lena-p', ['--presence-expires', '10', '--availability', 'brb']);
    const mike = await startAgent(kamailio.wsUrl, 'mike-p', ['--watch', aorOf('lena-p')]);
    await mike.waitForType('presence', 5000, 0, (e) => e.aor === aorOf('lena-p') && e.availability === 'brb');
    const mark = mike.events.length;
    await new Promise((resolve) => setTimeout(resolve, 13_000));
    expect(await storedPresence('lena-p')).toContain('lena-p');
    expect(mike.events.slice(mark).filter((e) => e.event.type === 'presence' && e.event.aor === aorOf('lena-p') && e.event.availability !== 'brb').map((e) => e.event)).toEqual([]);
    lena.send({ cmd: 'trace' });
    const trace = await lena.waitForType('trace', 3000);
    const publishes = trace.event.text.match(/^PUBLISH sip:lena-p@lab\.local SIP\/2\.0$/gm) ?? [];
    expect(publishes.length).toBeGreaterThanOrEqual(2);
    expect(trace.event.text).toMatch(/^SIP-If-Match: \S+$/m);
  }, 30_000);
});

describe('presence after the proxy restarts', () => {
  it('publishes again and watches again once registered: the watcher sees the state Kamailio forgot', async () => {
    const labPort = await freeUdpPort();
    const own = await startKamailio({ conferenceServer: { host: '127.0.0.1', port: labPort, transport: 'udp' } });
    try {
      const jane = await startAgent(own.wsUrl, 'jane-p', ['--availability', 'busy']);
      const kate = await startAgent(own.wsUrl, 'kate-p', ['--watch', aorOf('jane-p')]);
      await kate.waitForType('presence', 5000, 0, (e) => e.aor === aorOf('jane-p') && e.availability === 'busy');
      const mark = kate.events.length;
      // A restart loses every publication and subscription (memory only, im-presence §3.3).
      await own.restart();
      await jane.waitForType('registered', 20_000, jane.events.length - 1);
      await kate.waitForType('presence', 20_000, mark, (e) => e.aor === aorOf('jane-p') && e.availability === 'busy');
      expect(await (async () => JSON.stringify(await own.rpc('presence.presentity_list', ['full'])))()).toContain('jane-p');
    } finally {
      await own.stop();
    }
  });
});

describe('do not disturb', () => {
  it('shows an untrusted invitation quietly and answers 486 when nobody decides; a trusted one rings', async () => {
    const henry = await startAgent(kamailio.wsUrl, 'henry-p', ['--availability', 'dnd', '--answer-timeout', '1500']);
    await henry.waitForType('presence', 5000, 0, (e) => e.aor === aorOf('henry-p') && e.availability === 'dnd');
    const { outcome } = await lab.invite(aorOf('henry-p'), 'Not now');
    const invitation = await henry.waitForType('invitation', 5000);
    expect(invitation.event.quiet).toBe(true);
    expect(await outcome).toMatchObject({ status: 486 });

    const ivy = await startAgent(kamailio.wsUrl, 'ivy-p', ['--availability', 'dnd', '--trust', 'sip:conf@lab.local', '--answer-timeout', '1500']);
    const trusted = lab.invite(aorOf('ivy-p'), 'From a trusted sender');
    const rings = await ivy.waitForType('invitation', 5000);
    expect(rings.event.quiet).toBeUndefined();
    expect(await (await trusted).outcome).toMatchObject({ status: 480 });
  });
});

describe('presence against the standalone lab', () => {
  it('serves PUBLISH and SUBSCRIBE itself', async () => {
    const standalone = await Lab.start({ signaling: { mode: 'standalone' } });
    try {
      const frank = await startAgent(standalone.wsUrl ?? '', 'frank-p');
      const grace = await startAgent(standalone.wsUrl ?? '', 'grace-p');
      await frank.waitForType('presence', 5000, 0, (e) => e.aor === aorOf('frank-p') && e.error === undefined);
      grace.send({ cmd: 'watch', aor: aorOf('frank-p') });
      await grace.waitForType('presence', 5000, 0, (e) => e.aor === aorOf('frank-p') && e.availability === 'available');
      const mark = grace.events.length;
      frank.send({ cmd: 'presence', availability: 'brb' });
      await grace.waitForType('presence', 5000, mark, (e) => e.aor === aorOf('frank-p') && e.availability === 'brb');
    } finally {
      await standalone.stop();
    }
  });
});
