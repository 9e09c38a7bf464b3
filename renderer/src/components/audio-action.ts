import type { Conversation } from '../../../common/desktop-state';

/**
 * What the conference's audio line offers: `join` while the conference was joined without audio
 * (its invitation offered none: media `none`), `reconnect` once audio failed or the MCU hung up;
 * nothing while audio is up or connecting, or once the conference ended. Both dial the A/V MCU
 * (`conference.reconnectAudio`).
 */
export function audioAction(conversation: Conversation): 'join' | 'reconnect' | undefined {
  const state = conversation.media?.state;
  if (conversation.state !== 'active' || conversation.restored === true || state === undefined) {
    return undefined;
  }
  if (state === 'none') {
    return 'join';
  }
  return state === 'failed' || state === 'closed' ? 'reconnect' : undefined;
}
