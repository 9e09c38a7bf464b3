/**
 * Our own presence, kept published with PUBLISH (RFC 3903).
 * @packageDocumentation
 */
import { backoffDelay, type BackoffPolicy } from '../agent/backoff';
import type { Clock, TimerHandle } from '../ports/clock';
import type { Logger } from '../ports/logger';
import { guardedTransition } from '../util/state-machine';
import type { PresenceState } from './availability';

/**
 * One PUBLISH to send: initial (`etag` absent, with a body), refresh (`etag`, no body), modify
 * (`etag` and a body) or remove (`etag`, `expires` 0).
 * @remarks RFC 3903 §4.1 table 1.
 * @public
 */
export type PublishRequest = { readonly etag?: string; readonly expires: number; readonly state?: PresenceState };

/**
 * The final response to a PUBLISH; `status` 0 when it could not be sent (no transport).
 * @public
 */
export type PublishResponse = {
  readonly status: number;
  readonly reason: string;
  readonly etag?: string;
  readonly expires?: number;
  readonly minExpires?: number;
};

/**
 * The narrow I/O a publication needs: send one PUBLISH of our presence, get its final
 * response. The sip.js adapter is {@link sipPublishSender}; tests use a fake.
 * @public
 */
export type PublishSender = (request: PublishRequest) => Promise<PublishResponse>;

/**
 * What a publication reports after each final response that changes what watchers see.
 * @public
 */
export type PublicationOutcome =
  | { readonly ok: true; readonly state: PresenceState }
  | { readonly ok: false; readonly state: PresenceState; readonly error: string };

/** States of {@link PresencePublication}. @public */
export type PublicationStatus = 'idle' | 'sending' | 'published' | 'waiting' | 'removing' | 'removed';

const transition = guardedTransition<PublicationStatus>('presence publication', {
  idle: ['sending', 'removed'],
  sending: ['published', 'waiting', 'sending', 'idle', 'removing', 'removed'],
  published: ['sending', 'idle', 'removing', 'removed'],
  waiting: ['sending', 'idle', 'removing', 'removed'],
  removing: ['removed'],
  removed: [],
});

/** Options of {@link PresencePublication}. @public */
export type PresencePublicationOptions = {
  readonly send: PublishSender;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly onOutcome: (outcome: PublicationOutcome) => void;
  /** Requested lifetime; open question 28 recommends 600 s. */
  readonly expiresSec?: number;
  /** Retry policy after a refusal or a lost response. */
  readonly retry?: BackoffPolicy;
  readonly random?: () => number;
};

/** Refresh this long before the publication would expire, as sip.js does (90 %). */
const REFRESH_AT = 0.9;
const DEFAULT_RETRY: BackoffPolicy = { initialMs: 5_000, maxMs: 300_000, factor: 2 };
/** Most 412/423 recoveries in a row before we call it a failure (a server that keeps refusing). */
const MAX_RECOVERIES = 3;
/** Answers that mean "no presence service here" (RFC 3903 §6 489; RFC 3261 405, 501). */
const UNSUPPORTED = new Set([405, 489, 501]);

/**
 * Keeps one presence document published for as long as the agent is signed in.
 *
 * @remarks
 * - RFC 3903 §4: an initial PUBLISH with the document, then `SIP-If-Match` with the ETag of the
 *   last 2xx for refreshes (no body, at 90 % of the granted `Expires`), modifications (body) and
 *   the removal (`Expires: 0`) at sign-out.
 * - One request at a time: a change made while a PUBLISH is in flight is sent after its
 *   response, with the new ETag (two PUBLISHes racing on one ETag would get a 412).
 * - `412` (ETag unknown, e.g. the server restarted): start again with an initial PUBLISH.
 *   `423`: retry with the server's `Min-Expires`. Anything else, or no response: report the
 *   failure and retry with backoff (5 s doubling to 5 min); a change of state retries at once.
 * - After a reconnection the ETag is kept and tried first ({@link PresencePublication.resume}):
 *   an initial PUBLISH with the same person id would not replace the old one on Kamailio
 *   (im-presence §3.3 [LAB]), so a modify is the only way to update it in place; a server that
 *   lost it answers 412 and the publication starts over (open question 28, decided).
 * @public
 */
export class PresencePublication {
  private status: PublicationStatus = 'idle';
  private etag: string | undefined;
  private expiresSec: number;
  private desired: PresenceState | undefined;
  /** What the server holds (the last state a 2xx accepted). */
  private published: PresenceState | undefined;
  /** The desired state changed while a request was in flight. */
  private dirty = false;
  private timer: TimerHandle | undefined;
  private failures = 0;
  private recoveries = 0;
  private reportedFailure = false;
  /** No transport: changes wait for {@link PresencePublication.resume}. */
  private suspended = false;
  private readonly log: Logger;

  constructor(private readonly options: PresencePublicationOptions) {
    this.expiresSec = options.expiresSec ?? 600;
    this.log = options.logger.child('presence');
  }

  /** The current state of the machine, for tests and diagnostics. */
  get state(): PublicationStatus {
    return this.status;
  }

  /** The state watchers see now, once a PUBLISH was accepted. */
  get current(): PresenceState | undefined {
    return this.published;
  }

