import { describe, expect, it } from 'vitest';
import { CALL_DIGITS_KEPT } from './desktop-calls';
import { desktopStateSchema, initialDesktopState, reduceDesktop, type DesktopEvent, type DesktopState } from './desktop-state';

const CRM = '{8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01}';
const CALLER = 'sip:conf@lab.local';

function run(events: DesktopEvent[], start: DesktopState = initialDesktopState()): DesktopState {
  return events.reduce((state, event, i) => reduceDesktop(state, event, 1000 + i), start);
}

const ring: DesktopEvent = { type: 'call', id: 'call-1', from: CALLER, displayName: 'Contoso Support', conversationId: 'conv-1' };
const state = (s: 'dialing' | 'ringing' | 'connected' | 'held' | 'remote-held' | 'ended', extra: { reason?: string; id?: string; outgoing?: boolean; conversationId?: string } = {}): DesktopEvent => ({
  type: 'call.state',
  id: extra.id ?? 'call-1',
  state: s,
  peer: CALLER,
  conversationId: extra.conversationId ?? 'conv-1',
  outgoing: extra.outgoing ?? false,
  ...(extra.reason !== undefined && { reason: extra.reason }),
});
const media = (level: number, muted = false): DesktopEvent => ({ type: 'call.media', id: 'call-1', state: 'connected', muted, packetsSent: 50, packetsReceived: 49, level });

