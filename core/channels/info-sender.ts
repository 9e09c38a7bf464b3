import type { IncomingResponse, Session } from 'sip.js/lib/core/index.js';
import { LIMITS } from '../agent/limits';
import type { Clock, TimerHandle } from '../ports/clock';
import { INFO_SEQUENCE_HEADER } from './info-sequence';

/** Outcome of one INFO, reported to whoever queued it. */
export type InfoOutcome = { readonly seq: number; readonly ok: boolean; readonly status: number; readonly reason: string };

/** The reason of an outcome refused because the channel's queue is full. */
export const INFO_BUSY = 'busy';

type Queued = {
  readonly seq: number;
  readonly contentType: string;
  readonly body: string;
  readonly done: (outcome: InfoOutcome) => void;
};

/** Caps of one sender's queue (defaults: {@link LIMITS}); the lab passes none. */
export type InfoQueueCaps = { readonly maxQueued: number; readonly maxQueuedChars: number };

/** What the sender tells its channel. */
export type InfoSenderHooks = {
  /** The peer says the dialog is gone (481, RFC 3261 §12.2.1.2): the channel must end. */
  readonly onDialogGone: (status: number) => void;
};

/**
 * Answers that are the peer's verdict on the request itself (RFC 3261 §21, RFC 6086 §4.2.2):
 * sending again would not help, so the INFO fails and the queue moves on. 481 also means the
 * dialog is gone. Any other failure (a transport error, 408, 500, 503, a proxy's 404 or 477)
 * is taken as passing trouble and the same INFO is sent again.
 */
const FINAL_FAILURES = new Set([400, 403, 405, 413, 415, 469, 481, 488, 489, 501, 603]);

/** Retries of one INFO while the transport is up: 0.5 s doubling to 8 s, 5 tries (15.5 s). */
const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 8000;
const RETRY_LIMIT = 5;

/**
 * Sends INFO requests in one dialog (RFC 6086 legacy usage) one at a time, in order, with a
 * sequence header.
 *
 * @remarks
 * - One request in flight at a time: concurrent INFOs may overtake each other on UDP hops, and
 *   a UAS answers 500 to a CSeq lower than one it has seen (RFC 3261 §12.2.2), so pipelining
 *   would lose or reorder data.
 * - A single INFO answered 408, 500, 503 (or lost to a transport error) is sent again with
 *   backoff while the channel carries on; after {@link RETRY_LIMIT} tries it fails explicitly
 *   and the next one goes. Only the transport dropping pauses the channel.
 * - While paused ({@link InfoSender.pause}: the channel is Recovering) nothing is sent and no
 *   retry is spent, however long the outage; {@link InfoSender.resume} sends the held INFO
 *   first, then the rest in order. The peer drops a duplicate by its sequence number.
 * - The queue holds at most {@link LIMITS}.channelSendQueue INFOs and channelSendChars
 *   characters of body; a send past either is refused at once with reason {@link INFO_BUSY},
 *   so a pane learns to slow down and memory stays bounded.
 * - {@link InfoSender.close} fails everything still queued: nothing is dropped silently.
 */
export class InfoSender {
  private readonly queue: Queued[] = [];
  private inFlight: Queued | undefined;
  private attempt = 0;
  private nextSeq = 1;
  private paused = false;
  private closed = false;
  private retries = 0;
  private retryTimer: TimerHandle | undefined;
  private queuedChars = 0;

  constructor(
    private readonly session: Session,
    private readonly clock: Clock,
    private readonly hooks: InfoSenderHooks,
    private readonly caps: InfoQueueCaps = { maxQueued: LIMITS.channelSendQueue, maxQueuedChars: LIMITS.channelSendChars },
  ) {}

  /** INFOs waiting or in flight. */
  get pending(): number {
    return this.queue.length + (this.inFlight ? 1 : 0);
  }

