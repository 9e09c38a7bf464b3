/**
 * The agent's presence: what it publishes about itself and what it watches of others.
 * @packageDocumentation
 */
import type { UserAgent } from 'sip.js';
import type { Clock, TimerHandle } from '../ports/clock';
import type { Logger } from '../ports/logger';
import type { DialogRecovery } from '../sip/dialog-recovery';
import type { FaultBoundary } from '../sip/fault-boundary';
import type { PresenceState } from './availability';
import { effectivePresence, type PresenceActivity } from './effective-presence';
import { PresencePublication, type PublicationOutcome, type PublishSender } from './presence-publication';
import { PresenceWatch, type WatchedState } from './presence-watch';
import { sipPublishSender } from './sip-publish';

/**
 * A presence report: a watched contact's state, or our own publication's outcome (`self`).
 * @public
 */
export type PresenceReport = {
  readonly aor: string;
  readonly state: WatchedState;
  readonly self: boolean;
  readonly error?: string;
};

/** The part of the agent engine presence uses. @public */
export type PresenceEngine = {
  readonly userAgent: UserAgent;
  readonly faults: FaultBoundary;
  readonly recovery: DialogRecovery;
  readonly isRegistered: boolean;
  on(type: 'registered', listener: () => void): unknown;
  addStopHook(hook: () => Promise<void>): void;
};

/** Options of {@link PresenceManager}. @public */
export type PresenceManagerOptions = {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Unique per device: the tuple and person ids (open question 28). */
  readonly deviceId: string;
  /** A fresh Call-ID for the publication. */
  readonly newCallId: () => string;
  readonly onReport: (report: PresenceReport) => void;
  /** The state chosen at sign-in; Available when absent (issue: "Available unless the agent chose otherwise"). */
  readonly initial?: PresenceState;
  /** Most contacts watched at once; more are refused. */
  readonly maxWatched: number;
  /** For tests: replaces the sip.js PUBLISH sender. */
  readonly send?: PublishSender;
  /** Requested publication lifetime in seconds; open question 28 recommends 600. */
  readonly expiresSec?: number;
};

/** Sign-out waits this long for the removal's answer: a dead server must not hold the exit. */
const STOP_WAIT_MS = 2_000;

/** Outcome of {@link PresenceManager.watch}. @public */
export type WatchResult = { readonly ok: true } | { readonly ok: false; readonly message: string };

/**
 * Publishes the agent's presence from sign-in to sign-out, folds in what the agent is doing
 * ({@link effectivePresence}), and keeps a short list of watched contacts.
 *
 * @remarks
 * - Publishes at the first registration, on every change, refreshed by
 *   {@link PresencePublication}; suspended with the transport and resumed once registered again
 *   through {@link DialogRecovery}; removed (`Expires: 0`) in the engine's stop hook, while the
 *   agent is still registered and connected.
 * - Watches: one {@link PresenceWatch} per contact, at most `maxWatched`.
 * @public
 */
export class PresenceManager {
  private chosen: PresenceState;
  private activity: PresenceActivity = { inConference: false, idle: false };
  private readonly publication: PresencePublication;
  private readonly watches = new Map<string, PresenceWatch>();
  private readonly aor: string;
  private started = false;

  constructor(
    private readonly engine: PresenceEngine,
    private readonly options: PresenceManagerOptions,
  ) {
    this.chosen = options.initial ?? { availability: 'available' };
    this.aor = engine.userAgent.configuration.uri.toString();
    const callId = options.newCallId();
    this.publication = new PresencePublication({
      send: options.send ?? sipPublishSender(engine.userAgent, options.deviceId, callId),
      clock: options.clock,
      logger: options.logger,
      onOutcome: (outcome) => this.reportOwn(outcome),
      ...(options.expiresSec !== undefined && { expiresSec: options.expiresSec }),
    });
    engine.recovery.register(callId, { suspend: () => this.publication.suspend(), recover: () => this.publication.resume() });
    engine.on('registered', () => this.onRegistered());
    engine.addStopHook(() => this.stop());
  }

  /** The state the agent chose. */
  get choice(): PresenceState {
    return this.chosen;
  }

  /** The state published now (or being published). */
  get effective(): PresenceState {
    return effectivePresence(this.chosen, this.activity);
  }

  /** Whether calls and channel requests from untrusted senders should ring silently and get 486. */
  get doNotDisturb(): boolean {
    return this.chosen.availability === 'dnd';
  }

  /** The agent chose a state (and optionally a note). */
  choose(state: PresenceState): void {
    this.chosen = state;
    this.republish();
  }

  /** What the agent is doing changed (conference audio or a call up or down, idle or back). */
  setActivity(change: Partial<PresenceActivity>): void {
    const next = { ...this.activity, ...change };
    if (next.inConference === this.activity.inConference && next.idle === this.activity.idle && next.inCall === this.activity.inCall) {
      return;
    }
    this.activity = next;
    this.republish();
  }

  /** Starts watching `aor`; its state follows as reports. */
  watch(aor: string): WatchResult {
    if (this.watches.has(aor)) {
      return { ok: true };
    }
    if (this.watches.size >= this.options.maxWatched) {
      return { ok: false, message: `already watching ${this.options.maxWatched} contacts; unwatch one first` };
    }
    const watch = new PresenceWatch(aor, {
      ua: this.engine.userAgent,
      clock: this.options.clock,
      logger: this.options.logger,
      faults: this.engine.faults,
      recovery: this.engine.recovery,
      onChange: (contact, state) => this.options.onReport({ aor: contact, state, self: false }),
    });
    this.watches.set(aor, watch);
    if (this.engine.isRegistered) {
      watch.start();
    }
    return { ok: true };
  }

  /** Stops watching `aor`. */
  unwatch(aor: string): WatchResult {
    const watch = this.watches.get(aor);
    if (!watch) {
      return { ok: false, message: `not watching ${aor}` };
    }
    this.watches.delete(aor);
    void watch.stop();
    return { ok: true };
  }

  /** The contacts watched, with their last known state. */
  watched(): readonly { readonly aor: string; readonly state: WatchedState | undefined }[] {
    return [...this.watches.values()].map((w) => ({ aor: w.aor, state: w.state }));
  }

  private onRegistered(): void {
    if (this.started) {
      return;
    }
    this.started = true;
    this.publication.set(this.effective);
    for (const watch of this.watches.values()) {
      watch.start();
    }
  }

  private republish(): void {
    if (this.started) {
      this.publication.set(this.effective);
    }
  }

  private reportOwn(outcome: PublicationOutcome): void {
    this.options.onReport({ aor: this.aor, state: outcome.state, self: true, ...(!outcome.ok && { error: outcome.error }) });
  }

  /** Unwatches everyone and removes the publication, waiting at most {@link STOP_WAIT_MS}. */
  private async stop(): Promise<void> {
    let timer: TimerHandle | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = this.options.clock.setTimeout(resolve, STOP_WAIT_MS);
    });
    const work = Promise.all([...this.watches.values()].map((w) => w.stop())).then(() => this.publication.remove());
    await Promise.race([work, deadline]);
    this.options.clock.clearTimeout(timer);
  }
}
