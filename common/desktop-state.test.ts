import { describe, expect, it } from 'vitest';
import { DESKTOP_LIMITS, desktopStateSchema, initialDesktopState, reduceDesktop, type DesktopEvent, type DesktopState } from './desktop-state';

const CRM = '{8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01}';
const FOCUS = 'sip:conf@lab.local;gruu;opaque=app:conf:focus:id:1';

function run(events: DesktopEvent[], start: DesktopState = initialDesktopState()): DesktopState {
  return events.reduce((state, event, i) => reduceDesktop(state, event, 1000 + i), start);
}

const invitation: DesktopEvent = { type: 'invitation', id: 'inv-1', from: 'sip:boss@lab.local', focusUri: FOCUS, subject: 'Help', audio: true, im: true, conversationId: 'conv-1' };
const channelKey = { appId: CRM, conversationId: 'conv-1', channelId: 'ch-1' };

describe('reduceDesktop', () => {
  it("keeps the embedded lab's customer page while the agent is on the lab, and drops it after", () => {
    const page = 'http://127.0.0.1:41234/';
    const onLab = run([
      { type: 'host.agent', state: 'starting', server: 'ws://127.0.0.1:1', aor: 'sip:agent@lab.local', lab: true, customerPage: page },
      { type: 'connection', state: 'connected', server: 'ws://127.0.0.1:1' },
      { type: 'registered', aor: 'sip:agent@lab.local', expires: 600 },
      { type: 'host.agent', state: 'running', server: 'ws://127.0.0.1:1', aor: 'sip:agent@lab.local', lab: true },
    ]);
    expect(onLab.connection).toMatchObject({ phase: 'registered', lab: true, customerPage: page });
    const away = run([{ type: 'host.agent', state: 'stopped', lab: false }], onLab);
    expect(away.connection.customerPage).toBeUndefined();
  });

  it('shows where a conference audio runs and on which devices, replacing what it showed before', () => {
    let state = run([invitation, { type: 'invitation.accepted', id: 'inv-1', focusUri: FOCUS }, { type: 'host.audio', focusUri: FOCUS, where: 'window' }]);
    expect(state.conversations[0]?.audio).toEqual({ where: 'window' });
    state = run([{ type: 'host.audio', focusUri: FOCUS.toUpperCase(), where: 'window', microphone: 'Headset', speaker: 'Speakers', problem: 'chosen mic missing' }], state);
    expect(state.conversations[0]?.audio).toEqual({ where: 'window', microphone: 'Headset', speaker: 'Speakers', problem: 'chosen mic missing' });
    state = run([{ type: 'host.audio', focusUri: FOCUS, where: 'window', microphone: 'Headset' }], state);
    expect(state.conversations[0]?.audio).toEqual({ where: 'window', microphone: 'Headset' });
    // Another conference's audio changes nothing here.
    expect(run([{ type: 'host.audio', focusUri: 'sip:other@lab.local', where: 'host' }], state)).toEqual(state);
    expect(desktopStateSchema.safeParse(state).success).toBe(true);
  });

  it('rings an invitation, opens its conversation on accept, and follows join, roster, media and leave', () => {
    let state = run([invitation]);
    expect(state.pending).toMatchObject([{ kind: 'invitation', id: 'inv-1', subject: 'Help', conversationId: 'conv-1' }]);
    expect(state.conversations).toEqual([]);
    state = run(
      [
        { type: 'invitation.accepted', id: 'inv-1', focusUri: FOCUS },
        { type: 'conference.joined', focusUri: FOCUS, conversationId: 'conv-1' },
        { type: 'roster', focusUri: FOCUS, users: [{ entity: 'sip:agent@lab.local', roles: ['attendee'], self: true, modalities: { audio: 'connected', im: 'none' } }] },
        { type: 'media', focusUri: FOCUS, state: 'connected', muted: false, packetsSent: 5, packetsReceived: 4, bytesSent: 1, bytesReceived: 1 },
      ],
      state,
    );
    expect(state.pending).toEqual([]);
    const [conversation] = state.conversations;
    expect(conversation).toMatchObject({ id: 'conv-1', kind: 'conference', subject: 'Help', state: 'active', focusUri: FOCUS, media: { state: 'connected' } });
    expect(conversation?.roster[0]?.modalities.audio).toBe('connected');
    state = run([{ type: 'conference.left', focusUri: FOCUS, reason: 'left by the agent' }], state);
    expect(state.conversations[0]).toMatchObject({ state: 'ended', endedAt: 1000, endReason: 'left by the agent' });
    expect(desktopStateSchema.safeParse(state).success).toBe(true);
  });

  it('keeps a conference joined without audio at media none, through adding audio, and not "closed" after leaving without it', () => {
    const none: DesktopEvent = { type: 'media', focusUri: FOCUS, state: 'none', muted: false, packetsSent: 0, packetsReceived: 0, bytesSent: 0, bytesReceived: 0 };
    const joined = run([{ ...invitation, audio: false }, { type: 'invitation.accepted', id: 'inv-1', focusUri: FOCUS }, { type: 'conference.joined', focusUri: FOCUS, conversationId: 'conv-1' }, none]);
    expect(joined.conversations[0]?.media).toEqual({ state: 'none', muted: false, packetsSent: 0, packetsReceived: 0 });
    expect(desktopStateSchema.safeParse(joined).success).toBe(true);
    const left = run([{ type: 'conference.left', focusUri: FOCUS, reason: 'left by the agent' }], joined);
    expect(left.conversations[0]).toMatchObject({ state: 'ended', media: { state: 'none' } });
    const withAudio = run([{ ...none, state: 'connecting' }, { ...none, state: 'connected', packetsSent: 5, packetsReceived: 4 }, { type: 'conference.left', focusUri: FOCUS, reason: 'left by the agent' }], joined);
    expect(withAudio.conversations[0]?.media).toMatchObject({ state: 'closed', packetsReceived: 4 });
  });

  it("keeps the received level of the conference's latest media event, and none when the event has none", () => {
    const media: DesktopEvent = { type: 'media', focusUri: FOCUS, state: 'connected', muted: false, packetsSent: 50, packetsReceived: 50, bytesSent: 1, bytesReceived: 1 };
    let state = run([invitation, { type: 'invitation.accepted', id: 'inv-1', focusUri: FOCUS }, { ...media, level: 0.031 }]);
    expect(state.conversations[0]?.media).toEqual({ state: 'connected', muted: false, packetsSent: 50, packetsReceived: 50, level: 0.031 });
    expect(desktopStateSchema.safeParse(state).success).toBe(true);
    state = run([{ ...media, level: 0 }], state);
    expect(state.conversations[0]?.media?.level).toBe(0);
    state = run([media], state);
    expect(state.conversations[0]?.media).not.toHaveProperty('level');
  });

  it('shows no pane while a channel request rings or after it is refused, and one pane once established', () => {
    let state = run([{ type: 'channel.request', id: 'ch-1', ...channelKey, from: 'sip:app@lab.local', name: 'CRM context', toast: 'Ada' }, { type: 'channel.state', ...channelKey, state: 'Establishing' }]);
    expect(state.pending).toHaveLength(1);
    expect(state.conversations).toEqual([]);
    state = run([{ type: 'channel.state', ...channelKey, state: 'Established' }, { type: 'channel.context', ...channelKey, data: '{"name":"Ada"}', simpleLink: 'https://crm.example.org/1' }], state);
    expect(state.pending).toEqual([]);
    expect(state.conversations[0]).toMatchObject({ id: 'conv-1', kind: 'channel', subject: 'CRM context', from: 'sip:app@lab.local' });
    expect(state.conversations[0]?.panes).toMatchObject([{ appId: CRM, name: 'CRM context', state: 'open', context: { data: '{"name":"Ada"}' } }]);
    expect(state.conversations[0]?.history.at(-1)).toMatchObject({ link: 'https://crm.example.org/1' });

    const refused = run([{ type: 'channel.request', id: 'ch-2', ...channelKey, channelId: 'ch-2', from: 'x', name: 'n' }, { type: 'channel.state', ...channelKey, channelId: 'ch-2', state: 'Terminated' }]);
    expect(refused.pending).toEqual([]);
    expect(refused.conversations).toEqual([]);
  });

  it('opens the pane with its context as the 200 goes (before the ACK), named, opening, then open; closed if no ACK comes', () => {
    const request: DesktopEvent = { type: 'channel.request', id: 'ch-1', ...channelKey, from: 'sip:app@lab.local', name: 'CRM context' };
    let state = run([request, { type: 'channel.state', ...channelKey, state: 'Establishing' }, { type: 'channel.context', ...channelKey, data: '{"name":"Ada"}' }]);
    expect(state.conversations[0]).toMatchObject({ id: 'conv-1', kind: 'channel', subject: 'CRM context', from: 'sip:app@lab.local' });
    expect(state.conversations[0]?.panes).toMatchObject([{ appId: CRM, name: 'CRM context', state: 'opening', channels: [{ channelId: 'ch-1', state: 'Establishing' }], context: { data: '{"name":"Ada"}' } }]);
    const acked = run([{ type: 'channel.state', ...channelKey, state: 'Established' }], state);
    expect(acked.conversations[0]?.panes).toMatchObject([{ name: 'CRM context', state: 'open', channels: [{ channelId: 'ch-1', state: 'Established' }] }]);
    expect(acked.pending).toEqual([]);
    state = run([{ type: 'channel.state', ...channelKey, state: 'Terminated' }], state);
    expect(state.conversations[0]).toMatchObject({ state: 'ended', panes: [{ state: 'closed' }] });
  });

  it('numbers pane data, keeps only the latest, and ends a channel-only conversation with its last pane', () => {
    let state = run([{ type: 'channel.state', ...channelKey, state: 'Established' }]);
    const data: DesktopEvent[] = Array.from({ length: DESKTOP_LIMITS.paneData + 5 }, (_, i) => ({ type: 'channel.data', ...channelKey, contentType: 'text/plain', body: String(i) }));
    state = run(data, state);
    const pane = state.conversations[0]?.panes[0];
    expect(pane?.dataCount).toBe(DESKTOP_LIMITS.paneData + 5);
    expect(pane?.data).toHaveLength(DESKTOP_LIMITS.paneData);
    expect(pane?.data[0]).toMatchObject({ n: 6, body: '5' });
    state = run([{ type: 'channel.state', ...channelKey, state: 'Recovering' }], state);
    expect(state.conversations[0]?.panes[0]?.state).toBe('interrupted');
    state = run([{ type: 'channel.state', ...channelKey, state: 'Terminated' }], state);
    expect(state.conversations[0]).toMatchObject({ state: 'ended' });
  });

  it('keeps a pane that left its page closed, whatever its channels do, and tells the agent once', () => {
    let state = run([
      { type: 'channel.request', id: 'ch-1', ...channelKey, from: 'sip:app@lab.local', name: 'CRM context' },
      { type: 'channel.state', ...channelKey, state: 'Established' },
      { type: 'host.pane.ejected', conversationId: 'conv-1', appId: CRM.toLowerCase() },
    ]);
    expect(state.conversations[0]?.panes[0]).toMatchObject({ ejected: true, state: 'closed' });
    expect(state.conversations[0]?.history.at(-1)?.text).toBe('CRM context tried to leave its pane and was closed');
    expect(state.notices.at(-1)).toMatchObject({ level: 'warning', text: `CRM context tried to leave its pane and was closed (${CRM})` });
    state = run([{ type: 'channel.state', ...channelKey, state: 'Established' }, { type: 'host.pane.ejected', conversationId: 'conv-1', appId: CRM }], state);
    expect(state.conversations[0]?.panes[0]?.state).toBe('closed');
    expect(state.notices).toHaveLength(1);
    expect(run([{ type: 'host.pane.ejected', conversationId: 'conv-1', appId: CRM }])).toEqual(initialDesktopState());
    expect(desktopStateSchema.safeParse(state).success).toBe(true);
  });

  it('puts a channel inside the conference it names into that conversation', () => {
    const state = run([invitation, { type: 'invitation.accepted', id: 'inv-1', focusUri: FOCUS }, { type: 'channel.state', ...channelKey, state: 'Established' }]);
    expect(state.conversations).toHaveLength(1);
    expect(state.conversations[0]).toMatchObject({ kind: 'conference', panes: [{ appId: CRM }] });
  });

  it('collects dialogs per conversation once each, and reports install requests and missed invitations as notices', () => {
    const state = run([
      { type: 'dialog', conversationId: 'conv-1', callId: 'a', role: 'invitation', peer: 'x' },
      { type: 'dialog', conversationId: 'conv-1', callId: 'a', role: 'invitation', peer: 'x' },
      { type: 'dialog', conversationId: 'conv-1', callId: 'b', role: 'focus', peer: FOCUS },
      { type: 'channel.install', appId: CRM, name: 'CRM context', link: 'https://crm.example.org/install' },
      invitation,
      { type: 'invitation.cancelled', id: 'inv-1', focusUri: FOCUS, reason: 'timeout' },
    ]);
    expect(state.dialogs['conv-1']?.map((d) => d.role)).toEqual(['invitation', 'focus']);
    expect(state.notices.map((n) => n.level)).toEqual(['warning', 'warning']);
    expect(state.notices[0]).toMatchObject({ appId: CRM, link: 'https://crm.example.org/install' });
    expect(state.notices[1]?.text).toContain('not answered in time');
  });

  it('follows the registration: reconnecting with its reason, failed on auth, not-configured from the host', () => {
    let state = run([{ type: 'host.agent', state: 'starting', lab: false, server: 'ws://x', aor: 'sip:a@b' }, { type: 'registered', aor: 'sip:a@b', expires: 600 }]);
    expect(state.connection).toMatchObject({ phase: 'registered', aor: 'sip:a@b' });
    state = run([{ type: 'connection', state: 'reconnecting', server: 'ws://x', reason: 'socket closed', retryInMs: 500, attempt: 1 }], state);
    expect(state.connection).toMatchObject({ phase: 'reconnecting', reason: 'socket closed', retryInMs: 500 });
    state = run([{ type: 'error', code: 'auth-failed', message: 'wrong password' }], state);
    expect(state.connection).toMatchObject({ phase: 'failed', reason: 'wrong password' });
    expect(run([{ type: 'host.agent', state: 'not-configured', lab: false }]).connection.phase).toBe('not-configured');
  });

  it('changes only the areas an event is about, and gives back the same state when it is about none', () => {
    const before = run([invitation, { type: 'invitation.accepted', id: 'inv-1', focusUri: FOCUS }, { type: 'host.notice', level: 'info', text: 'hello' }]);
    for (const event of [{ type: 'host.trace', lastSeq: 3 }, { type: 'host.extensions' }, { type: 'channel.refused', appId: CRM, status: 404, reason: 'Not Found' }] satisfies DesktopEvent[]) {
      expect(reduceDesktop(before, event, 2000)).toBe(before);
    }
    const after = reduceDesktop(before, { type: 'dialog', conversationId: 'conv-1', callId: 'a', role: 'focus', peer: FOCUS }, 2000);
    expect(after.dialogs).toEqual({ 'conv-1': [{ callId: 'a', role: 'focus', peer: FOCUS }] });
    expect([after.connection, after.pending, after.conversations, after.notices]).toEqual([before.connection, before.pending, before.conversations, before.notices]);
    expect(after.conversations).toBe(before.conversations);
    expect(after.notices).toBe(before.notices);
  });

  it('fails the sign-in and tells the agent in one step, and only reports an error that leaves it signed in', () => {
    const registered = run([{ type: 'registered', aor: 'sip:a@b', expires: 600 }]);
    const failed = reduceDesktop(registered, { type: 'error', code: 'registration-failed', message: '403 Forbidden' }, 2000);
    expect(failed.connection).toEqual({ lab: false, aor: 'sip:a@b', phase: 'failed', reason: '403 Forbidden' });
    expect(failed.notices).toEqual([{ n: 1, at: 2000, level: 'error', text: '403 Forbidden' }]);
    const reported = reduceDesktop(registered, { type: 'error', code: 'conference-failed', message: 'no focus' }, 2000);
    expect(reported.connection).toBe(registered.connection);
    expect(reported.noticeCount).toBe(1);
  });

  it('keeps at most the configured number of conversations, dropping the oldest ended ones', () => {
    const events: DesktopEvent[] = [];
    for (let i = 0; i < DESKTOP_LIMITS.conversations + 10; i += 1) {
      const key = { appId: CRM, conversationId: `c${i}`, channelId: `ch${i}` };
      events.push({ type: 'channel.state', ...key, state: 'Established' }, { type: 'channel.state', ...key, state: 'Terminated' });
    }
    const state = run(events);
    expect(state.conversations).toHaveLength(DESKTOP_LIMITS.conversations);
    expect(state.conversations[0]?.id).toBe(`c${DESKTOP_LIMITS.conversations + 9}`);
  });
});

