import { afterEach, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../common/agent-events';
import { createNoMediaEngine } from '../../bench/support/no-media-engine';
import { buildC3PResponse } from '../../lab/conference/c3p-focus';
import { AGENT_AOR, PeerDialog, startHarness, type Harness, type SipMessage } from '../../test/support/sip-harness';
import { silentLogger } from '../ports/logger';
import { ConferenceManager } from './conference-manager';
import { MIME_CCCP, MIME_CONF_INVITE } from './namespaces';

// The modalities an invitation offers are the ones joined (open question 35): a conference whose
// invitation says `<audio available="false"/>` is joined without the A/V MCU, and audio is added
// on request. Real engine and sip.js core, in-memory peer, media that negotiates instantly.

const FOCUS = 'sip:conf@lab.local;gruu;opaque=app:conf:focus:id:MOD1';
const INVITER = 'sip:inviter@lab.local';
const SDP_ANSWER = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 't=0 0', 'm=audio 9 UDP/TLS/RTP/SAVPF 0', 'c=IN IP4 127.0.0.1', 'a=setup:active', ''].join('\r\n');
const CONTACT = 'Contact: <sip:focus@peer.invalid;transport=ws>';

const invitationBody = (audio: string, im = '<im available="false"/>'): string =>
  `<Conferencing version="2.0"><focus-uri>${FOCUS}</focus-uri><subject>Order 4711</subject>${audio}${im}</Conferencing>`;

const isInitialInvite = (m: SipMessage): boolean => m.method === 'INVITE' && m.toTag === undefined;
const toFocus = (m: SipMessage): boolean => isInitialInvite(m) && (m.headers.get('content-type')?.[0] ?? '').startsWith(MIME_CCCP);
const toAvMcu = (m: SipMessage): boolean => isInitialInvite(m) && m.uri.includes(':audio-video:');
const toChat = (m: SipMessage): boolean => isInitialInvite(m) && m.uri.includes(':chat:');

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.dispose();
  harness = undefined;
});

/** The agent's outstanding request matching `match`, once it was sent (at most 5 s of fake time). */
async function next(h: Harness, match: (m: SipMessage) => boolean): Promise<SipMessage> {
  for (let i = 0; i < 50; i += 1) {
    const found = h.peer.outstanding.find(match);
    if (found) {
      return found;
    }
    await h.time.advance(100);
  }
  throw new Error('the agent sent no such request');
}

/** An agent that auto-accepts `body` from the inviter, with the focus join and roster subscription answered. */
async function joined(body: string): Promise<{ h: Harness; manager: ConferenceManager }> {
  let manager: ConferenceManager | undefined;
  const h = await startHarness({
    setup: (engine, time) => {
      manager = new ConferenceManager(
        engine,
        { clock: time, logger: silentLogger, media: createNoMediaEngine(), newGuid: () => '00000000-0000-4000-8000-000000000035' },
        { autoAccept: true, trustList: [INVITER], byeGraceMs: 1000, mediaReportMs: 1000 },
      );
    },
  });
  harness = h;
  if (!manager) {
    throw new Error('no conference manager');
  }
  const invitation = new PeerDialog('inv-35', INVITER, 'i35', AGENT_AOR);
  h.peer.send(invitation.request('INVITE', { body, contentType: MIME_CONF_INVITE }));
  const join = await next(h, toFocus);
  const requestId = Number(/requestId="(\d+)"/.exec(join.body)?.[1] ?? '0');
  const c3p = buildC3PResponse({ requestId, from: FOCUS, to: AGENT_AOR, code: 'success', command: 'addUser', body: { confEntity: FOCUS, userEntity: AGENT_AOR, grantedRole: 'attendee' } });
  h.peer.answer(join, 200, { toTag: 'f1', body: c3p, contentType: MIME_CCCP, headers: [CONTACT, 'Session-Expires: 1800;refresher=uac'] });
  const subscribe = await next(h, (m) => m.method === 'SUBSCRIBE' && m.toTag === undefined);
  h.peer.answer(subscribe, 200, { toTag: 'r1', headers: [CONTACT, 'Expires: 3600'] });
  await h.time.advance(1000);
  return { h, manager };
}

const mediaStates = (events: readonly AgentEvent[]): string[] => events.flatMap((e) => (e.type === 'media' ? [e.state] : []));

