import type { Clock } from '../ports/clock';
import { LIMITS, type Limits } from '../agent/limits';
import { normalizeSipAor } from '../channels/sip-identity';
import { warningHeader } from '../channels/warning-text';

/** A refusal, with the final status the request gets (RFC 3261 §21.4.24, §21.5.4). */
export type AdmissionRefusal = {
  readonly ok: false;
  readonly status: 486 | 503;
  readonly reasonPhrase: string;
  /** Why, for the Warning header and the log. */
  readonly reason: string;
  /** Seconds for `Retry-After` (RFC 3261 §20.33), with 503. */
  readonly retryAfterSec?: number;
};

/** A ringing slot; release it once the request is answered or withdrawn. */
export type RingingSlot = { readonly ok: true; readonly release: () => void };

type Sender = { stamps: number[]; ringing: number };

/**
 * Admission of requests a remote peer starts: a rate per sender, and caps on what rings.
 *
 * @remarks
 * Keyed by the sender's address-of-record (From). A proxy authenticates From for its own
 * users; a flood with forged, varying senders still meets the overall ringing cap and the cap
 * on senders tracked, so nothing here grows past {@link LIMITS}. The rate is a sliding window
 * holding at most `requestsPerSender` timestamps per sender.
 * @public
 */
export class RequestAdmission {
  private readonly senders = new Map<string, Sender>();
  private ringingAll = 0;

  constructor(
    private readonly clock: Clock,
    private readonly limits: Limits = LIMITS,
  ) {}

  /** Requests ringing now. */
  get ringing(): number {
    return this.ringingAll;
  }

  /** Senders tracked now (bounded by `trackedSenders`). */
  get trackedSenders(): number {
    return this.senders.size;
  }

  /** Counts a new request from `sender` against its rate: 503 when over. */
  arrive(sender: string): { readonly ok: true } | AdmissionRefusal {
    const now = this.clock.monotonic();
    const entry = this.entry(sender, now);
    if (!entry) {
      return this.overloaded(`too many senders at once (${this.limits.trackedSenders})`);
    }
    if (entry.stamps.length >= this.limits.requestsPerSender) {
      return this.overloaded(`more than ${this.limits.requestsPerSender} requests in ${this.limits.rateWindowMs / 1000} s from ${sender}`);
    }
    entry.stamps.push(now);
    return { ok: true };
  }

  /** Claims a ringing slot for `sender`: 486 when it or everyone rings too much already. */
  ring(sender: string): RingingSlot | AdmissionRefusal {
    const entry = this.entry(sender, this.clock.monotonic());
    if (this.ringingAll >= this.limits.ringingTotal) {
      return busy(`${this.limits.ringingTotal} requests are ringing already`);
    }
    if (!entry) {
      return busy(`too many senders at once (${this.limits.trackedSenders})`);
    }
    if (entry.ringing >= this.limits.ringingPerSender) {
      return busy(`${this.limits.ringingPerSender} requests from ${sender} are ringing already`);
    }
    entry.ringing += 1;
    this.ringingAll += 1;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (!released) {
          released = true;
          entry.ringing -= 1;
          this.ringingAll -= 1;
        }
      },
    };
  }

  /**
   * The sender's entry with stale timestamps dropped; undefined when no room for a new one.
   * @param sender - the From URI; keyed by its address of record, so `;tag`s or GRUU
   * parameters do not make one sender many
   */
  private entry(sender: string, now: number): Sender | undefined {
    sender = normalizeSipAor(sender) ?? sender;
    const since = now - this.limits.rateWindowMs;
    let entry = this.senders.get(sender);
    if (entry) {
      entry.stamps = entry.stamps.filter((t) => t > since);
      return entry;
    }
    if (this.senders.size >= this.limits.trackedSenders) {
      this.prune(since);
      if (this.senders.size >= this.limits.trackedSenders) {
        return undefined;
      }
    }
    entry = { stamps: [], ringing: 0 };
    this.senders.set(sender, entry);
    return entry;
  }

  /** Forgets senders with nothing ringing and no request inside the window. */
  private prune(since: number): void {
    for (const [key, entry] of this.senders) {
      if (entry.ringing === 0 && entry.stamps.every((t) => t <= since)) {
        this.senders.delete(key);
      }
    }
  }

  private overloaded(reason: string): AdmissionRefusal {
    return { ok: false, status: 503, reasonPhrase: 'Service Unavailable', reason, retryAfterSec: Math.ceil(this.limits.rateWindowMs / 1000) };
  }
}

function busy(reason: string): AdmissionRefusal {
  return { ok: false, status: 486, reasonPhrase: 'Busy Here', reason };
}

/** Headers of a refusal: `Retry-After` with 503 and a Warning naming the cap (RFC 3261 §20.43). */
export function refusalHeaders(refusal: AdmissionRefusal): string[] {
  const warning = warningHeader(refusal.reason);
  return refusal.retryAfterSec === undefined ? [warning] : [`Retry-After: ${refusal.retryAfterSec}`, warning];
}