describe('presence area', () => {
  it('keeps our own publication apart from the watched contacts, and forgets an unwatched one', () => {
    let state = initialDesktopState();
    state = reduceDesktop(state, { type: 'host.agent', state: 'starting', server: 'ws://x', aor: 'sip:me@lab.local', lab: false }, 1);
    state = reduceDesktop(state, { type: 'host.watch', aor: 'sip:sup@lab.local', watching: true }, 2);
    expect(state.presence.contacts).toEqual([{ aor: 'sip:sup@lab.local', availability: 'unknown' }]);
    state = reduceDesktop(state, { type: 'presence', aor: 'sip:ME@lab.local', availability: 'busy', note: 'x' }, 3);
    state = reduceDesktop(state, { type: 'presence', aor: 'sip:sup@lab.local', availability: 'away' }, 4);
    state = reduceDesktop(state, { type: 'presence', aor: 'sip:stranger@lab.local', availability: 'away' }, 5);
    expect(state.presence).toEqual({ self: { aor: 'sip:ME@lab.local', availability: 'busy', note: 'x' }, contacts: [{ aor: 'sip:sup@lab.local', availability: 'away' }] });
    const again = reduceDesktop(state, { type: 'host.watch', aor: 'sip:SUP@lab.local', watching: true }, 6);
    expect(again).toBe(state);
    state = reduceDesktop(state, { type: 'host.watch', aor: 'sip:sup@lab.local', watching: false }, 7);
    expect(state.presence.contacts).toEqual([]);
  });
});

