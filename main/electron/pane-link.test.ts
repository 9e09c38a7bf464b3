import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BridgeResponse } from '../../common/bridge';
import { initialDesktopState, reduceDesktop, type DesktopEvent, type DesktopState } from '../../common/desktop-state';
import { PANE_PROTOCOL, type HostToPane } from '../../common/pane-protocol';
import { PaneLink } from './pane-link';

const APP = '{8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01}';
const CONV = 'conv-1';
const key = { appId: APP.slice(1, -1).toLowerCase(), conversationId: CONV, channelId: 'ch-1' };

/** A desktop state fed by events, and a link over it that records what it posts. */
function harness(options: { initWaitMs?: number; answer?: (method: string, params: Record<string, unknown>) => BridgeResponse } = {}) {
  let state: DesktopState = initialDesktopState();
  let seq = 0;
  const posted: HostToPane[] = [];
  const requests: { method: string; params: Record<string, unknown> }[] = [];
  const link = new PaneLink({
    appId: APP,
    conversationId: CONV,
    extension: { size: 'medium', permissions: ['clipboard-write'] },
    post: (message) => posted.push(message),
    request: (method, params) => {
      requests.push({ method, params });
      return Promise.resolve(options.answer?.(method, params) ?? { ok: true, result: {} });
    },
    state: () => state,
    initWaitMs: options.initWaitMs ?? 1000,
  });
  const emit = (event: DesktopEvent): void => {
    seq += 1;
    state = reduceDesktop(state, event, 1000 + seq);
    link.update();
  };
  const hello = (): void => link.receive({ protocol: PANE_PROTOCOL, kind: 'hello' });
  return { link, posted, requests, emit, hello };
}

const open = (h: ReturnType<typeof harness>, state: 'Establishing' | 'Established' = 'Established'): void => {
  h.emit({ type: 'channel.state', ...key, state });
  h.emit({ type: 'channel.context', ...key, data: '{"name":"Ada"}' });
};

afterEach(() => {
  vi.useRealTimers();
});

