/**
 * Watching contacts' presence with SUBSCRIBE `Event: presence` (RFC 3856).
 * @packageDocumentation
 */
import { Subscriber, SubscriptionState, UserAgent, type Notification } from 'sip.js';
import { backoffDelay, type BackoffPolicy } from '../agent/backoff';
import type { Clock, TimerHandle } from '../ports/clock';
import type { Logger } from '../ports/logger';
import type { FaultBoundary } from '../sip/fault-boundary';
import type { DialogRecovery } from '../sip/dialog-recovery';
import { subscriberIdentity } from '../sip/subscriber-identity';
import type { PresenceState } from './availability';
import { MIME_PIDF, parsePresenceDocument } from './pidf';

/** A contact's state, or `unknown` until a document says something (open question 30). @public */
export type WatchedState = PresenceState | 'unknown';

/** What a watch needs from the agent. @public */
export type PresenceWatchPorts = {
  readonly ua: UserAgent;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly faults: FaultBoundary;
  readonly recovery: DialogRecovery;
  /** Called on every change of a watched contact's state. */
  readonly onChange: (aor: string, state: WatchedState) => void;
  /** Called with the Call-ID of each SUBSCRIBE dialog, for the SIP trace. */
  readonly onDialog?: (aor: string, callId: string) => void;
  readonly random?: () => number;
};

/** Subscription lifetime: open question 30 recommends 300–600 s; sip.js refreshes at 90 %. */
const WATCH_EXPIRES_SEC = 600;
const RESUBSCRIBE: BackoffPolicy = { initialMs: 2_000, maxMs: 120_000, factor: 2 };

/**
 * One watched contact: a presence subscription kept alive for as long as it is watched.
 *
 * @remarks
 * - RFC 3856 §6: SUBSCRIBE to the contact's AOR, `Event: presence`, `Accept: application/pidf+xml`;
 *   each NOTIFY carries the whole document (RFC 3856 §6.6.1, no partial state without
 *   `application/pidf-diff+xml`, which we do not accept).
 * - A NOTIFY without a body means "unknown", never offline, until a state is known; after that
 *   it changes nothing: Kamailio sends one for every refresh of the contact's publication (open
 *   question 30, measured with the lab's Kamailio). An unreadable body is logged and changes
 *   nothing.
 * - A subscription that ends (`Subscription-State: terminated`, a refused refresh, a 481) is
 *   started again with backoff from 2 s to 2 min (open question 30), and after a reconnection
 *   at once, through {@link DialogRecovery}, since the notifier's route to us changed.
 * @public
 */
export class PresenceWatch {
  private subscriber: Subscriber | undefined;
  private retryTimer: TimerHandle | undefined;
  private attempts = 0;
  private stopped = false;
  private last: WatchedState | undefined;
  private unregister: (() => void) | undefined;
  private readonly log: Logger;

  constructor(
    readonly aor: string,
    private readonly ports: PresenceWatchPorts,
  ) {
    this.log = ports.logger.child('presence-watch');
  }

  /** The last state learnt, if any. */
  get state(): WatchedState | undefined {
    return this.last;
  }

  /** Sends the SUBSCRIBE. */
  start(): void {
    const target = UserAgent.makeURI(this.aor);
    if (!target || this.stopped) {
      return;
    }
    const subscriber = new Subscriber(this.ports.ua, target, 'presence', { expires: WATCH_EXPIRES_SEC, extraHeaders: [`Accept: ${MIME_PIDF}`] });
    this.subscriber = subscriber;
    const callId = subscriberIdentity(subscriber).callId || undefined;
    subscriber.delegate = this.ports.faults.guard(callId, 'presence watch', {
      onNotify: (notification: Notification) => {
        notification.accept().catch(() => undefined);
        if (this.subscriber === subscriber) {
          this.apply(notification.request.body ?? '');
        }
      },
    });
    subscriber.stateChange.addListener((state) => {
      if (state === SubscriptionState.Subscribed && this.subscriber === subscriber) {
        this.attempts = 0;
      }
      if (state === SubscriptionState.Terminated && this.subscriber === subscriber) {
        this.subscriber = undefined;
        this.scheduleRetry();
      }
    });
    if (callId !== undefined) {
      this.unregister?.();
      this.unregister = this.ports.recovery.register(callId, { suspend: () => this.suspend(), recover: () => this.restart() });
      this.ports.onDialog?.(this.aor, callId);
    }
    subscriber.subscribe().catch((error: unknown) => this.log.warn('presence SUBSCRIBE failed', { aor: this.aor, error: String(error) }));
  }

  /** Ends the subscription (SUBSCRIBE with Expires 0, RFC 6665 §4.1.2.3); no retry after. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.ports.clock.clearTimeout(this.retryTimer);
    this.unregister?.();
    this.unregister = undefined;
    await this.endSubscriber();
  }

  private suspend(): void {
    this.ports.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private restart(): void {
    if (this.stopped) {
      return;
    }
    // What the new subscription's first NOTIFY says is reported even if unchanged: it confirms
    // the state after an outage, during which nothing could be learnt.
    this.last = undefined;
    void this.endSubscriber().then(() => this.start());
  }

  private async endSubscriber(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (!subscriber) {
      return;
    }
    const dialog = subscriber.dialog;
    await subscriber.unsubscribe().catch(() => undefined);
    // As for the roster: sip.js would otherwise keep refreshing a subscription we ended.
    if (dialog) {
      dialog.autoRefresh = false;
      dialog.dispose();
    }
    await subscriber.dispose().catch(() => undefined);
  }

  private scheduleRetry(): void {
    if (this.stopped) {
      return;
    }
    this.attempts += 1;
    const delay = backoffDelay(this.attempts, (this.ports.random ?? Math.random)(), RESUBSCRIBE);
    this.log.info('presence subscription ended; subscribing again', { aor: this.aor, retryInMs: delay });
    this.ports.clock.clearTimeout(this.retryTimer);
    this.retryTimer = this.ports.clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.start();
    }, delay);
  }

  private apply(body: string): void {
    const parsed = parsePresenceDocument(body);
    if (!parsed.ok) {
      this.log.warn('ignoring unreadable presence document', { aor: this.aor, error: parsed.error });
      return;
    }
    if (parsed.state === 'unknown' && this.last !== undefined && this.last !== 'unknown') {
      // Kamailio notifies each refresh of the presentity's publication with an empty body; it
      // says nothing new, so the state learnt stays (open question 30, measured here).
      return;
    }
    if (sameState(this.last, parsed.state)) {
      return;
    }
    this.last = parsed.state;
    this.ports.onChange(this.aor, parsed.state);
  }
}

function sameState(a: WatchedState | undefined, b: WatchedState): boolean {
  if (a === undefined || a === 'unknown' || b === 'unknown') {
    return a === b;
  }
  return a.availability === b.availability && a.activity === b.activity && a.note === b.note && a.lyncAvailability === b.lyncAvailability;
}