  /** Publishes `state` (initial or modify), now or once the request in flight is answered. */
  set(state: PresenceState): void {
    if (this.status === 'removing' || this.status === 'removed') {
      return;
    }
    this.desired = state;
    if (this.suspended) {
      return;
    }
    if (this.status === 'sending') {
      this.dirty = true;
      return;
    }
    this.failures = 0;
    this.sendNow();
  }

  /** The transport went away: stop the timers; the ETag is kept for {@link resume}. */
  suspend(): void {
    if (this.status === 'removing' || this.status === 'removed') {
      return;
    }
    this.suspended = true;
    this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.status !== 'idle') {
      this.move('idle');
    }
  }

  /** Registered again: publish the desired state (modify with the old ETag first). */
  resume(): void {
    this.suspended = false;
    if (this.status !== 'idle' || this.desired === undefined) {
      return;
    }
    this.failures = 0;
    this.sendNow();
  }

  /**
   * Removes the publication (`Expires: 0`, RFC 3903 §4.5) and ends the machine; resolves when
   * the server has answered or at once when nothing is published.
   */
  async remove(): Promise<void> {
    this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const etag = this.etag;
    if (this.status === 'removed' || this.status === 'removing') {
      return;
    }
    if (etag === undefined) {
      this.move('removed');
      return;
    }
    this.move('removing');
    const response = await this.options.send({ etag, expires: 0 }).catch((error: unknown) => ({ status: 0, reason: String(error) }));
    if (response.status < 200 || response.status >= 300) {
      this.log.info('presence removal not confirmed; it expires on the server', { status: response.status, reason: response.reason });
    }
    this.etag = undefined;
    this.published = undefined;
    this.move('removed');
  }

  private sendNow(): void {
    this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const state = this.desired;
    if (state === undefined) {
      return;
    }
    this.dirty = false;
    const withBody = this.etag === undefined || this.published !== state;
    const request: PublishRequest = { expires: this.expiresSec, ...(this.etag !== undefined && { etag: this.etag }), ...(withBody && { state }) };
    this.move('sending');
    this.options
      .send(request)
      .catch((error: unknown): PublishResponse => ({ status: 0, reason: String(error) }))
      .then((response) => this.onResponse(request, response));
  }

  private onResponse(request: PublishRequest, response: PublishResponse): void {
    if (this.status !== 'sending') {
      return;
    }
    if (response.status >= 200 && response.status < 300) {
      this.onAccepted(request, response);
    } else if (response.status === 412 && request.etag !== undefined && this.recoveries < MAX_RECOVERIES) {
      this.recoveries += 1;
      this.log.info('server lost our publication (412); publishing afresh');
      this.etag = undefined;
      this.published = undefined;
      this.sendNow();
    } else if (response.status === 423 && response.minExpires !== undefined && response.minExpires > this.expiresSec && this.recoveries < MAX_RECOVERIES) {
      this.recoveries += 1;
      this.expiresSec = response.minExpires;
      this.sendNow();
    } else {
      this.onFailed(response);
    }
  }

  private onAccepted(request: PublishRequest, response: PublishResponse): void {
    this.recoveries = 0;
    this.failures = 0;
    if (response.etag !== undefined) {
      this.etag = response.etag;
    }
    const granted = response.expires !== undefined && response.expires > 0 && response.expires <= this.expiresSec ? response.expires : this.expiresSec;
    const changed = request.state !== undefined && (request.state !== this.published || this.reportedFailure);
    if (request.state !== undefined) {
      this.published = request.state;
    }
    this.move('published');
    if (changed && this.published !== undefined) {
      this.reportedFailure = false;
      this.options.onOutcome({ ok: true, state: this.published });
    }
    if (this.dirty) {
      this.sendNow();
      return;
    }
    this.timer = this.options.clock.setTimeout(() => this.refresh(), Math.max(1, granted * REFRESH_AT) * 1000);
  }

  private refresh(): void {
    this.timer = undefined;
    if (this.status === 'published') {
      this.sendNow();
    }
  }

  private onFailed(response: PublishResponse): void {
    this.recoveries = 0;
    this.failures += 1;
    const error = response.status === 0 ? `PUBLISH not answered: ${response.reason}` : `PUBLISH refused: ${response.status} ${response.reason}`;
    const policy = this.options.retry ?? DEFAULT_RETRY;
    // A server without presence (405, 489, 501) will not grow it soon: try again rarely.
    const delay = UNSUPPORTED.has(response.status) ? policy.maxMs : backoffDelay(this.failures, (this.options.random ?? Math.random)(), policy);
    if (!this.reportedFailure) {
      this.log.warn('cannot publish presence; retrying', { error, retryInMs: delay });
      this.reportedFailure = true;
      this.options.onOutcome({ ok: false, state: this.desired ?? { availability: 'available' }, error });
    }
    if (this.dirty) {
      this.sendNow();
      return;
    }
    this.move('waiting');
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = undefined;
      if (this.status === 'waiting') {
        this.sendNow();
      }
    }, delay);
  }

  private move(next: PublicationStatus): void {
    this.status = transition(this.status, next);
  }
}
