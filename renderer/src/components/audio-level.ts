import type { Conversation } from '../../../common/desktop-state';

/** Bars the incoming-audio meter shows: 0 (silence) to this many. */
export const LEVEL_BUCKETS = 4;

/**
 * Lower bounds of buckets 1 to 4 as linear levels (0 to 1, as media events carry them), about
 * -54, -40, -26 and -12 dBFS: ears hear in decibels, so equal steps there. Below the first is
 * silence, the same bound the tests use for "nothing heard" (0.002).
 */
const BOUNDS = [0.002, 0.01, 0.05, 0.25] as const;

const WORDS = ['silence', 'hearing faint audio', 'hearing audio', 'hearing loud audio', 'hearing very loud audio'] as const;

/**
 * The meter's bucket for a received level: 0 for silence up to {@link LEVEL_BUCKETS}. Only a new
 * bucket re-renders the meter, so a level that wobbles within one costs no render.
 */
export function levelBucket(level: number): number {
  return BOUNDS.filter((bound) => level >= bound).length;
}

/** What the meter says for a bucket (its accessible value text and tooltip). */
export function levelWords(bucket: number): string {
  return WORDS[Math.max(0, Math.min(LEVEL_BUCKETS, Math.round(bucket)))] ?? WORDS[0];
}

/**
 * The bucket to show for a conversation, or `undefined` when there is nothing to show: no level
 * reported (its audio is unknown), or the audio is not up (ended, failed, still connecting).
 */
export function incomingBucket(conversation: Conversation): number | undefined {
  const { media } = conversation;
  if (conversation.state !== 'active' || media?.level === undefined || (media.state !== 'connected' && media.state !== 'interrupted')) {
    return undefined;
  }
  return levelBucket(media.level);
}
