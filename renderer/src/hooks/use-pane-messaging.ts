import { useEffect, useLayoutEffect, useRef, type RefObject } from 'react';
import type { ExtensionInfo } from '../../../common/bridge';
import type { Conversation, PaneData, PaneState } from '../../../common/desktop-state';
import { PANE_PROTOCOL, paneToHostSchema, type HostToPane, type PaneToHost } from '../../../common/pane-protocol';
import type { DesktopStore } from '../bridge/desktop-store';
import { useDesktopStore } from '../store-context';

/** The pane the frame shows, and whether the window speaks with it. */
export type PaneMessagingTarget = {
  readonly conversation: Conversation;
  readonly pane: PaneState;
  readonly extension: ExtensionInfo;
  /** The pane shows in the window's iframe (not in a view the Electron host placed). */
  readonly listening: boolean;
  /** The iframe (see `usePaneElement`). */
  readonly frame: RefObject<HTMLIFrameElement | null>;
  /** The frame came from the window's pool after saying hello: it waits for its init now. */
  readonly helloSeen: RefObject<boolean>;
};

const paneStateFor = (pane: PaneState): 'open' | 'interrupted' | 'closed' => (pane.state === 'opening' ? 'open' : pane.state);

function conversationFor(conversation: Conversation): Extract<HostToPane, { kind: 'conversation' }>['conversation'] {
  return {
    id: conversation.id,
    ...(conversation.subject !== '' && { subject: conversation.subject }),
    participants: conversation.roster.map((u) => ({ uri: u.entity, ...(u.displayText !== undefined && { displayName: u.displayText }), self: u.self })),
  };
}

/** The answer to a pane's `hello`: who it is, its context, the conversation and the channel's state. */
function initFor(conversation: Conversation, pane: PaneState, extension: ExtensionInfo): HostToPane {
  return {
    protocol: PANE_PROTOCOL,
    kind: 'init',
    appId: pane.appId,
    size: extension.size,
    permissions: extension.permissions,
    initialContext: {
      channelId: pane.context?.channelId ?? pane.channels[0]?.channelId ?? '',
      ...(pane.context?.data !== undefined && { data: pane.context.data }),
      ...(pane.context?.simpleLink !== undefined && { simpleLink: pane.context.simpleLink }),
    },
    conversation: conversationFor(conversation),
    state: paneStateFor(pane),
  };
}

/** Sends what the pane asked to send over its channel, and words the outcome for the pane. */
async function sendForPane(store: DesktopStore, conversation: Conversation, pane: PaneState, message: Extract<PaneToHost, { kind: 'send' }>): Promise<HostToPane> {
  const sent = { protocol: PANE_PROTOCOL, kind: 'sent', requestId: message.requestId } as const;
  try {
    const outcome = await store.call('pane.send', {
      appId: pane.appId,
      conversationId: conversation.id,
      ...(message.channelId !== undefined && { channelId: message.channelId }),
      contentType: message.contentType,
      body: message.body,
    });
    return { ...sent, ok: outcome.ok, status: outcome.status, reason: outcome.reason };
  } catch (error) {
    return { ...sent, ok: false, reason: 'not-sent', message: (error as Error).message };
  }
}

/** Gives the frame each data item after the last one it was given, in order; nothing before its hello. */
function deliverNewData(delivered: RefObject<number | undefined>, data: readonly PaneData[], post: (message: HostToPane) => void): void {
  const seen = delivered.current;
  if (seen === undefined) {
    return;
  }
  for (const item of data) {
    if (item.n > seen) {
      post({ protocol: PANE_PROTOCOL, kind: 'data', channelId: item.channelId, contentType: item.contentType, body: item.body });
      delivered.current = item.n;
    }
  }
}

/**
 * After the pane's hello, tells it when the conversation (its roster, its subject) or the
 * channel ids change, each once, as the Electron host's pane link does: a pane that lists the
 * participants (the contact center's "Remove" buttons) follows who comes and goes.
 */
function useConversationUpdates(conversation: Conversation, pane: PaneState, delivered: RefObject<number | undefined>, post: (message: HostToPane) => void): void {
  const lastSent = useRef<{ conversation?: string; channels?: string }>({});
  const view = conversationFor(conversation);
  const viewKey = JSON.stringify(view);
  const channelIds = pane.channels.filter((c) => c.state !== 'Terminated' && c.state !== 'Terminating').map((c) => c.channelId);
  const channelsKey = JSON.stringify(channelIds);
  useEffect(() => {
    if (delivered.current === undefined) {
      // The init at hello carries the conversation; updates start from there.
      lastSent.current = { conversation: viewKey, channels: channelsKey };
      return;
    }
    if (viewKey !== lastSent.current.conversation) {
      lastSent.current.conversation = viewKey;
      post({ protocol: PANE_PROTOCOL, kind: 'conversation', conversation: view });
    }
    if (channelIds.length > 0 && channelsKey !== lastSent.current.channels) {
      lastSent.current.channels = channelsKey;
      post({ protocol: PANE_PROTOCOL, kind: 'channels', channelIds });
    }
  }, [viewKey, channelsKey]);
}