describe('PaneLink', () => {
  it('answers hello with init built from the desktop state, then forwards data', () => {
    const h = harness();
    open(h);
    h.hello();
    expect(h.posted[0]).toMatchObject({
      protocol: PANE_PROTOCOL,
      kind: 'init',
      appId: APP,
      size: 'medium',
      permissions: ['clipboard-write'],
      initialContext: { channelId: 'ch-1', data: '{"name":"Ada"}' },
      conversation: { id: CONV, participants: [] },
      state: 'open',
    });
    h.emit({ type: 'channel.data', ...key, contentType: 'application/json', body: '{"n":1}' });
    h.emit({ type: 'channel.data', ...key, appId: '{0F0E0D0C-0B0A-4998-8877-665544332211}', contentType: 'text/plain', body: 'not ours' });
    expect(h.posted.slice(1)).toEqual([{ protocol: PANE_PROTOCOL, kind: 'data', channelId: 'ch-1', contentType: 'application/json', body: '{"n":1}' }]);
  });

  it('replays the data that arrived before the page said hello, once, in order', () => {
    const h = harness();
    open(h);
    h.emit({ type: 'channel.data', ...key, contentType: 'text/plain', body: 'first' });
    h.emit({ type: 'channel.data', ...key, contentType: 'text/plain', body: 'second' });
    h.hello();
    h.emit({ type: 'channel.data', ...key, contentType: 'text/plain', body: 'third' });
    expect(h.posted.filter((m) => m.kind === 'data').map((m) => (m.kind === 'data' ? m.body : ''))).toEqual(['first', 'second', 'third']);
    // A reloaded page says hello again and gets everything again.
    h.hello();
    expect(h.posted.filter((m) => m.kind === 'data').length).toBe(6);
  });

  it('holds init while the channel is being established, keeping data that arrives meanwhile', () => {
    vi.useFakeTimers();
    const h = harness();
    open(h, 'Establishing');
    h.hello();
    expect(h.posted).toEqual([]);
    h.emit({ type: 'channel.data', ...key, contentType: 'text/plain', body: 'early' });
    h.emit({ type: 'channel.state', ...key, state: 'Established' });
    expect(h.posted.map((m) => m.kind)).toEqual(['init', 'data']);
    expect(h.posted[0]).toMatchObject({ state: 'open' });
  });

  it('stops waiting for the channel before the SDK gives up on hello', () => {
    vi.useFakeTimers();
    const h = harness({ initWaitMs: 1000 });
    open(h, 'Establishing');
    h.hello();
    vi.advanceTimersByTime(1000);
    expect(h.posted[0]).toMatchObject({ kind: 'init', state: 'interrupted' });
    h.emit({ type: 'channel.state', ...key, state: 'Established' });
    expect(h.posted.at(-1)).toEqual({ protocol: PANE_PROTOCOL, kind: 'state', state: 'open' });
  });

  it('reports channels, state changes and the closing reason', () => {
    const h = harness();
    open(h);
    h.hello();
    h.emit({ type: 'channel.state', ...key, channelId: 'ch-2', state: 'Established' });
    expect(h.posted.at(-1)).toEqual({ protocol: PANE_PROTOCOL, kind: 'channels', channelIds: ['ch-1', 'ch-2'] });
    h.emit({ type: 'channel.state', ...key, state: 'Terminated' });
    h.emit({ type: 'channel.state', ...key, channelId: 'ch-2', state: 'Terminated' });
    expect(h.posted.at(-1)).toEqual({ protocol: PANE_PROTOCOL, kind: 'state', state: 'closed', reason: 'bye' });
  });

  it('says conversation-ended when the conference ends under the pane', () => {
    const h = harness();
    h.emit({ type: 'invitation', id: 'inv-1', from: 'sip:app@lab.local', conversationId: CONV, subject: 'Escalation', focusUri: 'sip:focus@lab.local', audio: true, im: false });
    h.emit({ type: 'invitation.accepted', id: 'inv-1', focusUri: 'sip:focus@lab.local' });
    h.emit({ type: 'conference.joined', focusUri: 'sip:focus@lab.local', conversationId: CONV });
    open(h);
    h.hello();
    expect(h.posted[0]).toMatchObject({ kind: 'init', conversation: { id: CONV, subject: 'Escalation' }, state: 'open' });
    h.emit({ type: 'conference.left', focusUri: 'sip:focus@lab.local', reason: 'bye' });
    expect(h.posted.at(-1)).toEqual({ protocol: PANE_PROTOCOL, kind: 'state', state: 'closed', reason: 'conversation-ended' });
  });

  it('carries a send to pane.send and answers with its outcome', async () => {
    const h = harness({ answer: () => ({ ok: true, result: { ok: false, status: 415, reason: 'Unsupported Media Type', seq: 1 } }) });
    open(h);
    h.hello();
    h.link.receive({ protocol: PANE_PROTOCOL, kind: 'send', requestId: 7, contentType: 'text/plain', body: 'hi' });
    await vi.waitFor(() => expect(h.posted.at(-1)).toMatchObject({ kind: 'sent', requestId: 7 }));
    expect(h.requests).toEqual([{ method: 'pane.send', params: { appId: APP, conversationId: CONV, contentType: 'text/plain', body: 'hi' } }]);
    expect(h.posted.at(-1)).toEqual({ protocol: PANE_PROTOCOL, kind: 'sent', requestId: 7, ok: false, reason: 'rejected', status: 415, message: '415 Unsupported Media Type' });
  });

  it('refuses what the pane API promises never to send, without asking the session', () => {
    const h = harness();
    open(h);
    h.hello();
    h.link.receive({ protocol: PANE_PROTOCOL, kind: 'send', requestId: 1, contentType: 'no type', body: 'x' });
    h.link.receive({ protocol: PANE_PROTOCOL, kind: 'send', requestId: 2, contentType: 'text/plain', body: 'x'.repeat(64_001) });
    h.link.receive({ protocol: PANE_PROTOCOL, kind: 'send', requestId: 3, contentType: 'text/plain', body: 'x'.repeat(70_000) });
    expect(h.requests).toEqual([]);
    expect(h.posted.filter((m) => m.kind === 'sent').map((m) => (m.kind === 'sent' ? [m.requestId, m.reason] : []))).toEqual([
      [1, 'bad-content-type'],
      [2, 'too-large'],
      [3, 'too-large'],
    ]);
  });

  it('ignores what is not the protocol, and carries close', () => {
    const h = harness();
    open(h);
    h.link.receive({ protocol: 'other', kind: 'hello' });
    h.link.receive('hello');
    expect(h.posted).toEqual([]);
    h.link.receive({ protocol: PANE_PROTOCOL, kind: 'close' });
    expect(h.requests).toEqual([{ method: 'pane.close', params: { appId: APP, conversationId: CONV } }]);
  });
});
