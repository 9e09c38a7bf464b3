import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/ports/logger';
import { AudioBridgeMcu } from '../../lab/janus/audio-bridge-mcu';
import { startJanus, type JanusHandle } from '../../lab/janus/janus-launcher';
import { startKamailio, type KamailioHandle } from '../../lab/kamailio';
import { Lab } from '../../lab/lab';
import { createWeriftMediaEngine } from '../../main/adapters/werift-media';
import { AgentProcess } from '../support/agent-process';
import { freeUdpPort } from '../support/free-port';

// Issue 16: the lab's A/V MCU mixes on Janus AudioBridge. Two headless agents in one conference
// through Kamailio: what one sends (its tone) the other hears (the received level rises above
// silence) and stops hearing when the sender mutes (in the room too, by C3P); the room lists the
// participants, drops a leaver, and goes with the conference.

let kamailio: KamailioHandle;
let janus: JanusHandle;
let lab: Lab;
let bridge: AudioBridgeMcu;
const agents: AgentProcess[] = [];

beforeAll(async () => {
  const labPort = await freeUdpPort();
  kamailio = await startKamailio({ conferenceServer: { host: '127.0.0.1', port: labPort, transport: 'udp' } });
  janus = await startJanus();
  lab = await Lab.start({ signaling: { mode: 'proxied', proxyHost: '127.0.0.1', proxyPort: kamailio.udpPort, localPort: labPort } });
  bridge = new AudioBridgeMcu(janus.client, janus.adminKey, createWeriftMediaEngine(), silentLogger);
  lab.conferences.useAudioBridge(bridge);
});

afterAll(async () => {
  for (const agent of agents) {
    await agent.dispose();
  }
  await lab?.stop();
  await janus?.stop();
  await kamailio?.stop();
});

const aorOf = (user: string): string => `sip:${user}@lab.local`;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function registered(user: string): Promise<AgentProcess> {
  const agent = new AgentProcess(['--server', kamailio.wsUrl, '--aor', aorOf(user), '--registry', mkdtempSync(join(tmpdir(), 'sb-reg-')), '--auto-accept', '--trust', 'sip:conf@lab.local']);
  agents.push(agent);
  await agent.waitForType('registered', 10_000);
  return agent;
}

async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) {
    if (await check()) {
      return true;
    }
  }
  return check();
}