describe('a conference whose invitation offers no audio', () => {
  it('joins focus, roster and chat, never dials the A/V MCU, and says media none', async () => {
    const { h } = await joined(invitationBody('<audio available="false"/>', '<im available="true"/>'));
    expect(h.events).toContainEqual(expect.objectContaining({ type: 'invitation', audio: false, im: true }));
    expect(h.events.find((e) => e.type === 'invitation')).not.toHaveProperty('audioUnavailable');
    expect(h.events).toContainEqual(expect.objectContaining({ type: 'conference.joined', focusUri: FOCUS }));
    expect(h.peer.fromAgent.some(toChat)).toBe(true);
    await h.time.advance(10_000);
    expect(h.peer.fromAgent.filter(toAvMcu)).toEqual([]);
    expect(h.events.filter((e) => e.type === 'media')).toEqual([
      { type: 'media', focusUri: FOCUS, state: 'none', muted: false, packetsSent: 0, packetsReceived: 0, bytesSent: 0, bytesReceived: 0 },
    ]);
    expect(h.events.filter((e) => e.type === 'dialog').map((e) => e.type === 'dialog' && e.role)).not.toContain('mcu');
  });

  it('adds audio on request: the MCU is dialled then, with the mute chosen meanwhile, and once only', async () => {
    const { h, manager } = await joined(invitationBody('<audio available="false"/>'));
    manager.mute(FOCUS, true);
    await h.time.settle();
    expect(h.events.filter((e) => e.type === 'media').at(-1)).toMatchObject({ state: 'none', muted: true });
    expect(h.peer.fromAgent.filter(toAvMcu)).toEqual([]);

    expect(manager.reconnectAudio(FOCUS)).toBe(true);
    const dial = await next(h, toAvMcu);
    expect(dial.headers.get('content-type')?.[0]).toMatch(/^application\/sdp/);
    expect(manager.reconnectAudio(FOCUS)).toBe(false); // connecting: nothing to add
    h.peer.answer(dial, 200, { toTag: 'm1', body: SDP_ANSWER, contentType: 'application/sdp', headers: [CONTACT] });
    await h.time.advance(1000);
    expect(mediaStates(h.events)).toEqual(expect.arrayContaining(['none', 'connecting']));
    expect(h.events.filter((e) => e.type === 'media' && e.state !== 'none').every((e) => e.type === 'media' && e.muted)).toBe(true);
    expect(h.events.filter((e) => e.type === 'dialog').map((e) => e.type === 'dialog' && e.role)).toContain('mcu');
    expect(manager.reconnectAudio(FOCUS)).toBe(false);
    expect(h.peer.fromAgent.filter(toAvMcu)).toHaveLength(1);
  });

  it('recovers after a lost connection without dialling audio that was never joined', async () => {
    const { h } = await joined(invitationBody('<audio available="false"/>'));
    const before = h.events.length;
    h.peer.drop();
    await h.time.advance(100);
    expect(h.events.slice(before)).toContainEqual(expect.objectContaining({ type: 'conference.state', state: 'reconnecting' }));
    // The engine reconnects and registers again; the conference refreshes the focus dialog.
    const refresh = await next(h, (m) => m.method === 'INVITE' && m.toTag === 'f1');
    h.peer.answer(refresh, 200, { toTag: 'f1', body: '', headers: [CONTACT, 'Session-Expires: 1800;refresher=uac'] });
    const resubscribe = await next(h, (m) => m.method === 'SUBSCRIBE' && m.toTag === undefined);
    h.peer.answer(resubscribe, 200, { toTag: 'r2', headers: [CONTACT, 'Expires: 3600'] });
    await h.time.advance(5000);
    expect(h.events.slice(before)).toContainEqual(expect.objectContaining({ type: 'conference.state', state: 'joined', reason: 'reconnected' }));
    expect(h.peer.fromAgent.filter(toAvMcu)).toEqual([]);
    expect(mediaStates(h.events)).toEqual(['none']);
  });
});

describe('a conference whose invitation offers audio, or does not say', () => {
  it.each([
    ['audio available="true"', '<audio available="true"/>'],
    ['no audio element (older servers)', ''],
    ['an audio element without available', '<audio/>'],
  ])('dials the A/V MCU right after joining, as before: %s', async (_name, audio) => {
    const { h } = await joined(invitationBody(audio));
    const dial = await next(h, toAvMcu);
    expect(dial.headers.get('content-type')?.[0]).toMatch(/^application\/sdp/);
    expect(mediaStates(h.events)).not.toContain('none');
    expect(mediaStates(h.events)[0]).toBe('connecting');
  });
});