/**
 * Hears the pane protocol from `frame` alone, with the expected origin, while `listening`; drops
 * anything else. A layout effect, in the same commit as the frame is put in place, so no
 * message of the frame can come before the listener; a frame that said hello to the pool
 * before it was taken is answered as if it had said it now.
 */
function useMessagesFrom(
  frame: RefObject<HTMLIFrameElement | null>,
  helloSeen: RefObject<boolean>,
  expectedOrigin: string,
  listening: boolean,
  onMessage: (message: PaneToHost) => void,
): void {
  useLayoutEffect(() => {
    if (!listening) {
      return undefined;
    }
    if (helloSeen.current) {
      helloSeen.current = false;
      onMessage({ protocol: PANE_PROTOCOL, kind: 'hello' });
    }
    const onWindowMessage = (event: MessageEvent): void => {
      if (!frame.current || event.source !== frame.current.contentWindow || event.origin !== expectedOrigin) {
        return;
      }
      const parsed = paneToHostSchema.safeParse(event.data);
      if (parsed.success) {
        onMessage(parsed.data);
      }
    };
    window.addEventListener('message', onWindowMessage);
    return () => window.removeEventListener('message', onWindowMessage);
  }, [listening, expectedOrigin]);
}

/**
 * Answers a `hello` with the init once the pane's initial context is known (the host reports it
 * as it answers the channel's INVITE): a page loaded ahead (the window's pool) says hello
 * before its channel has even been answered.
 * @returns what to call on each hello.
 */
function useInitOnHello(pane: PaneState, latest: RefObject<{ pane: PaneState }>, sendInit: () => void): () => void {
  const waiting = useRef(false);
  const send = useRef(sendInit);
  send.current = sendInit;
  const attempt = (): void => {
    if (waiting.current && latest.current.pane.context !== undefined) {
      waiting.current = false;
      send.current();
    }
  };
  useEffect(attempt, [pane.context]);
  return () => {
    waiting.current = true;
    attempt();
  };
}

/**
 * Browser host: speaks `switchboard-pane/1` with the pane's iframe (sandboxed to scripts only,
 * so an opaque origin with no access to our storage, cookies, bridge or other panes). A message
 * is heard only when it comes from that very frame with the expected origin; the pane gets its
 * `init` on `hello` once its context is known, then the channel's data, in order and once each, and its state changes.
 */
export function usePaneMessaging({ conversation, pane, extension, listening, frame, helloSeen }: PaneMessagingTarget): void {
  const store = useDesktopStore();
  // The number of the last data item the frame was given; undefined until it said hello.
  const delivered = useRef<number | undefined>(undefined);
  const latest = useRef({ conversation, pane });
  latest.current = { conversation, pane };
  const remote = /^https:/i.test(extension.entry);
  const expectedOrigin = remote ? new URL(extension.entry).origin : 'null';
  // An opaque-origin frame can only be addressed with '*'; the frame object itself is the check.
  const post = (message: HostToPane): void => frame.current?.contentWindow?.postMessage(message, remote ? expectedOrigin : '*');
  const deliverData = (): void => deliverNewData(delivered, latest.current.pane.data, post);

  const onHello = useInitOnHello(pane, latest, () => {
    const { conversation: c, pane: p } = latest.current;
    post(initFor(c, p, extension));
    // A reloaded pane starts over: it gets the data the window still holds.
    delivered.current = 0;
    deliverData();
  });

  useMessagesFrom(frame, helloSeen, expectedOrigin, listening, (message) => {
    const { conversation: c, pane: p } = latest.current;
    switch (message.kind) {
      case 'hello':
        delivered.current = undefined;
        onHello();
        return;
      case 'send':
        void sendForPane(store, c, p, message).then(post);
        return;
      case 'close':
        void store.call('pane.close', { appId: p.appId, conversationId: c.id }).catch(() => undefined);
        return;
      case 'standby':
        // Only the pool's spares are told standby; this frame answers it after being taken. Nothing to do.
        return;
    }
  });
  useEffect(deliverData, [pane.data]);
  useConversationUpdates(conversation, pane, delivered, post);
  useEffect(() => {
    if (delivered.current !== undefined) {
      post({ protocol: PANE_PROTOCOL, kind: 'state', state: paneStateFor(pane) });
    }
  }, [pane.state]);
}
