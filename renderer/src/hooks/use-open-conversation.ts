import { useCallback } from 'react';
import { useDesktopStore } from '../store-context';

/**
 * Electron: asks the host to open (or bring forward) a conversation's own window. The browser
 * host has no windows of its own and shows the conversation beside the list instead.
 */
export function useOpenConversation(): (conversationId: string) => void {
  const store = useDesktopStore();
  return useCallback((conversationId: string) => void store.call('window.openConversation', { conversationId }).catch(() => undefined), [store]);
}
