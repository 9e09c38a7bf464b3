import { execFileSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../common/agent-events';
import { ChannelState } from '../../core/channels/channel-state';
import { type ConfUser } from '../../core/conference/conference-info';
import { buildConferenceInfo } from '../../lab/conference/conference-info-builder';
import { startKamailio, type KamailioHandle } from '../../lab/kamailio';
import { Lab } from '../../lab/lab';
import type { LabConference } from '../../lab/conference/lab-conference';
import { AgentProcess } from '../support/agent-process';
import { freeUdpPort } from '../support/free-port';
import { injectionFile, runSippTraced, sippEvidence, type TracedSippResult } from '../support/sipp-traced';

// sipp as a hostile peer of the headless agent, over real sockets through Kamailio (the lab's
// conference server and contact-center application behind it on UDP): CANCELs that withdraw a
// ringing request or cross our 200, forged roster updates from outside any dialog, and a flood
// of channel requests. Whatever arrives, the agent must answer by the RFCs, keep its state, and
// keep running. Each case has its own agent (its own address of record), so a crash in one
// does not hide the outcome of the next.

const ECHO = '{6F2C4B1E-3A5D-4E7F-8B9C-0D1E2F3A4B5C}';
const CHANNEL = 'application/ms-session-invite+xml';
const CONF_INVITE = 'application/ms-conf-invite+xml';
const BIN = fileURLToPath(new URL('../../bin/switchboard.js', import.meta.url));
const PACKAGES = fileURLToPath(new URL('../../out/extensions/', import.meta.url));

let kamailio: KamailioHandle;
let lab: Lab;
let registry: string;
const agents: AgentProcess[] = [];

beforeAll(async () => {
  const labPort = await freeUdpPort();
  // methodFiltering off: the agent's REGISTER does not list BENOTIFY in Allow, so Kamailio would
  // answer a forged out-of-dialog BENOTIFY 405 itself and the agent's own defence would go untested.
  kamailio = await startKamailio({ conferenceServer: { host: '127.0.0.1', port: labPort, transport: 'udp' }, methodFiltering: false });
  lab = await Lab.start({ signaling: { mode: 'proxied', proxyHost: '127.0.0.1', proxyPort: kamailio.udpPort, localPort: labPort } });
  registry = mkdtempSync(join(tmpdir(), 'sb-registry-'));
  execFileSync(process.execPath, [BIN, 'extensions', 'install', join(PACKAGES, 'echo'), '--registry', registry], { stdio: 'pipe' });
});

afterAll(async () => {
  for (const agent of agents) {
    await agent.dispose();
  }
  await lab?.stop();
  await kamailio?.stop();
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const target = (): string => `127.0.0.1:${kamailio.udpPort}`;
const aorOf = (user: string): string => `sip:${user}@lab.local`;

/** Starts a registered agent for `user` with the echo application installed. */
async function startAgent(user: string, extra: string[] = []): Promise<AgentProcess> {
  const agent = new AgentProcess(['--server', kamailio.wsUrl, '--aor', aorOf(user), '--registry', registry, ...extra]);
  agents.push(agent);
  await agent.waitForType('registered', 10_000);
  return agent;
}

/** 'running', or how the process ended, after watching it for `ms`. */
async function stillRunning(agent: AgentProcess, ms: number): Promise<string> {
  return Promise.race([agent.exited.then((code) => `exited with code ${code}`), sleep(ms).then(() => 'running')]);
}

/** What a failure shows of the agent: its last events and stderr. */
function agentEvidence(agent: AgentProcess): string {
  const events = agent.events.slice(-12).map((e) => JSON.stringify(e.event).slice(0, 300));
  return `agent events (last 12):\n${events.join('\n')}\nagent stderr (last 25):\n${agent.stderrLines.slice(-25).join('\n')}`;
}

const evidence = (run: TracedSippResult, agent: AgentProcess): string => `${sippEvidence(run)}\n${agentEvidence(agent)}`;

/** A channel request body for `appId` (protocol-notes §1.4). */
const channelBody = (appId: string, name: string): string =>
  `<session><application-id>${appId}</application-id><additional-properties><entry><name>name</name><value>${name}</value></entry></additional-properties></session>`;

/** The agent's SIP trace (every message in and out). */
async function traceOf(agent: AgentProcess): Promise<string> {
  const mark = agent.events.length;
  agent.send({ cmd: 'trace' });
  return (await agent.waitForType('trace', 3000, mark)).event.text;
}

/** One message of the agent's trace: which way it went, its dialog (the Call-ID) and its text. */
type TracedMessage = { readonly out: boolean; readonly callId: string; readonly text: string };

/** Splits the agent's trace export (core/sip/sip-trace.ts) into messages. */
function traceMessages(trace: string): TracedMessage[] {
  return trace.split(/\n(?=#\d+ )/).flatMap((block) => {
    const head = /^#\d+ \S+ (>>> OUT|<<< IN) dialog=(\S+)\n/.exec(block);
    return head ? [{ out: head[1] === '>>> OUT', callId: head[2] ?? '', text: block.slice(head[0].length) }] : [];
  });
}

/** The messages of one Call-ID in the agent's trace. */
function messagesOfCall(trace: string, callId: string): TracedMessage[] {
  return traceMessages(trace).filter((m) => m.callId === callId);
}

/** One line per message, e.g. `IN INVITE | OUT 100 INVITE | IN CANCEL | OUT 200 CANCEL`. */
const flowOf = (messages: readonly TracedMessage[]): string =>
  messages
    .map((m) => {
      const start = /^(?:SIP\/2.0 (\d{3})|([A-Z]+) )/.exec(m.text);
      const cseq = /^CSeq: *\d+ (\S+)/im.exec(m.text)?.[1] ?? '';
      return `${m.out ? 'OUT' : 'IN'} ${start?.[1] !== undefined ? `${start[1]} ${cseq}` : (start?.[2] ?? '?')}`;
    })
    .join(' | ');

/** Status codes of the responses the agent sent in a call. */
const sentStatuses = (messages: readonly TracedMessage[]): string[] => messages.flatMap((m) => (m.out ? (/^SIP\/2.0 (\d{3})/.exec(m.text)?.slice(1, 2) ?? []) : []));

/** The channel opened by the lab application, accepted by hand, INFO both ways, then BYE. */
async function legitimateChannel(agent: AgentProcess, user: string): Promise<void> {
  const mark = agent.events.length;
  const channel = lab.channel(aorOf(user));
  const outcome = channel.establish(ECHO, { applicationName: 'Echo', toast: 'a real request' });
  const request = await agent.waitForType('channel.request', 5000, mark, (e) => e.from === 'sip:conf@lab.local');
  agent.send({ cmd: 'accept', id: request.event.id });
  expect(await outcome).toMatchObject({ ok: true, status: 200 });
  const { channelId } = request.event;
  await agent.waitForType('channel.state', 5000, mark, (e) => e.channelId === channelId && e.state === 'Established');
  expect(await channel.sendData('text/plain', 'to the pane')).toMatchObject({ ok: true });
  await agent.waitForType('channel.data', 3000, mark, (e) => e.channelId === channelId && e.body === 'to the pane');
  agent.send({ cmd: 'send', appId: ECHO, channelId, contentType: 'text/plain', body: 'to the application' });
  await agent.waitForType('channel.sent', 3000, mark, (e) => e.channelId === channelId && e.ok);
  expect(channel.received.map((d) => d.body)).toEqual(['to the application']);
  channel.terminate();
  await agent.waitForType('channel.state', 3000, mark, (e) => e.channelId === channelId && e.state === 'Terminated');
  expect(channel.state).toBe(ChannelState.Terminated);
}

/**
 * Sends an INVITE and its CANCEL right behind it to an auto-accepting agent: the 200 must stand
 * (sipp ACKs it and BYEs), and the agent must never answer the INVITE 487. Reports, from the
 * agent's own trace, what reached it and in which order.
 */
async function crossingCancel(agent: AgentProcess, user: string, ctype: string, body: string): Promise<void> {
  const run = await runSippTraced('uac-invite-cancel-crossing.xml', target(), { ctype, body }, ['-s', user]);
  const callId = /Call-ID: (\S+)/.exec(run.messages)?.[1] ?? '';
  const atAgent = messagesOfCall(await traceOf(agent), callId);
  const flow = flowOf(atAgent);
  console.info(`[figures] crossing CANCEL (${ctype}) at the agent: ${flow}`);
  expect(run.code, `agent saw: ${flow}\n${evidence(run, agent)}`).toBe(0);
  expect(run.messages, 'sipp got no 487').not.toMatch(/SIP\/2.0 487/);
  expect(sentStatuses(atAgent), flow).not.toContain('487');
}

/**
 * The CANCEL crosses our 200 at the agent itself: sipp's INVITE rings, the agent is frozen
 * (SIGSTOP) with its accept queued on stdin, sipp CANCELs (Kamailio forwards it, having seen
 * the 180), and on SIGCONT the agent reads the accept first (it was ready first) and the CANCEL
 * after it. The 200 must stand, the CANCEL get 200, and the dialog work until sipp's BYE.
 */
async function frozenCrossing(agent: AgentProcess, user: string, ctype: string, body: string, ringing: 'channel.request' | 'invitation'): Promise<void> {
  const mark = agent.events.length;
  const sipp = runSippTraced('uac-invite-ringing-cancel-crossing.xml', target(), { ctype, body }, ['-s', user]);
  const request = await agent.waitFor((e) => e.type === ringing, 5000, mark);
  const id = request.event.type === 'channel.request' || request.event.type === 'invitation' ? request.event.id : '';
  // Freeze the proxy, not the agent: the agent sends its 200 at once (into Kamailio's socket),
  // and sipp's CANCEL (2 s after the 180) waits in Kamailio too, so on resume the CANCEL reaches
  // the agent after its 200 left, whatever order Kamailio handles the two in. (Freezing the agent
  // instead left the order of its stdin and its socket to its event loop: under load the CANCEL
  // was read first.)
  // Let the 180 reach sipp first: its 2 s wait before the CANCEL starts there.
  await sleep(500);
  await kamailio.pause();
  try {
    agent.send({ cmd: 'accept', id });
    await agent.waitFor((e) => e.type === 'channel.state' || e.type === 'invitation.accepted', 2000, mark);
    await sleep(2500);
  } finally {
    await kamailio.resume();
  }
  const run = await sipp;
  const callId = /Call-ID: (\S+)/.exec(run.messages)?.[1] ?? '';
  const atAgent = messagesOfCall(await traceOf(agent), callId);
  const flow = flowOf(atAgent);
  console.info(`[figures] CANCEL crossing a hand-sent 200 (${ctype}) at the agent: ${flow}`);
  expect(run.code, `agent saw: ${flow}\n${evidence(run, agent)}`).toBe(0);
  expect(run.messages, 'sipp got no 487').not.toMatch(/SIP\/2.0 487/);
  // Kamailio forwards the CANCEL only if it handles it before our 200 (else the INVITE's
  // transaction is over and it answers the CANCEL itself): either way, no 487 anywhere, and a
  // CANCEL that does reach us comes after our 200 and gets 200.
  expect(flow, 'our 200 left').toMatch(/OUT 200 INVITE/);
  if (flow.includes('IN CANCEL')) {
    expect(flow, 'our 200 left before the CANCEL came in, and the CANCEL got 200').toMatch(/OUT 200 INVITE \| .*IN CANCEL \| OUT 200 CANCEL/);
  }
  expect(sentStatuses(atAgent), flow).not.toContain('487');
}

/** A conference invitation body for `focusUri`. */
const conferenceInvite = (focusUri: string): string =>
  `<Conferencing version="2.0"><focus-uri>${focusUri}</focus-uri><subject>crossing</subject><audio available="true"/><im available="true"/></Conferencing>`;

describe('CANCEL from a sipp peer', () => {
  it('withdraws a ringing channel request (200, 487), keeps running, takes the next one and stops cleanly', async () => {
    const agent = await startAgent('agent1');
    const mark = agent.events.length;
    const run = await runSippTraced('uac-invite-cancel-ringing.xml', target(), { from: 'sipp', ctype: CHANNEL, body: channelBody(ECHO, 'Cancel me') }, ['-s', 'agent1']);
    expect(run.code, evidence(run, agent)).toBe(0);
    expect(run.messages).toMatch(/SIP\/2.0 487 Request Terminated/);
    expect(run.messages, 'the CANCEL is answered 200').toMatch(/SIP\/2.0 200 [^\n]*\n(?:[^\n]+\n)*CSeq: 1 CANCEL/);
    const request = await agent.waitForType('channel.request', 3000, mark);
    const withdrawn = (e: AgentEvent): boolean =>
      (e.type === 'channel.state' && e.channelId === request.event.channelId && e.state === 'Terminated') || (e.type === 'channel.refused' && e.status === 487);
    await agent.waitFor(withdrawn, 3000, mark);
    // The crash this guards against came right after the 487 left: watch the process a while.
    expect(await stillRunning(agent, 1000), agentEvidence(agent)).toBe('running');
    expect(agent.events.some((e) => e.event.type === 'error' && e.event.code === 'internal')).toBe(false);

    await legitimateChannel(agent, 'agent1');
    agent.signal('SIGINT');
    expect(await agent.exited, agentEvidence(agent)).toBe(0);
  });

  it('lets a CANCEL crossing our 200 do nothing: the channel is established and ends on BYE', async () => {
    const agent = await startAgent('agent2');
    const mark = agent.events.length;
    await frozenCrossing(agent, 'agent2', CHANNEL, channelBody(ECHO, 'Crossing'), 'channel.request');
    const established = await agent.waitForType('channel.state', 3000, mark, (e) => e.state === 'Established');
    await agent.waitForType('channel.state', 3000, mark, (e) => e.channelId === established.event.channelId && e.state === 'Terminated');
    expect(agent.events.slice(mark).filter((e) => e.event.type === 'channel.refused')).toEqual([]);
    expect(await stillRunning(agent, 500), agentEvidence(agent)).toBe('running');
  });

  it('lets a CANCEL crossing our 200 to a conference invitation do nothing: the agent joins (accepted by hand)', async () => {
    const agent = await startAgent('agent2c');
    const conference = lab.conferences.create('Crossing CANCEL by hand', 'sip:organizer@lab.local');
    const mark = agent.events.length;
    await frozenCrossing(agent, 'agent2c', CONF_INVITE, conferenceInvite(conference.focusUri), 'invitation');
    await agent.waitForType('invitation.accepted', 3000, mark);
    expect(agent.events.slice(mark).some((e) => e.event.type === 'invitation.cancelled')).toBe(false);
    await agent.waitForType('conference.joined', 10_000, mark, (e) => e.focusUri === conference.focusUri);
    agent.send({ cmd: 'leave', focusUri: conference.focusUri });
    await agent.waitForType('conference.left', 5000, mark);
    expect(await stillRunning(agent, 300), agentEvidence(agent)).toBe('running');
  });

  it('lets a CANCEL crossing our 200 to a conference invitation do nothing: the agent joins', async () => {
    // --auto-accept answers invitations only from senders on --trust.
    const agent = await startAgent('agent2b', ['--auto-accept', '--trust', 'sip:sipp@lab.local']);
    const conference = lab.conferences.create('Crossing CANCEL', 'sip:organizer@lab.local');
    const mark = agent.events.length;
    await crossingCancel(agent, 'agent2b', CONF_INVITE, conferenceInvite(conference.focusUri));
    await agent.waitForType('invitation.accepted', 3000, mark);
    expect(agent.events.slice(mark).some((e) => e.event.type === 'invitation.cancelled')).toBe(false);
    await agent.waitForType('conference.joined', 10_000, mark, (e) => e.focusUri === conference.focusUri);
    agent.send({ cmd: 'leave', focusUri: conference.focusUri });
    await agent.waitForType('conference.left', 5000, mark);
    expect(await stillRunning(agent, 300), agentEvidence(agent)).toBe('running');
  });
});

describe('requests racing the end of a dialog', () => {
  it('survives BYEs crossing, answers an INFO after BYE with 481, and keeps running', async () => {
    const user = 'agent5';
    const agent = await startAgent(user, ['--auto-accept', '--trust', 'sip:sipp@lab.local']);
    const mark = agent.events.length;
    const sipp = runSippTraced('uac-channel-bye-crossing.xml', target(), { body: channelBody(ECHO, 'Crossing BYEs') }, ['-s', user]);
    const established = await agent.waitForType('channel.state', 5000, mark, (e) => e.state === 'Established');
    // Freeze the proxy, not the agent (as frozenCrossing does): the agent's BYE goes into
    // Kamailio's socket at once, and sipp's BYE (2 s after its ACK) waits there too, so the two
    // cross whatever order Kamailio handles them in. Freezing the agent left the order of its
    // stdin and its socket to its event loop, and under load sipp's BYE was read first.
    await kamailio.pause();
    try {
      agent.send({ cmd: 'close', appId: ECHO });
      await agent.waitForType('channel.state', 2000, mark, (e) => e.channelId === established.event.channelId && e.state === 'Terminated');
      await sleep(2500);
    } finally {
      await kamailio.resume();
    }
    const run = await sipp;
    const callId = /Call-ID: (\S+)/.exec(run.messages)?.[1] ?? '';
    const flow = flowOf(messagesOfCall(await traceOf(agent), callId));
    console.info(`[figures] crossing BYEs then INFO at the agent: ${flow}`);
    expect(run.code, `agent saw: ${flow}\n${evidence(run, agent)}`).toBe(0);
    expect(flow, 'our BYE left before theirs came in').toMatch(/OUT BYE \| .*IN BYE/);
    expect(flow, 'the INFO after BYE got 481').toMatch(/IN INFO \| OUT 481 INFO/);
    await agent.waitForType('channel.state', 3000, mark, (e) => e.channelId === established.event.channelId && e.state === 'Terminated');
    expect(agent.events.slice(mark).filter((e) => e.event.type === 'channel.data')).toEqual([]);
    expect(agent.events.slice(mark).filter((e) => e.event.type === 'error' && e.event.code === 'internal')).toEqual([]);
    expect(await stillRunning(agent, 300), agentEvidence(agent)).toBe('running');
  });
});

/** A UDP socket standing for sipp's own address as a forged MCU: it only counts what arrives. */
async function trapSocket(): Promise<{ socket: Socket; port: number; received: string[] }> {
  const socket = createSocket('udp4');
  const received: string[] = [];
  socket.on('message', (data) => received.push(data.toString('utf8').split('\r\n')[0] ?? ''));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { socket, port: socket.address().port, received };
}

/** Forged conference-info documents for `conference`: "the conference is over", and a full roster with a stranger and a foreign MCU. */
function forgedDocuments(conference: LabConference, self: ConfUser, trapPort: number): { deleted: string; full: string; forgedUser: string; forgedMcu: string } {
  const forgedUser = 'sip:mallory@evil.example';
  const forgedMcu = `sip:mcu@127.0.0.1:${trapPort};transport=udp`;
  const stranger: ConfUser = { entity: forgedUser, state: 'full', displayText: 'Mallory', roles: ['presenter'], endpoints: [{ entity: `${forgedUser};focus`, sessionType: 'focus', status: 'connected', media: [] }] };
  const version = 4_000_000_000;
  const full = buildConferenceInfo({
    entity: conference.focusUri,
    state: 'full',
    version,
    subject: 'Forged',
    confUris: [{ uri: forgedMcu, purpose: 'audio-video', displayText: 'audio-video' }],
    users: [self, stranger],
  });
  const deleted = buildConferenceInfo({ entity: conference.focusUri, state: 'deleted', version: version + 1, confUris: [], users: [] });
  return { deleted, full, forgedUser, forgedMcu };
}

/** Joins a lab conference (accepted by hand) and waits for audio both ways. */
async function joinedConference(agent: AgentProcess, user: string): Promise<{ conference: LabConference; self: ConfUser }> {
  const { conference } = await lab.invite(aorOf(user), 'Forgery target');
  const invitation = await agent.waitForType('invitation', 5000, 0, (e) => e.focusUri === conference.focusUri);
  agent.send({ cmd: 'accept', id: invitation.event.id });
  const roster = await agent.waitForType('roster', 10_000, 0, (e) => e.users.some((u) => u.self && u.modalities.audio === 'connected'));
  await agent.waitForType('media', 5000, 0, (e) => e.state === 'connected' && e.packetsReceived > 0 && e.packetsSent > 0);
  const me = roster.event.users.find((u) => u.self);
  return { conference, self: { entity: me?.entity ?? aorOf(user), state: 'full', roles: me?.roles ?? ['attendee'], endpoints: [] } };
}

/** Sends the forged documents as BENOTIFY (must get no answer) and NOTIFY (must get 481). */
async function sendForgeries(agent: AgentProcess, user: string, docs: { full: string; deleted: string }): Promise<TracedSippResult[]> {
  const runs: TracedSippResult[] = [];
  for (const body of [docs.full, docs.deleted]) {
    const benotify = await runSippTraced('uac-forged-benotify.xml', target(), { body }, ['-s', user, '-nr']);
    expect.soft(benotify.code, `BENOTIFY must get no response\n${evidence(benotify, agent)}`).toBe(0);
    const notify = await runSippTraced('uac-forged-notify.xml', target(), { body }, ['-s', user]);
    expect.soft(notify.code, `NOTIFY must get 481\n${evidence(notify, agent)}`).toBe(0);
    runs.push(benotify, notify);
  }
  return runs;
}

/** The newest `media` event's counters. */
function lastMedia(agent: AgentProcess): Extract<AgentEvent, { type: 'media' }> | undefined {
  const found = agent.events.findLast((e) => e.event.type === 'media')?.event;
  return found?.type === 'media' ? found : undefined;
}

describe('forged roster updates from outside any dialog', () => {
  it('ignores BENOTIFY and refuses NOTIFY (481): the agent stays, the roster and the MCU are the focus’s', async () => {
    const user = 'agent3';
    const agent = await startAgent(user);
    const { conference, self } = await joinedConference(agent, user);
    const trap = await trapSocket();
    try {
      const docs = forgedDocuments(conference, self, trap.port);
      const mark = agent.events.length;
      const before = lastMedia(agent);
      const runs = await sendForgeries(agent, user, docs);
      await checkUnmoved(agent, conference, mark, docs.forgedUser);
      await checkMediaFlows(agent, before);
      await checkReconnectDialsTheRealMcu(agent, conference, trap.received);
      expect(trap.received, 'nothing may ever be sent to the forged MCU').toEqual([]);
      await checkAgentTraceFor(agent, runs);
      agent.send({ cmd: 'leave', focusUri: conference.focusUri });
      await agent.waitForType('conference.left', 5000, mark);
      for (let i = 0; i < 40 && lab.conferences.dialogsOf(conference.id, aorOf(user)).focus; i += 1) {
        await sleep(50);
      }
      expect(lab.conferences.dialogsOf(conference.id, aorOf(user))).toEqual({ focus: false, mcu: false });
    } finally {
      trap.socket.close();
    }
  });
});

/** Still in the conference, focus dialog up at the lab, no BYE sent, roster without the stranger. */
async function checkUnmoved(agent: AgentProcess, conference: LabConference, mark: number, forgedUser: string): Promise<void> {
  await sleep(300);
  const after = agent.events.slice(mark).map((e) => e.event);
  expect.soft(after.filter((e) => e.type === 'conference.left'), agentEvidence(agent)).toEqual([]);
  expect.soft(lab.conferences.dialogsOf(conference.id, aorOf(agentUser(agent))), 'the lab focus still has our dialog').toEqual({ focus: true, mcu: true });
  const rosters = after.flatMap((e) => (e.type === 'roster' ? [e] : []));
  expect.soft(rosters.filter((r) => r.users.some((u) => u.entity === forgedUser)), 'no roster may show the forged user').toEqual([]);
  expect.soft(rosters.filter((r) => r.subject === 'Forged'), 'no roster may take the forged subject').toEqual([]);
  const byesToFocus = traceMessages(await traceOf(agent)).filter((m) => m.out && /^BYE sip:[^\n]*opaque=app:conf:focus/.test(m.text));
  expect.soft(byesToFocus.map((m) => m.text), 'no BYE to the focus').toEqual([]);
}

/** RTP counters in `media` events keep rising after the forgeries. */
async function checkMediaFlows(agent: AgentProcess, before: Extract<AgentEvent, { type: 'media' }> | undefined): Promise<void> {
  const mark = agent.events.length;
  const later = await agent.waitForType('media', 3000, mark, (e) => e.state === 'connected' && e.packetsReceived > (before?.packetsReceived ?? 0) + 25);
  expect(later.event.packetsSent).toBeGreaterThan((before?.packetsSent ?? 0) + 25);
}

/** After the lab MCU hangs up our media, reconnect-audio dials the MCU of the real conference. */
async function checkReconnectDialsTheRealMcu(agent: AgentProcess, conference: LabConference, trapped: string[]): Promise<void> {
  const user = aorOf(agentUser(agent));
  const mark = agent.events.length;
  expect(lab.conferences.hangUpMedia(conference.id, user)).toBe(true);
  await agent.waitForType('media', 5000, mark, (e) => e.state === 'closed');
  agent.send({ cmd: 'reconnect-audio', focusUri: conference.focusUri });
  await agent.waitForType('media', 10_000, mark, (e) => e.state === 'connected' && e.packetsReceived > 0);
  expect(lab.conferences.dialogsOf(conference.id, user)).toEqual({ focus: true, mcu: true });
  expect(trapped).toEqual([]);
}

/** The agent's own record: no response to either BENOTIFY, a 481 to each NOTIFY. */
async function checkAgentTraceFor(agent: AgentProcess, runs: TracedSippResult[]): Promise<void> {
  const trace = await traceOf(agent);
  for (const run of runs) {
    const callId = /Call-ID: (\S+)/.exec(run.messages)?.[1] ?? '';
    const messages = messagesOfCall(trace, callId);
    const method = /^(BENOTIFY|NOTIFY) sip:/m.exec(run.messages)?.[1];
    expect.soft(messages.some((m) => !m.out), `${method} ${callId} reached the agent`).toBe(true);
    expect.soft(sentStatuses(messages), `${method} ${callId}: responses the agent sent`).toEqual(method === 'BENOTIFY' ? [] : ['481']);
  }
}

/** The user part of an agent's address of record, from its registration. */
function agentUser(agent: AgentProcess): string {
  const registered = agent.events.find((e) => e.event.type === 'registered')?.event;
  return /^sip:([^@]+)@/.exec(registered?.type === 'registered' ? registered.aor : '')?.[1] ?? '';
}

/** One flood call as the scenario logged it: whether it rang, and every final response it took. */
type FloodCall = { sender: string; rang: boolean; finals: { status: number; retryAfter: string }[] };

/** Reads the flood scenario's log lines (`ring …` / `final …`) into calls by Call-ID. */
function floodCalls(logs: string): Map<string, FloodCall> {
  const calls = new Map<string, FloodCall>();
  const callOf = (callId: string, sender: string): FloodCall => {
    const call = calls.get(callId) ?? { sender, rang: false, finals: [] };
    calls.set(callId, call);
    return call;
  };
  for (const line of logs.split('\n')) {
    const ring = /^ring (\S+) (\S+)/.exec(line);
    if (ring) {
      callOf(ring[1] ?? '', ring[2] ?? '').rang = true;
    }
    const final = /^final (\S+) (\S+) (\d{3}) retry-after=(\S*)/.exec(line);
    if (final) {
      callOf(final[1] ?? '', final[2] ?? '').finals.push({ status: Number(final[3]), retryAfter: final[4] ?? '' });
    }
  }
  return calls;
}

/** Most channel requests ringing at once in the agent's own events, overall and per sender. */
function peakRinging(events: readonly AgentEvent[]): { all: number; perSender: number } {
  const ringing = new Map<string, string>();
  let all = 0;
  let perSender = 0;
  for (const event of events) {
    if (event.type === 'channel.request') {
      ringing.set(event.channelId, event.from);
      all = Math.max(all, ringing.size);
      perSender = Math.max(perSender, [...ringing.values()].filter((from) => from === event.from).length);
    } else if (event.type === 'channel.state' && event.state !== 'Establishing') {
      ringing.delete(event.channelId);
    }
  }
  return { all, perSender };
}

/** Counts of each outcome across the flood, and per sender. */
function tally(calls: Map<string, FloodCall>): { byStatus: Map<number, number>; ringBySender: Map<string, number>; admittedBySender: Map<string, number> } {
  const byStatus = new Map<number, number>();
  const ringBySender = new Map<string, number>();
  const admittedBySender = new Map<string, number>();
  const bump = <K>(map: Map<K, number>, key: K): void => void map.set(key, (map.get(key) ?? 0) + 1);
  for (const call of calls.values()) {
    new Set(call.finals.map((f) => f.status)).forEach((status) => bump(byStatus, status));
    if (call.rang) {
      bump(ringBySender, call.sender);
    }
    if (call.finals.some((f) => !OVER_RATE.includes(f.status))) {
      bump(admittedBySender, call.sender);
    }
  }
  return { byStatus, ringBySender, admittedBySender };
}

const FLOOD_CALLS = 200;
/** 503 as the agent sends it, and 500 as a proxy relays it (RFC 3261 §16.7 step 6). */
const OVER_RATE = [503, 500];
const FLOOD_SENDERS = 8;

/** Every 503 the agent sent carries Retry-After (the proxy drops it when it turns 503 into 500). */
async function checkRetryAfter(agent: AgentProcess): Promise<number> {
  const sent503 = traceMessages(await traceOf(agent)).filter((m) => m.out && m.text.startsWith('SIP/2.0 503'));
  const without = sent503.filter((m) => !/^Retry-After: *\d+/im.test(m.text));
  expect.soft(without.slice(0, 2).map((m) => m.text), 'every 503 the agent sent carries Retry-After').toEqual([]);
  return sent503.length;
}

/** Checks the flood's wire record against the caps: one final each, at most 5/20 ringing, 503 (500 past the proxy). */
function checkFloodOutcome(calls: Map<string, FloodCall>, run: TracedSippResult, agent: AgentProcess): void {
  const why = evidence(run, agent);
  expect.soft(calls.size, `calls that logged an outcome\n${why}`).toBe(FLOOD_CALLS);
  // A proxy retransmits a final response over UDP until it sees the ACK (RFC 3261 §17.2.1, Timer
  // G): under load sipp may log the same 487 twice. One final response means one status.
  const notOne = [...calls.entries()].filter(([, c]) => new Set(c.finals.map((f) => f.status)).size !== 1);
  expect.soft(notOne.slice(0, 5), 'every INVITE gets exactly one final response').toEqual([]);
  const { byStatus, ringBySender, admittedBySender } = tally(calls);
  const rang = [...ringBySender.values()].reduce((a, b) => a + b, 0);
  console.info(`[figures] flood: ${calls.size} calls, rang ${rang}, finals ${JSON.stringify(Object.fromEntries(byStatus))}`);
  expect.soft(rang, 'at most 20 ringing in all').toBeLessThanOrEqual(20);
  expect.soft(Math.max(0, ...ringBySender.values()), 'at most 5 ringing per sender').toBeLessThanOrEqual(5);
  expect.soft(Math.max(0, ...admittedBySender.values()), 'at most 10 new requests per sender in 10 s').toBeLessThanOrEqual(10);
  expect.soft(byStatus.get(486) ?? 0, 'requests over the ringing caps get 486').toBeGreaterThan(0);
  expect.soft((byStatus.get(503) ?? 0) + (byStatus.get(500) ?? 0), 'requests over the rate get 503 (500 past the proxy)').toBeGreaterThan(0);
  const unexpected = [...byStatus.keys()].filter((s) => ![486, 487, 480, ...OVER_RATE].includes(s));
  expect.soft(unexpected, 'no other final response').toEqual([]);
  const peak = peakRinging(agent.events.map((e) => e.event));
  console.info(`[figures] flood: peak ringing at the agent ${peak.all} (per sender ${peak.perSender})`);
  expect.soft(peak.all).toBeLessThanOrEqual(20);
  expect.soft(peak.perSender).toBeLessThanOrEqual(5);
  expect(run.code, why).toBe(0);
}

describe('a flood of channel requests', () => {
  it('caps what rings, answers every request once, keeps its memory, and serves others right after', async () => {
    const user = 'agent4';
    const agent = await startAgent(user);
    const mark = agent.events.length;
    const rssBefore = agent.rssKiB();
    const senders = injectionFile(Array.from({ length: FLOOD_SENDERS }, (_, i) => [`flood${i}`]));
    const extra = ['-s', user, '-m', String(FLOOD_CALLS), '-r', '100', '-l', String(FLOOD_CALLS), '-inf', senders];
    const started = performance.now();
    const run = await runSippTraced('uac-channel-flood.xml', target(), { app: ECHO }, extra, 30);
    const floodEnded = performance.now();
    const rssAfter = await stillRunning(agent, 0).then((state) => (state === 'running' ? agent.rssKiB() : Number.NaN));
    console.info(`[figures] flood: sipp ran ${(floodEnded - started).toFixed(0)} ms; agent RSS ${rssBefore} KiB before, ${rssAfter} KiB after (+${((rssAfter - rssBefore) / 1024).toFixed(1)} MiB)`);
    checkFloodOutcome(floodCalls(run.logs), run, agent);
    expect(await stillRunning(agent, 0), agentEvidence(agent)).toBe('running');
    console.info(`[figures] flood: the agent sent ${await checkRetryAfter(agent)} 503s`);
    expect(rssAfter - rssBefore).toBeLessThan(50 * 1024);
    expect(agent.events.slice(mark).filter((e) => e.event.type === 'error' && e.event.code === 'internal')).toEqual([]);

    const options = await runSippTraced('uac-options.xml', target(), {}, ['-s', user]);
    expect(options.code, evidence(options, agent)).toBe(0);
    await legitimateChannel(agent, user);
    const recovered = performance.now() - floodEnded;
    console.info(`[figures] flood: OPTIONS 200 and a legitimate channel done ${recovered.toFixed(0)} ms after the flood`);
    expect(recovered).toBeLessThan(2000);
  });
});