  /** Whether a retry timer is armed (for tests: nothing outlives the sender). */
  get retrying(): boolean {
    return this.retryTimer !== undefined;
  }

  /** Queues an INFO; resolves with its outcome once answered, refused busy, or failed on close. */
  send(contentType: string, body: string): Promise<InfoOutcome> {
    return new Promise((resolve) => {
      if (this.closed) {
        resolve({ seq: 0, ok: false, status: 0, reason: 'channel closed' });
        return;
      }
      if (this.pending >= this.caps.maxQueued || this.queuedChars + body.length > this.caps.maxQueuedChars) {
        resolve({ seq: 0, ok: false, status: 0, reason: INFO_BUSY });
        return;
      }
      this.queuedChars += body.length;
      this.queue.push({ seq: this.nextSeq++, contentType, body, done: resolve });
      this.pump();
    });
  }

  /** Holds sending: the transport is gone and the dialog is recovering. */
  pause(): void {
    this.paused = true;
    this.stopRetryTimer();
  }

  /** Sends again, starting with the INFO that was in flight when the path failed. */
  resume(): void {
    if (this.closed) {
      return;
    }
    this.paused = false;
    this.retries = 0;
    this.resend();
  }

  /** Fails everything still queued (the channel ended). */
  close(reason: string): void {
    this.closed = true;
    this.stopRetryTimer();
    const all = [...(this.inFlight ? [this.inFlight] : []), ...this.queue.splice(0)];
    this.inFlight = undefined;
    this.queuedChars = 0;
    for (const item of all) {
      item.done({ seq: item.seq, ok: false, status: 0, reason });
    }
  }

  private resend(): void {
    this.stopRetryTimer();
    if (this.inFlight) {
      this.queue.unshift(this.inFlight);
      this.inFlight = undefined;
    }
    this.pump();
  }

  private pump(): void {
    if (this.paused || this.closed || this.inFlight) {
      return;
    }
    const next = this.queue.shift();
    if (!next) {
      return;
    }
    this.inFlight = next;
    const attempt = ++this.attempt;
    const settle = (response: IncomingResponse | undefined, error?: string): void => {
      // A resend supersedes the earlier try; its late answer means nothing.
      if (attempt === this.attempt && this.inFlight === next && !this.closed) {
        this.settle(next, response?.message.statusCode ?? 0, error ?? response?.message.reasonPhrase ?? '');
      }
    };
    try {
      this.session.info(
        { onAccept: (r) => settle(r), onReject: (r) => settle(r) },
        {
          extraHeaders: [`${INFO_SEQUENCE_HEADER}: ${next.seq}`],
          body: { contentDisposition: 'render', contentType: next.contentType, content: next.body },
        },
      );
    } catch (error) {
      settle(undefined, error instanceof Error ? error.message : String(error));
    }
  }

  private settle(item: Queued, status: number, reason: string): void {
    if (status >= 200 && status < 300) {
      this.finish(item, { seq: item.seq, ok: true, status, reason });
      return;
    }
    if (FINAL_FAILURES.has(status)) {
      this.finish(item, { seq: item.seq, ok: false, status, reason });
      if (status === 481) {
        this.hooks.onDialogGone(status);
      }
      return;
    }
    if (this.paused) {
      return; // held: resume() sends it again once the dialog is back
    }
    if (this.retries >= RETRY_LIMIT) {
      this.finish(item, { seq: item.seq, ok: false, status, reason: `${reason || 'no answer'} (after ${RETRY_LIMIT} retries)` });
      return;
    }
    const delay = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** this.retries);
    this.retries += 1;
    this.stopRetryTimer();
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.paused && !this.closed) {
        this.resend();
      }
    }, delay);
  }

  private finish(item: Queued, outcome: InfoOutcome): void {
    this.inFlight = undefined;
    this.queuedChars -= item.body.length;
    this.retries = 0;
    item.done(outcome);
    this.pump();
  }

  private stopRetryTimer(): void {
    this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }
}
