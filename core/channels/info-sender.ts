import type { IncomingResponse, Session } from 'sip.js/lib/core/index.js';
import type { Clock, TimerHandle } from '../ports/clock';
import { INFO_SEQUENCE_HEADER } from './info-sequence';

/** Outcome of one INFO, reported to whoever queued it. */
export type InfoOutcome = { readonly seq: number; readonly ok: boolean; readonly status: number; readonly reason: string };

type Queued = {
  readonly seq: number;
  readonly contentType: string;
  readonly body: string;
  readonly done: (outcome: InfoOutcome) => void;
};

/**
 * Answers that are the peer's verdict on the request itself (RFC 3261 §21, RFC 6086 §4.2.2):
 * sending again would not help. Any other failure (a transport error, 408, a proxy's 404, 477,
 * 500 or 503 for a connection that went away) is taken as the path failing, and the INFO is
 * kept for after recovery.
 */
const FINAL_FAILURES = new Set([400, 403, 405, 413, 415, 469, 481, 488, 489, 501, 603]);

/** Retries of a held INFO when no recovery signal comes: 0.5 s doubling to 8 s, 12 tries. */
const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 8000;
const RETRY_LIMIT = 12;

/**
 * Sends INFO requests in one dialog (RFC 6086 legacy usage) one at a time, in order, with a
 * sequence header, holding them while the dialog is recovering.
 *
 * @remarks One request in flight at a time: concurrent INFOs may overtake each other on UDP
 * hops, and a UAS answers 500 to a CSeq lower than one it has seen (RFC 3261 §12.2.2), so
 * pipelining would lose or reorder data. When the path fails (transport error, 408, 503) the
 * INFO stays at the head of the queue and {@link InfoSender.resume} sends it again (the
 * owner calls it once the dialog is refreshed; a backoff timer also retries, in case no such
 * signal comes); the peer drops a duplicate by its sequence number. After 12 failed retries the
 * INFO fails and the queue moves on.
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

  constructor(
    private readonly session: Session,
    private readonly clock: Clock,
    /** Told when a send failed because the path is down, so the owner can start recovering. */
    private readonly onPathFailure: (status: number) => void,
  ) {}

  /** INFOs waiting or in flight. */
  get pending(): number {
    return this.queue.length + (this.inFlight ? 1 : 0);
  }

  /** Queues an INFO; resolves with its outcome once answered (or dropped on close). */
  send(contentType: string, body: string): Promise<InfoOutcome> {
    return new Promise((resolve) => {
      if (this.closed) {
        resolve({ seq: 0, ok: false, status: 0, reason: 'channel closed' });
        return;
      }
      this.queue.push({ seq: this.nextSeq++, contentType, body, done: resolve });
      this.pump();
    });
  }

  /** Holds sending (the dialog is recovering). */
  pause(): void {
    this.paused = true;
  }

  /** Sends again, starting with the INFO that was in flight when the path failed. */
  resume(): void {
    this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.paused = false;
    if (this.inFlight) {
      this.queue.unshift(this.inFlight);
      this.inFlight = undefined;
    }
    this.pump();
  }

  /** Fails everything still queued (the channel ended). */
  close(reason: string): void {
    this.closed = true;
    this.clock.clearTimeout(this.retryTimer);
    const all = [...(this.inFlight ? [this.inFlight] : []), ...this.queue.splice(0)];
    this.inFlight = undefined;
    for (const item of all) {
      item.done({ seq: item.seq, ok: false, status: 0, reason });
    }
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
      // A resend after recovery supersedes the first try; its late answer means nothing.
      if (attempt !== this.attempt || this.inFlight !== next) {
        return;
      }
      const status = response?.message.statusCode ?? 0;
      const reason = error ?? response?.message.reasonPhrase ?? '';
      if (status >= 200 && status < 300) {
        this.inFlight = undefined;
        this.retries = 0;
        next.done({ seq: next.seq, ok: true, status, reason });
        this.pump();
        return;
      }
      if (!FINAL_FAILURES.has(status) && this.retries < RETRY_LIMIT) {
        this.paused = true;
        this.onPathFailure(status);
        const delay = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** this.retries);
        this.retries += 1;
        this.clock.clearTimeout(this.retryTimer);
        this.retryTimer = this.clock.setTimeout(() => this.resume(), delay);
        return;
      }
      this.retries = 0;
      this.inFlight = undefined;
      next.done({ seq: next.seq, ok: false, status, reason });
      this.pump();
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
}
