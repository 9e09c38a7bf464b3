import { useCallback } from 'react';
import type { Pending } from '../../../common/desktop-state';
import { useDesktopStore, useDesktopView } from '../store-context';

/** The toasts: what waits for the agent now, oldest first, and the agent's answer to one of them. */
export type PendingRequests = {
  readonly pending: readonly Pending[];
  /**
   * Accepts or declines an invitation, channel request or call (Accept answers it, Decline
   * refuses it with 603). For the first message of a chat
   * (`im`), Accept opens its conversation and Decline dismisses it; both mark it read, which
   * takes the toast away. Rejects with the host's reason.
   */
  readonly answer: (item: Pending, accept: boolean) => Promise<void>;
};

/**
 * Pending invitations, channel requests, calls and first messages, and a way to answer them, for the
 * toast cards and their keyboard shortcuts alike.
 * @param openConversation - shows a conversation (its own window, or in place in the browser host)
 */
export function usePending(openConversation: (conversationId: string) => void): PendingRequests {
  const store = useDesktopStore();
  const pending = useDesktopView().state?.pending ?? [];
  const answer = useCallback(
    async (item: Pending, accept: boolean): Promise<void> => {
      if (item.kind === 'call') {
        // The call's conversation opens by itself once it is answered (it is the newest).
        await store.call(accept ? 'call.answer' : 'call.decline', { id: item.id });
        return;
      }
      if (item.kind !== 'im') {
        await store.call(accept ? 'agent.accept' : 'agent.decline', { id: item.id });
        return;
      }
      if (accept) {
        openConversation(item.conversationId);
      }
      await store.call('im.read', { conversationId: item.conversationId });
    },
    [store, openConversation],
  );
  return { pending, answer };
}
