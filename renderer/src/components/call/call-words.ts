import type { CallView } from '../../../../common/desktop-calls';
import type { Conversation } from '../../../../common/desktop-state';
import { levelBucket } from '../audio-level';

/** A call's state in the agent's words (the duration is shown beside "Connected"). */
export function callStateText(call: Pick<CallView, 'state' | 'reason' | 'outgoing'>): string {
  switch (call.state) {
    case 'dialing':
      return 'Connecting';
    case 'ringing':
      return call.outgoing ? 'Ringing' : 'Ringing for you';
    case 'connected':
      return 'Connected';
    case 'held':
      return 'On hold';
    case 'remote-held':
      return 'Held by the other side';
    case 'ended':
      return call.reason !== undefined ? `Ended: ${call.reason}` : 'Ended';
  }
}

/** The state badge's colour: green while talking, orange on hold either way, grey once over. */
export function callStateColor(call: Pick<CallView, 'state'>): 'success' | 'warning' | 'informative' | 'subtle' {
  switch (call.state) {
    case 'connected':
      return 'success';
    case 'held':
    case 'remote-held':
      return 'warning';
    case 'ended':
      return 'subtle';
    default:
      return 'informative';
  }
}

/** Whether the call is up (connected, or on hold either way): what Hold, Keypad and Transfer need. */
export const isUp = (call: Pick<CallView, 'state'>): boolean => call.state === 'connected' || call.state === 'held' || call.state === 'remote-held';

/**
 * The calls a conversation window shows: the live ones, or, once all have ended, the last one
 * (with its reason), so the agent sees how it ended.
 */
export function shownCalls(conversation: Conversation): CallView[] {
  const calls = conversation.calls ?? [];
  const live = calls.filter((c) => c.state !== 'ended');
  const last = calls.at(-1);
  return live.length > 0 ? live : last !== undefined ? [last] : [];
}

/** The incoming-audio meter's bucket for a call, or undefined while its audio is not up or its level unknown. */
export function callBucket(call: CallView): number | undefined {
  const { media } = call;
  if (!isUp(call) || media?.level === undefined || (media.state !== 'connected' && media.state !== 'interrupted')) {
    return undefined;
  }
  return levelBucket(media.level);
}

/** The other calls of the agent that a call can be transferred to (consultative: connected or held, RFC 5589). */
export function consultCandidates(conversations: readonly Conversation[], callId: string): CallView[] {
  return conversations.flatMap((c) => c.calls ?? []).filter((k) => k.id !== callId && isUp(k));
}

/** What a transfer under way (or just finished) says, and whether it is bad news. */
export function transferText(transfer: NonNullable<CallView['transfer']>): { text: string; failed: boolean } {
  const to = transfer.to.replace(/^sips?:/i, '');
  switch (transfer.state) {
    case 'requested':
      return { text: `Transferring to ${to}…`, failed: false };
    case 'accepted':
      return { text: `The other side is calling ${to}…`, failed: false };
    case 'succeeded':
      return { text: `Transferred to ${to}`, failed: false };
    case 'failed':
      return { text: `Transfer to ${to} failed: ${transfer.reason ?? (transfer.status !== undefined ? String(transfer.status) : 'no reason given')}`, failed: true };
  }
}
