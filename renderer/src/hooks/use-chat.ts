import { useCallback, useEffect, useMemo } from 'react';
import { TypingNotifier } from '../chat/typing-notifier';
import { useDesktopStore } from '../store-context';
import { usePageVisible } from './use-page-visible';

/** What the agent can do in one conversation's chat. */
export type ChatActions = {
  /** Sends a message into the conversation; rejects with the host's reason. Typing stops. */
  readonly send: (text: string) => Promise<void>;
  /** The message box changed (`text` is what it holds now): typing notices follow, throttled. */
  readonly edited: (text: string) => void;
};

/**
 * Sending into a conversation's chat, and the typing notices of its message box (two-party
 * conversations only: a conference chat carries none, open question 22). "Typing" is said
 * while the agent types and "stopped" after a send or 5 s without an edit.
 * @param twoParty - whether the conversation is a two-party chat (typing notices are sent)
 */
export function useChat(conversationId: string, twoParty: boolean): ChatActions {
  const store = useDesktopStore();
  const notifier = useMemo(
    () => new TypingNotifier((typing) => void store.call('im.typing', { conversationId, typing }).catch(() => undefined)),
    [store, conversationId],
  );
  useEffect(() => () => notifier.stop(), [notifier]);
  const send = useCallback(
    async (text: string): Promise<void> => {
      try {
        await store.call('im.send', { conversationId, text });
      } finally {
        notifier.stop();
      }
    },
    [store, conversationId, notifier],
  );
  const edited = useCallback(
    (text: string): void => {
      if (twoParty) {
        notifier.edited(text);
      }
    },
    [notifier, twoParty],
  );
  return { send, edited };
}

/**
 * Marks a conversation's chat read while the agent can see it: the page visible, the chat
 * shown, and something unread (the host sets the count back to 0 and drops its toast).
 */
export function useReadWhileShown(conversationId: string, unread: number, shown: boolean): void {
  const store = useDesktopStore();
  const visible = usePageVisible();
  useEffect(() => {
    if (shown && visible && unread > 0) {
      void store.call('im.read', { conversationId }).catch(() => undefined);
    }
  }, [store, conversationId, unread, shown, visible]);
}

/**
 * Starts a chat: sends the first message to a SIP address and resolves with the conversation
 * it opened (the host makes it, or finds the one already open with that peer).
 */
export function useStartChat(): (to: string, text: string) => Promise<string> {
  const store = useDesktopStore();
  return useCallback(async (to, text) => (await store.call('im.send', { to, text })).conversationId, [store]);
}
