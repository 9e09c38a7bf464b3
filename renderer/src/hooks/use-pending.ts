import { useCallback } from 'react';
import type { Pending } from '../../../common/desktop-state';
import { useDesktopStore, useDesktopView } from '../store-context';

/** The toasts: what rings now, oldest first, and the agent's answer to one of them. */
export type PendingRequests = {
  readonly pending: readonly Pending[];
  /** Accepts or declines an invitation or channel request; rejects with the host's reason. */
  readonly answer: (id: string, accept: boolean) => Promise<void>;
};

/**
 * Pending invitations and channel requests and a way to answer them, for the toast cards and
 * their keyboard shortcuts alike.
 */
export function usePending(): PendingRequests {
  const store = useDesktopStore();
  const pending = useDesktopView().state?.pending ?? [];
  const answer = useCallback(async (id: string, accept: boolean): Promise<void> => {
    await store.call(accept ? 'agent.accept' : 'agent.decline', { id });
  }, [store]);
  return { pending, answer };
}