describe('calls in the desktop state', () => {
  it('rings a call as a toast with the caller, and opens its conversation only once answered', () => {
    let s = run([ring, state('ringing')]);
    expect(s.pending).toEqual([{ kind: 'call', id: 'call-1', from: CALLER, conversationId: 'conv-1', at: 1000, audio: true, im: false, displayName: 'Contoso Support' }]);
    expect(s.conversations).toEqual([]);
    s = run([state('connected'), media(0.03)], s);
    expect(s.pending).toEqual([]);
    expect(s.conversations).toHaveLength(1);
    expect(s.conversations[0]).toMatchObject({ id: 'conv-1', kind: 'call', subject: 'Contoso Support', from: CALLER, state: 'active', joinedAt: 1000 });
    expect(s.conversations[0]?.calls).toEqual([
      {
        id: 'call-1',
        peer: CALLER,
        displayName: 'Contoso Support',
        outgoing: false,
        state: 'connected',
        startedAt: 1000,
        connectedAt: 1000,
        muted: false,
        media: { state: 'connected', packetsSent: 50, packetsReceived: 49, level: 0.03 },
        digitsReceived: '',
      },
    ]);
    expect(s.conversations[0]?.history.map((h) => h.text)).toEqual(['Answered a call from Contoso Support']);
    expect(desktopStateSchema.safeParse(s).success).toBe(true);
  });

  it('follows mute, hold either way, digits received, and ends with the reason kept', () => {
    let s = run([ring, state('ringing'), state('connected'), media(0.02, true), state('held'), state('connected'), state('remote-held'), state('connected')]);
    const digits: DesktopEvent[] = [...'12#'].map((digit) => ({ type: 'call.dtmf', id: 'call-1', digit, via: 'info' }));
    s = run([...digits, state('ended', { reason: 'the other side hung up' })], s);
    const [conversation] = s.conversations;
    expect(conversation?.calls?.[0]).toMatchObject({ state: 'ended', reason: 'the other side hung up', muted: true, digitsReceived: '12#', endedAt: 1003 });
    expect(conversation).toMatchObject({ state: 'ended', endedAt: 1003 });
    expect(conversation?.history.map((h) => h.text)).toEqual([
      'Answered a call from Contoso Support',
      'Put the call on hold',
      'Resumed the call',
      'Contoso Support put the call on hold',
      'Contoso Support resumed the call',
      'Call ended: the other side hung up',
    ]);
    // A late event of an ended call changes nothing.
    expect(run([state('connected')], s).conversations).toBe(s.conversations);
    const many = run(Array.from({ length: CALL_DIGITS_KEPT + 3 }, () => ({ type: 'call.dtmf', id: 'call-1', digit: '9', via: 'rtp' }) as DesktopEvent), s);
    expect(many.conversations[0]?.calls?.[0]?.digitsReceived).toHaveLength(CALL_DIGITS_KEPT);
  });

  it('shows a transfer step by step, and a failed one with its reason', () => {
    const transfer = (step: 'requested' | 'accepted' | 'succeeded' | 'failed', more: { status?: number; reason?: string } = {}): DesktopEvent => ({ type: 'call.transfer', id: 'call-1', to: 'sip:b@lab.local', state: step, ...more });
    let s = run([ring, state('connected'), transfer('requested'), transfer('accepted')]);
    expect(s.conversations[0]?.calls?.[0]?.transfer).toEqual({ to: 'sip:b@lab.local', state: 'accepted' });
    s = run([transfer('failed', { status: 486, reason: 'SIP/2.0 486 Busy Here' })], s);
    expect(s.conversations[0]?.calls?.[0]?.transfer).toEqual({ to: 'sip:b@lab.local', state: 'failed', status: 486, reason: 'SIP/2.0 486 Busy Here' });
    s = run([transfer('requested'), transfer('succeeded', { status: 200 }), state('ended', { reason: 'transferred' })], s);
    expect(s.conversations[0]?.calls?.[0]).toMatchObject({ state: 'ended', reason: 'transferred', transfer: { state: 'succeeded', status: 200 } });
    expect(s.conversations[0]?.history.map((h) => h.text).slice(1)).toEqual([
      'Transferring the call to b@lab.local',
      'Transfer to b@lab.local failed: SIP/2.0 486 Busy Here',
      'Transferring the call to b@lab.local',
      'Transferred the call to b@lab.local',
      'Call ended: transferred',
    ]);
  });

  it('lists a call the agent places at once, joining while it dials and rings', () => {
    let s = run([state('dialing', { outgoing: true, id: 'call-9', conversationId: 'conv-9' })]);
    expect(s.pending).toEqual([]);
    expect(s.conversations[0]).toMatchObject({ id: 'conv-9', kind: 'call', state: 'joining', subject: 'conf@lab.local', history: [{ text: 'Calling conf@lab.local' }] });
    s = run([state('ringing', { outgoing: true, id: 'call-9', conversationId: 'conv-9' }), state('connected', { outgoing: true, id: 'call-9', conversationId: 'conv-9' })], s);
    expect(s.conversations[0]).toMatchObject({ state: 'active', calls: [{ id: 'call-9', outgoing: true, state: 'connected' }] });
    s = run([state('ended', { outgoing: true, id: 'call-9', conversationId: 'conv-9', reason: 'hung up' })], s);
    expect(s.conversations[0]).toMatchObject({ state: 'ended', calls: [{ reason: 'hung up' }] });
  });

  it("opens the call beside the pane of its conversation's context channel, and names the conversation after the caller", () => {
    const channelKey = { appId: CRM, conversationId: 'conv-1', channelId: 'ch-1' };
    let s = run([{ type: 'channel.request', id: 'ch-1', ...channelKey, from: CALLER, name: 'CRM context' }, { type: 'channel.state', ...channelKey, state: 'Established' }, ring, state('ringing')]);
    expect(s.conversations[0]).toMatchObject({ kind: 'channel', subject: 'CRM context' });
    s = run([state('connected')], s);
    expect(s.conversations).toHaveLength(1);
    expect(s.conversations[0]).toMatchObject({ id: 'conv-1', kind: 'call', subject: 'Contoso Support', panes: [{ appId: CRM, state: 'open' }], calls: [{ id: 'call-1' }] });
    // The pane closing does not end a conversation that has a call in it.
    s = run([{ type: 'channel.state', ...channelKey, state: 'Terminated' }], s);
    expect(s.conversations[0]?.state).toBe('active');
  });

  it('reports a call that stopped ringing unanswered as a missed call, and a declined one as nothing', () => {
    const missed = run([ring, state('ringing'), state('ended', { reason: 'cancelled' })]);
    expect(missed.pending).toEqual([]);
    expect(missed.conversations).toEqual([]);
    expect(missed.notices.map((n) => n.text)).toEqual(['Missed call from Contoso Support (the caller hung up)']);
    const declined = run([ring, state('ringing'), state('ended', { reason: 'declined' })]);
    expect(declined.notices).toEqual([]);
    expect(declined.conversations).toEqual([]);
  });

  it('marks Do-not-disturb calls quiet, and gives no toast to a call that replaces one of ours', () => {
    expect(run([{ ...ring, quiet: true } as DesktopEvent]).pending[0]?.quiet).toBe(true);
    const replacing = run([ring, state('connected'), { type: 'call', id: 'call-2', from: 'sip:b@lab.local', conversationId: 'conv-1', replaces: 'call-1' }]);
    expect(replacing.pending).toEqual([]);
  });

  it("shows where a call's audio runs, and on which devices", () => {
    let s = run([ring, state('connected'), { type: 'host.call.audio', callId: 'call-1', where: 'window', microphone: 'Headset', speaker: 'Speakers' }]);
    expect(s.conversations[0]?.calls?.[0]?.audio).toEqual({ where: 'window', microphone: 'Headset', speaker: 'Speakers' });
    s = run([{ type: 'host.call.audio', callId: 'call-1', where: 'host', problem: 'no window' }], s);
    expect(s.conversations[0]?.calls?.[0]?.audio).toEqual({ where: 'host', problem: 'no window' });
    // A call the desktop does not show is not invented by its audio.
    expect(run([{ type: 'host.call.audio', callId: 'call-7', where: 'window' }])).toEqual(initialDesktopState());
    expect(desktopStateSchema.safeParse(s).success).toBe(true);
  });

  it('brings an ended conversation back to life for a new call in it', () => {
    let s = run([ring, state('connected'), state('ended', { reason: 'hung up' })]);
    s = run([{ ...ring, id: 'call-2' } as DesktopEvent, state('ringing', { id: 'call-2' }), state('connected', { id: 'call-2' })], s);
    expect(s.conversations).toHaveLength(1);
    expect(s.conversations[0]).toMatchObject({ state: 'active', calls: [{ id: 'call-1', state: 'ended' }, { id: 'call-2', state: 'connected' }] });
    expect(s.conversations[0]?.endedAt).toBeUndefined();
  });
});