describe('the lab A/V MCU on Janus AudioBridge', () => {
  it('mixes: one agent hears the other, not after it mutes; the room follows joins, leaves and the end', async () => {
    const one = await registered('ab-one');
    const two = await registered('ab-two');
    const { conference } = await lab.invite(aorOf('ab-one'), 'Mixed audio');
    await one.waitForType('media', 15_000, 0, (e) => e.state === 'connected');
    // Alone in the room, an agent hears silence: AudioBridge never sends anyone their own audio.
    const alone = await one.waitForType('media', 5000, 0, (e) => e.state === 'connected' && e.packetsReceived > 25);
    expect(alone.event.level).toBe(0);
    lab.inviteTo(conference, aorOf('ab-two'));
    await two.waitForType('media', 15_000, 0, (e) => e.state === 'connected');
    expect(await until(async () => (await bridge.listParticipants(conference.id)).length === 2, 5000)).toBe(true);
    expect((await bridge.listParticipants(conference.id)).map((p) => p.display).sort()).toEqual([aorOf('ab-one'), aorOf('ab-two')]);

    const heard = await two.waitForType('media', 10_000, 0, (e) => (e.level ?? 0) > 0.01);
    console.info(`[figures] agent two hears agent one's tone at level ${heard.event.level}`);

    // The roster follows the mix: agent one talks (its tone), agent two is silent (werift sends no tone when nobody asked).
    const talking = await two.waitForType('roster', 10_000, 0, (e) => userIn(e.users, 'ab-one')?.modalities.speaking === true);
    expect(userIn(talking.event.users, 'ab-one')?.modalities.audio).toBe('connected');

    const mark = two.events.length;
    one.send({ cmd: 'mute', focusUri: conference.focusUri, muted: true });
    const quiet = await two.waitForType('media', 10_000, mark, (e) => e.level !== undefined && e.level < 0.002);
    console.info(`[figures] after the mute agent two's level is ${quiet.event.level}`);
    expect(await until(async () => (await bridge.listParticipants(conference.id)).some((p) => p.display === aorOf('ab-one') && p.muted), 5000)).toBe(true);
    const mutedRoster = await two.waitForType('roster', 5000, mark, (e) => userIn(e.users, 'ab-one')?.modalities.audio === 'muted');
    // Muted by itself, not by the conference; and a muted participant is not talking.
    expect(userIn(mutedRoster.event.users, 'ab-one')?.modalities).toEqual({ audio: 'muted', im: 'connected' });

    // A moderator's mute in the room (not the agent's own): everyone's roster says muted by the conference.
    const moderated = two.events.length;
    expect(await lab.conferences.muteInMix(conference.id, aorOf('ab-two'), true)).toBe(true);
    const byFocus = await one.waitForType('roster', 5000, 0, (e) => userIn(e.users, 'ab-two')?.modalities.mutedByFocus === true);
    expect(userIn(byFocus.event.users, 'ab-two')?.modalities.audio).toBe('muted');
    await two.waitForType('roster', 5000, moderated, (e) => userIn(e.users, 'ab-two')?.modalities.mutedByFocus === true);
    const unmuted = one.events.length;
    expect(await lab.conferences.muteInMix(conference.id, aorOf('ab-two'), false)).toBe(true);
    await one.waitForType('roster', 5000, unmuted, (e) => userIn(e.users, 'ab-two')?.modalities.audio === 'connected');

    two.send({ cmd: 'leave', focusUri: conference.focusUri });
    await two.waitForType('conference.left', 5000);
    expect(await until(async () => (await bridge.listParticipants(conference.id)).length === 1, 5000)).toBe(true);

    lab.conferences.end(conference.id);
    expect(await until(async () => (await roomCount()) === 0, 5000)).toBe(true);
  });
});

describe('Janus killed mid-call', () => {
  it('hangs up the MCU dialog with a reason, and Reconnect audio works once a mixer is back', async () => {
    const agent = await registered('ab-three');
    const { conference } = await lab.invite(aorOf('ab-three'), 'Mixer crash');
    await agent.waitForType('media', 15_000, 0, (e) => e.state === 'connected');
    const mark = agent.events.length;
    janus.kill();
    await agent.waitForType('media', 10_000, mark, (e) => e.state === 'closed');
    agent.send({ cmd: 'trace' });
    const trace = await agent.waitForType('trace', 3000, mark);
    expect(trace.event.text).toMatch(/^ms-diagnostics: 7025;reason="the mixer went away/m);

    // Janus back (a new process): the lab mixes on it, and the agent dials the MCU again.
    await janus.stop();
    janus = await startJanus();
    bridge = new AudioBridgeMcu(janus.client, janus.adminKey, createWeriftMediaEngine(), silentLogger);
    lab.conferences.useAudioBridge(bridge);
    const again = agent.events.length;
    agent.send({ cmd: 'reconnect-audio', focusUri: conference.focusUri });
    await agent.waitForType('media', 15_000, again, (e) => e.state === 'connected' && e.packetsReceived > 0);
    expect(await until(async () => (await bridge.listParticipants(conference.id)).map((p) => p.display).includes(aorOf('ab-three')), 5000)).toBe(true);
  });
});

function userIn<T extends { entity: string }>(users: readonly T[], user: string): T | undefined {
  return users.find((u) => u.entity.toLowerCase() === aorOf(user));
}

async function roomCount(): Promise<number> {
  const session = await janus.client.createSession();
  try {
    const handle = await janus.client.attach(session, 'janus.plugin.audiobridge');
    const list = (await janus.client.message(session, handle, { request: 'list' })).plugindata?.data['list'];
    return Array.isArray(list) ? list.length : -1;
  } finally {
    await janus.client.destroy(session);
  }
}