describe('chat toasts', () => {
  it('toasts the first message of a chat someone else starts, not a reply to ours', () => {
    let state = initialDesktopState();
    state = reduceDesktop(state, { type: 'im', conversationId: 'c1', peer: 'sip:bob@lab.local', from: 'sip:bob@lab.local', contentType: 'text/plain', text: 'hi', messageId: 'm1' }, 1);
    expect(state.pending.map((p) => [p.kind, p.conversationId, p.toast])).toEqual([['im', 'c1', 'hi']]);
    state = reduceDesktop(state, { type: 'host.im.read', conversationId: 'c1' }, 2);
    expect(state.pending).toEqual([]);
    state = reduceDesktop(state, { type: 'im', conversationId: 'c2', peer: 'sip:eve@lab.local', from: 'sip:me@lab.local', contentType: 'text/plain', text: 'q', messageId: 'm2', outgoing: true }, 3);
    state = reduceDesktop(state, { type: 'im', conversationId: 'c2', peer: 'sip:eve@lab.local', from: 'sip:eve@lab.local', contentType: 'text/plain', text: 'a', messageId: 'm3' }, 4);
    expect(state.pending).toEqual([]);
    expect(state.conversations.find((c) => c.id === 'c2')?.chat?.unread).toBe(1);
  });
});
