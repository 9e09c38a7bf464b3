import { describe, expect, it, vi } from 'vitest';
import { PANE_PROTOCOL, type HostToPane, type PaneToHost } from '../../common/pane-protocol';
import { connectPane, type PaneWindow } from './pane-sdk';

/** A pane window whose parent records what the pane posts and can post back. */
function fakeWindow() {
  const posted: PaneToHost[] = [];
  const listeners = new Set<(event: { data: unknown; source: unknown }) => void>();
  const parent = { postMessage: (message: unknown) => posted.push(message as PaneToHost) };
  const win: PaneWindow = {
    parent,
    addEventListener: (_type, listener) => listeners.add(listener),
    removeEventListener: (_type, listener) => listeners.delete(listener),
  };
  const fromParent = (data: HostToPane | Record<string, unknown>, source: unknown = parent) => listeners.forEach((l) => l({ data, source }));
  return { win, posted, fromParent, parent };
}

const init: HostToPane = {
  protocol: PANE_PROTOCOL,
  kind: 'init',
  appId: '{8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01}',
  size: 'medium',
  permissions: [],
  initialContext: { channelId: 'ch-1', data: '{"name":"Ada"}' },
  conversation: { id: 'conv-1', subject: 'Help', participants: [{ uri: 'sip:agent@lab.local', self: true }] },
  state: 'open',
};

describe('pane SDK', () => {
  it('says hello, takes only the parent init, and exposes the initial context and conversation', async () => {
    const { win, posted, fromParent } = fakeWindow();
    const connecting = connectPane({ window: win, timeoutMs: 1000 });
    expect(posted).toEqual([{ protocol: PANE_PROTOCOL, kind: 'hello' }]);
    fromParent({ ...init, appId: 'spoofed' }, { notTheParent: true });
    fromParent({ protocol: 'something-else', kind: 'init' });
    fromParent(init);
    const pane = await connecting;
    expect(pane.appId).toBe(init.kind === 'init' ? init.appId : '');
    expect(pane.initialContext).toEqual({ channelId: 'ch-1', data: '{"name":"Ada"}', simpleLink: undefined });
    expect(pane.conversation.subject).toBe('Help');
  });

  it('on standby (a page loaded ahead of its channel) answers standby and waits for its init past the timeout', async () => {
    vi.useFakeTimers();
    try {
      const { win, posted, fromParent } = fakeWindow();
      let settled = 'pending';
      const connecting = connectPane({ window: win, timeoutMs: 1000 });
      connecting.then(() => (settled = 'resolved'), () => (settled = 'rejected'));
      // Not from the parent: ignored, so the timeout still applies until the parent says standby.
      fromParent({ protocol: PANE_PROTOCOL, kind: 'standby' }, { notTheParent: true });
      expect(posted).toEqual([{ protocol: PANE_PROTOCOL, kind: 'hello' }]);
      fromParent({ protocol: PANE_PROTOCOL, kind: 'standby' });
      expect(posted.at(-1)).toEqual({ protocol: PANE_PROTOCOL, kind: 'standby' });
      await vi.advanceTimersByTimeAsync(60_000);
      expect(settled).toBe('pending');
      fromParent(init);
      const pane = await connecting;
      expect(pane.initialContext.channelId).toBe('ch-1');
    } finally {
      vi.useRealTimers();
    }
  });

  it('without standby, gives up when the host does not answer its hello in time', async () => {
    const { win } = fakeWindow();
    await expect(connectPane({ window: win, timeoutMs: 20 })).rejects.toThrow(/no answer from the Switchboard host/);
  });

  it('delivers data, sends with an outcome, reports state, and refuses to send once closed', async () => {
    const { win, posted, fromParent } = fakeWindow();
    const connecting = connectPane({ window: win, timeoutMs: 1000 });
    fromParent(init);
    const pane = await connecting;
    const got: string[] = [];
    pane.onData((d) => got.push(`${d.channelId}:${d.body}`));
    fromParent({ protocol: PANE_PROTOCOL, kind: 'data', channelId: 'ch-1', contentType: 'text/plain', body: 'hi' });
    expect(got).toEqual(['ch-1:hi']);

    const sending = pane.sendData('application/json', '{"notes":"x"}', { channelId: 'ch-1' });
    const request = posted.at(-1);
    expect(request).toMatchObject({ kind: 'send', contentType: 'application/json', channelId: 'ch-1' });
    fromParent({ protocol: PANE_PROTOCOL, kind: 'sent', requestId: request?.kind === 'send' ? request.requestId : -1, ok: true });
    expect(await sending).toEqual({ ok: true });

    const failing = pane.sendData('text/plain', 'x');
    const second = posted.at(-1);
    fromParent({ protocol: PANE_PROTOCOL, kind: 'sent', requestId: second?.kind === 'send' ? second.requestId : -1, ok: false, reason: 'offline', status: 503, message: 'recovering' });
    expect(await failing).toEqual({ ok: false, reason: 'offline', status: 503, message: 'recovering' });

    const changes: string[] = [];
    pane.onStateChange((c) => changes.push(c.kind === 'state' ? c.state : c.kind));
    fromParent({ protocol: PANE_PROTOCOL, kind: 'state', state: 'closed', reason: 'bye' });
    expect(changes).toEqual(['closed']);
    expect(await pane.sendData('text/plain', 'late')).toMatchObject({ ok: false, reason: 'closed' });
  });

  it('gives up with a clear error when no host answers', async () => {
    const { win } = fakeWindow();
    await expect(connectPane({ window: win, timeoutMs: 20 })).rejects.toThrow(/inside a pane/);
  });
});
