import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKamailio, type KamailioHandle } from '../../lab/kamailio';
import { Lab } from '../../lab/lab';
import { AgentProcess } from '../support/agent-process';
import { freeUdpPort } from '../support/free-port';

// Issue 17: two-party calls through Kamailio between the lab's phone (the contact center's, werift
// WebRTC media) and headless agents: ringing, answer, RTP both ways, hold either way, DTMF by
// INFO, BYE either way, CANCEL, decline, no answer, and the agent calling out.

let kamailio: KamailioHandle;
let lab: Lab;
const agents: AgentProcess[] = [];

beforeAll(async () => {
  const labPort = await freeUdpPort();
  kamailio = await startKamailio({ conferenceServer: { host: '127.0.0.1', port: labPort, transport: 'udp', serviceUser: 'conf' } });
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
const BIN = fileURLToPath(new URL('../../bin/switchboard.js', import.meta.url));
/** The echo sample extension: its pane opens for a channel naming its application id. */
const ECHO_APP = '{6F2C4B1E-3A5D-4E7F-8B9C-0D1E2F3A4B5C}';
const ECHO_PACKAGE = fileURLToPath(new URL('../../out/extensions/echo', import.meta.url));

async function registered(user: string, ...flags: string[]): Promise<AgentProcess> {
  const agent = new AgentProcess(['--server', kamailio.wsUrl, '--aor', aorOf(user), '--registry', mkdtempSync(join(tmpdir(), 'sb-reg-')), ...flags]);
  agents.push(agent);
  await agent.waitForType('registered', 10_000);
  return agent;
}

/** `promise`, or a clear failure after `ms`: every wait of these tests is bounded. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((resolve) => setTimeout(resolve, 50))) {
    if (check()) {
      return true;
    }
  }
  return check();
}

describe('two-party calls through Kamailio', () => {
  it('rings with the caller, answers, carries RTP both ways, holds either way, takes DTMF, ends on either BYE', async () => {
    const agent = await registered('call-one');
    const { call, answer } = await lab.phone.call(aorOf('call-one'), { displayName: 'Contoso Support', conversationId: 'conv-call-1' });
    const ring = await agent.waitForType('call', 10_000);
    expect(ring.event).toMatchObject({ from: 'sip:conf@lab.local', displayName: 'Contoso Support', conversationId: 'conv-call-1' });
    const placedAt = Date.now();
    agent.send({ cmd: 'answer', id: ring.event.id });
    expect(await within(answer, 10_000, 'the final answer')).toMatchObject({ status: 200 });
    await agent.waitForType('call.state', 10_000, 0, (e) => e.id === ring.event.id && e.state === 'connected');
    const media = await agent.waitForType('call.media', 10_000, 0, (e) => e.state === 'connected' && e.packetsReceived > 25 && (e.level ?? 0) > 0.01);
    // Its own presence says "In a call" while the call is up (open question 29).
    await agent.waitForType('presence', 5000, 0, (e) => e.aor === aorOf('call-one') && e.availability === 'busy' && e.activity === 'on-the-phone');
    console.info(`[figures] answer → 25 packets heard ${Date.now() - placedAt} ms; level ${media.event.level}`);
    expect(await until(() => call.media.stats().packetsReceived > 25, 5000)).toBe(true);

    // The agent holds: the lab sees sendonly; resume.
    let mark = agent.events.length;
    agent.send({ cmd: 'hold', id: ring.event.id, held: true });
    await agent.waitForType('call.state', 5000, mark, (e) => e.state === 'held');
    expect(call.heldByAgent).toBe(true);
    agent.send({ cmd: 'hold', id: ring.event.id, held: false });
    await agent.waitForType('call.state', 5000, mark, (e) => e.state === 'connected');
    expect(call.heldByAgent).toBe(false);

    // The lab holds the agent; resume.
    mark = agent.events.length;
    expect(await within(call.hold(true), 5000, 'call.hold(true)')).toBe(200);
    await agent.waitForType('call.state', 5000, mark, (e) => e.state === 'remote-held');
    expect(await within(call.hold(false), 5000, 'call.hold(false)')).toBe(200);
    await agent.waitForType('call.state', 5000, mark, (e) => e.state === 'connected');

    // DTMF by INFO, and a bad one refused.
    expect(await within(call.dtmfInfo('5'), 5000, 'DTMF INFO 5')).toBe(200);
    expect(await within(call.dtmfInfo('#'), 5000, 'DTMF INFO #')).toBe(200);
    expect(await within(call.dtmfInfo('X'), 5000, 'DTMF INFO X')).toBe(400);
    await agent.waitForType('call.dtmf', 5000, 0, (e) => e.digit === '#');
    expect(agent.events.filter((e) => e.event.type === 'call.dtmf').map((e) => (e.event as { digit: string }).digit)).toEqual(['5', '#']);
    expect(call.digits).toEqual([]);

    // DTMF from the agent's keypad, as RFC 4733 events (both sides negotiated telephone-event), and from the lab.
    agent.send({ cmd: 'dtmf', id: ring.event.id, digits: '12#' });
    expect(await until(() => call.digits.join('') === '12#', 5000)).toBe(true);
    expect(call.dtmfRtp('9')).toBe(true);
    await agent.waitForType('call.dtmf', 5000, 0, (e) => e.digit === '9' && e.via === 'rtp');

    // The lab hangs up.
    call.hangUp();
    const ended = await agent.waitForType('call.state', 5000, 0, (e) => e.state === 'ended');
    expect(ended.event.reason).toBe('the other side hung up');
    await agent.waitForType('presence', 5000, agent.events.indexOf(ended), (e) => e.aor === aorOf('call-one') && e.availability === 'available');

    // Another call, and the agent hangs up.
    const second = await lab.phone.call(aorOf('call-one'));
    const ring2 = await agent.waitForType('call', 10_000, 0, (e) => e.id !== ring.event.id);
    agent.send({ cmd: 'answer', id: ring2.event.id });
    expect(await within(second.answer, 10_000, 'the final answer')).toMatchObject({ status: 200 });
    await agent.waitForType('call.state', 10_000, 0, (e) => e.id === ring2.event.id && e.state === 'connected');
    agent.send({ cmd: 'hangup', id: ring2.event.id });
    await within(second.call.ended(), 5000, 'the BYE at the lab');
    expect(second.call.endedBy).toBe('agent');
  });

  it('answers CANCEL with 487, decline with 603, silence with 480', async () => {
    const agent = await registered('call-two', '--answer-timeout', '1500');
    const cancelled = await lab.phone.call(aorOf('call-two'));
    await agent.waitForType('call', 10_000);
    cancelled.call.cancel();
    expect(await within(cancelled.answer, 10_000, 'the final answer')).toMatchObject({ status: 487 });
    await agent.waitForType('call.state', 5000, 0, (e) => e.state === 'ended' && e.reason === 'cancelled');

    const declined = await lab.phone.call(aorOf('call-two'));
    const ring = await agent.waitForType('call', 10_000, agent.events.length - 1, (e) => e.conversationId === declined.call.conversationId);
    agent.send({ cmd: 'decline', id: ring.event.id });
    expect(await within(declined.answer, 10_000, 'the final answer')).toMatchObject({ status: 603 });

    const unanswered = await lab.phone.call(aorOf('call-two'));
    expect(await within(unanswered.answer, 10_000, 'the final answer')).toMatchObject({ status: 480 });
    await agent.waitForType('call.state', 5000, 0, (e) => e.state === 'ended' && e.reason === 'no answer');
  });

  it('calls out: the lab answers, both hear each other, the agent hangs up', async () => {
    const agent = await registered('call-three');
    agent.send({ cmd: 'call', to: 'sip:conf@lab.local' });
    const dialing = await agent.waitForType('call.state', 5000, 0, (e) => e.state === 'dialing' && e.outgoing);
    await agent.waitForType('call.state', 10_000, 0, (e) => e.id === dialing.event.id && e.state === 'connected');
    await agent.waitForType('call.media', 10_000, 0, (e) => e.packetsReceived > 25);
    expect(await until(() => (lab.phone.answered.at(-1)?.media.stats().packetsReceived ?? 0) > 25, 5000)).toBe(true);
    agent.send({ cmd: 'hangup', id: dialing.event.id });
    await within(lab.phone.answered.at(-1)?.ended() ?? Promise.resolve(), 5000, 'the BYE at the lab');
    expect(lab.phone.answered.at(-1)?.endedBy).toBe('agent');
  });

  it('transfers blind (REFER) to a second agent, who then talks to the caller', async () => {
    const first = await registered('xfer-a');
    const second = await registered('xfer-b', '--auto-accept', '--trust', 'sip:conf@lab.local');
    const { call, answer } = await lab.phone.call(aorOf('xfer-a'));
    const ring = await first.waitForType('call', 10_000);
    first.send({ cmd: 'answer', id: ring.event.id });
    expect(await within(answer, 10_000, 'the final answer')).toMatchObject({ status: 200 });
    await first.waitForType('call.state', 10_000, 0, (e) => e.state === 'connected');

    first.send({ cmd: 'transfer', id: ring.event.id, to: aorOf('xfer-b') });
    const outcome = await first.waitForType('call.transfer', 15_000, 0, (e) => e.state === 'succeeded' || e.state === 'failed');
    expect(outcome.event).toMatchObject({ state: 'succeeded', status: 200, to: aorOf('xfer-b') });
    expect(first.events.filter((e) => e.event.type === 'call.transfer').map((e) => (e.event as { state: string }).state)).toEqual(['requested', 'accepted', 'succeeded']);
    await first.waitForType('call.state', 5000, 0, (e) => e.state === 'ended' && e.reason === 'transferred');
    expect(call.referredTo).toBe(aorOf('xfer-b'));
    await second.waitForType('call.state', 10_000, 0, (e) => e.state === 'connected');
    await second.waitForType('call.media', 10_000, 0, (e) => e.packetsReceived > 25);
    expect(await until(() => (lab.phone.transferred.at(-1)?.media.stats().packetsReceived ?? 0) > 25, 5000)).toBe(true);
  });

  it('transfers consultatively (REFER with Replaces): the consulted agent takes the caller in place of the agent', async () => {
    const agent = await registered('xfer-c');
    const consulted = await registered('xfer-d', '--auto-accept', '--trust', aorOf('xfer-c'));
    const { answer } = await lab.phone.call(aorOf('xfer-c'));
    const ring = await agent.waitForType('call', 10_000);
    agent.send({ cmd: 'answer', id: ring.event.id });
    expect(await within(answer, 10_000, 'the final answer')).toMatchObject({ status: 200 });
    agent.send({ cmd: 'hold', id: ring.event.id, held: true });
    await agent.waitForType('call.state', 10_000, 0, (e) => e.id === ring.event.id && e.state === 'held');

    // The consultation: the agent calls the second agent, who answers.
    agent.send({ cmd: 'call', to: aorOf('xfer-d') });
    const consult = await agent.waitForType('call.state', 5000, 0, (e) => e.outgoing && e.state === 'dialing');
    await agent.waitForType('call.state', 10_000, 0, (e) => e.id === consult.event.id && e.state === 'connected');
    const consultAtD = await consulted.waitForType('call', 5000);

    agent.send({ cmd: 'transfer', id: ring.event.id, to: consult.event.id });
    const outcome = await agent.waitForType('call.transfer', 15_000, 0, (e) => e.state === 'succeeded' || e.state === 'failed');
    expect(outcome.event).toMatchObject({ state: 'succeeded', status: 200 });
    // The caller's INVITE replaced the consultation at the second agent, who BYEd it.
    const replacing = await consulted.waitForType('call', 10_000, 0, (e) => e.replaces === consultAtD.event.id);
    await consulted.waitForType('call.state', 5000, 0, (e) => e.id === replacing.event.id && e.state === 'connected');
    await consulted.waitForType('call.state', 5000, 0, (e) => e.id === consultAtD.event.id && e.state === 'ended' && e.reason === 'replaced');
    await agent.waitForType('call.state', 5000, 0, (e) => e.id === consult.event.id && e.state === 'ended');
    await agent.waitForType('call.state', 5000, 0, (e) => e.id === ring.event.id && e.state === 'ended' && e.reason === 'transferred');
    expect(await until(() => (lab.phone.transferred.at(-1)?.media.stats().packetsReceived ?? 0) > 25, 5000)).toBe(true);
  });

  it('opens a context channel in the call\'s conversation, and ends it with the call', async () => {
    const registry = mkdtempSync(join(tmpdir(), 'sb-registry-'));
    execFileSync(process.execPath, [BIN, 'extensions', 'install', ECHO_PACKAGE, '--registry', registry], { stdio: 'pipe' });
    const agent = new AgentProcess(['--server', kamailio.wsUrl, '--aor', aorOf('call-pane'), '--registry', registry, '--auto-accept', '--trust', 'sip:conf@lab.local']);
    agents.push(agent);
    await agent.waitForType('registered', 10_000);
    const { call, answer } = await lab.phone.call(aorOf('call-pane'), { conversationId: 'conv-call-pane' });
    expect(await within(answer, 10_000, 'the final answer')).toMatchObject({ status: 200 });
    await agent.waitForType('call.state', 10_000, 0, (e) => e.state === 'connected');

    const channel = lab.channel(aorOf('call-pane'), 'conv-call-pane');
    const outcome = await within(channel.establish(ECHO_APP, { applicationName: 'Echo' }), 10_000, 'the channel');
    expect(outcome.ok).toBe(true);
    const context = await agent.waitForType('channel.context', 5000);
    expect(context.event.conversationId).toBe('conv-call-pane');

    call.hangUp();
    await agent.waitForType('call.state', 5000, 0, (e) => e.state === 'ended');
    await agent.waitForType('channel.state', 5000, 0, (e) => e.state === 'Terminated');
  });

  it('opens the pane of the application whose call the agent answered by hand without asking again; rings it while the call rings', async () => {
    const registry = mkdtempSync(join(tmpdir(), 'sb-registry-'));
    execFileSync(process.execPath, [BIN, 'extensions', 'install', ECHO_PACKAGE, '--registry', registry], { stdio: 'pipe' });
    const agent = new AgentProcess(['--server', kamailio.wsUrl, '--aor', aorOf('call-pane-hand'), '--registry', registry, '--trust', 'sip:conf@lab.local']);
    agents.push(agent);
    await agent.waitForType('registered', 10_000);
    const { call, answer } = await lab.phone.call(aorOf('call-pane-hand'), { conversationId: 'conv-call-hand' });
    const ring = await agent.waitForType('call', 10_000);

    // While the call rings nobody has agreed to anything: a pane in its conversation asks.
    const early = lab.channel(aorOf('call-pane-hand'), 'conv-call-hand');
    const earlyOutcome = early.establish(ECHO_APP, { applicationName: 'Echo' });
    const asked = await agent.waitForType('channel.request', 5000);
    agent.send({ cmd: 'decline', id: asked.event.id });
    expect(await within(earlyOutcome, 5000, 'the early channel')).toMatchObject({ ok: false, status: 603 });

    agent.send({ cmd: 'answer', id: ring.event.id });
    expect(await within(answer, 10_000, 'the final answer')).toMatchObject({ status: 200 });
    await agent.waitForType('call.state', 10_000, 0, (e) => e.state === 'connected');
    const mark = agent.events.length;
    const channel = lab.channel(aorOf('call-pane-hand'), 'conv-call-hand');
    const outcome = await within(channel.establish(ECHO_APP, { applicationName: 'Echo' }), 10_000, 'the channel');
    expect(outcome.ok).toBe(true);
    await agent.waitForType('channel.context', 5000, mark);
    expect(agent.events.slice(mark).filter((e) => e.event.type === 'channel.request')).toEqual([]);
    call.hangUp();
    await agent.waitForType('channel.state', 5000, mark, (e) => e.state === 'Terminated');
  });
});
