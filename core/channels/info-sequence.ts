/**
 * Header carrying a per-channel sequence number on the INFOs Switchboard and its lab send.
 * @remarks After a transport loss, an INFO may have reached the peer while its 200 was lost;
 * it is sent again after recovery, and the receiver drops what it has already delivered. The
 * header is private to Switchboard and ignored when absent (a UCMA peer sends none), so plain
 * RFC 6086 "legacy" INFO still works; only our own resends are deduplicated.
 */
export const INFO_SEQUENCE_HEADER = 'X-Switchboard-Seq';

/** Reads the sequence number of an INFO, or undefined when it has none (or a bad one). */
export function readInfoSequence(value: string | undefined): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  const trimmed = value.trim();
  if (!/^\d{1,15}$/.test(trimmed)) {
    return undefined;
  }
  return Number(trimmed);
}

/**
 * Remembers what was delivered on one channel, so a resent INFO is acknowledged but not
 * delivered twice. Sequence numbers from one sender only grow, so the highest is enough.
 */
export class InfoDeduplicator {
  private highest = 0;

  /** True when the INFO with this sequence number is new and must be delivered. */
  accept(sequence: number | undefined): boolean {
    if (sequence === undefined) {
      return true;
    }
    if (sequence <= this.highest) {
      return false;
    }
    this.highest = sequence;
    return true;
  }
}
