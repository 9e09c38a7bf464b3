import { useState } from 'react';
import type { Conversation } from '../../../common/desktop-state';
import { useDesktopStore } from '../store-context';

/** What the agent can do in a conversation, and why the last attempt failed. */
export type ConversationActions = {
  /** The last action's failure in the host's words; cleared when the next one starts. */
  readonly error: string | undefined;
  readonly mute: (focusUri: string, muted: boolean) => void;
  readonly leave: (focusUri: string) => void;
  /** Dials the conference's audio again after it failed or the MCU hung up. */
  readonly reconnectAudio: (focusUri: string) => void;
  /** Closes every pane: a conversation made only of channels ends with its last pane. */
  readonly closePanes: (conversation: Conversation) => void;
};

/**
 * The conversation window's buttons: mute, leave, reconnect the audio, end a channel-only
 * conversation. They only start the action: what it did comes back as state, so the window
 * keeps just the failure to show.
 */
export function useConversationActions(): ConversationActions {
  const store = useDesktopStore();
  const [error, setError] = useState<string | undefined>();
  const run = (work: Promise<unknown>): void => {
    setError(undefined);
    work.catch((e: Error) => setError(e.message));
  };
  return {
    error,
    mute: (focusUri, muted) => run(store.call('conference.mute', { focusUri, muted })),
    leave: (focusUri) => run(store.call('conference.leave', { focusUri })),
    reconnectAudio: (focusUri) => run(store.call('conference.reconnectAudio', { focusUri })),
    closePanes: (conversation) => run(Promise.all(conversation.panes.map((p) => store.call('pane.close', { appId: p.appId, conversationId: conversation.id })))),
  };
}
