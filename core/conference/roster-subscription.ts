import { Subscriber, SubscriptionState, UserAgent, type Notification } from 'sip.js';
import type { Logger } from '../ports/logger';
import type { FaultBoundary } from '../sip/fault-boundary';
import { subscriberIdentity } from '../sip/subscriber-identity';
import { parseConferenceInfo, type ConferenceInfo } from './conference-info';
import { MIME_CONFERENCE_INFO } from './namespaces';
import { Roster } from './roster';

/** How long a roster subscription lasts before sip.js refreshes it. */
const SUBSCRIBE_EXPIRES_SEC = 3600;

/** Partial documents held while the first full one is on its way. */
const MAX_EARLY_PARTIALS = 16;

/** Most re-SUBSCRIBEs in a row after version gaps before we stop trying (a misbehaving focus). */
const MAX_RESYNCS = 5;

/**
 * The roster of one conference, kept by a subscription to the focus's conference event
 * package (RFC 4575) and fed by NOTIFY and BENOTIFY.
 *
 * @remarks
 * - SUBSCRIBE `Event: conference`, `Accept: application/conference-info+xml` ([MS-OCSPROT]
 *   2.5.18), refreshed and ended by sip.js's `Subscriber`.
 * - `Supported: ms-benotify`: BENOTIFY is handled (intercepted before sip.js, which does not
 *   know the method) and never answered (open question 16). We do not send
 *   `Proxy-Require: ms-benotify`, which a strict proxy would refuse with 420; and we do not ask
 *   for a piggy-backed first NOTIFY, because sip.js ends a subscription that gets no NOTIFY.
 * - Versions: a gap, or a partial document first, re-SUBSCRIBEs for full state (open question 17).
 * - Only this dialog's notifications count: sip.js matches NOTIFY to the subscription by
 *   Call-ID and tags (RFC 6665 §4.1.3), and a BENOTIFY is applied only when
 *   {@link RosterSubscription.owns} its Call-ID and tags (the conference manager asks). An
 *   out-of-dialog document naming the conference, which any participant could forge, changes
 *   nothing.
 * @public
 */
export class RosterSubscription {
  readonly roster: Roster;
  private subscriber: Subscriber | undefined;
  private dialog: { callId: string; localTag: string; remoteTag: string | undefined } | undefined;
  private resyncs = 0;
  /**
   * Partial documents that came before the subscription's first full one: a BENOTIFY is a new
   * request and may overtake the initial NOTIFY through a proxy, so they wait for it rather than
   * costing a re-SUBSCRIBE (open question 17).
   */
  private early: ConferenceInfo[] = [];
  private readonly log: Logger;
  /** Called after every document applied. */
  onChange: (() => void) | undefined;
  /** Called when the focus reports the conference deleted. */
  onEnded: (() => void) | undefined;
  /** Called with the Call-ID of each SUBSCRIBE dialog this subscription starts. */
  onDialog: ((callId: string) => void) | undefined;

  constructor(
    private readonly ua: UserAgent,
    logger: Logger,
    readonly focusUri: string,
    private readonly faults: FaultBoundary,
  ) {
    this.log = logger.child('roster');
    this.roster = new Roster(focusUri);
  }

  /** Sends the SUBSCRIBE. */
  subscribe(): void {
    const target = UserAgent.makeURI(this.focusUri);
    if (!target) {
      this.log.error('cannot subscribe: focus URI is not a SIP URI', { focusUri: this.focusUri });
      return;
    }
    const subscriber = new Subscriber(this.ua, target, 'conference', {
      expires: SUBSCRIBE_EXPIRES_SEC,
      extraHeaders: [`Accept: ${MIME_CONFERENCE_INFO}`, 'Supported: ms-benotify, com.microsoft.autoextend'],
    });
    const identity = subscriberIdentity(subscriber);
    this.dialog = identity.callId === '' ? undefined : { ...identity, remoteTag: undefined };
    subscriber.delegate = this.faults.guard(identity.callId || undefined, 'roster', {
      onNotify: (notification: Notification) => {
        notification.accept().catch(() => undefined);
        if (this.dialog && this.subscriber === subscriber) {
          this.dialog.remoteTag ??= notification.request.fromTag;
        }
        this.applyBody(notification.request.body ?? '');
      },
    });
    subscriber.stateChange.addListener((state) => {
      if (state === SubscriptionState.Terminated && subscriber === this.subscriber) {
        this.log.info('roster subscription ended', { focusUri: this.focusUri });
      }
    });
    this.subscriber = subscriber;
    if (identity.callId !== '') {
      this.onDialog?.(identity.callId);
    }
    subscriber.subscribe().catch((error: unknown) => this.log.warn('SUBSCRIBE failed', { error: String(error) }));
  }

  /**
   * Whether a request with these Call-ID and tags belongs to this subscription's dialog: our
   * SUBSCRIBE's Call-ID, our tag as its To tag and, once the focus has notified us, its tag as
   * the From tag (RFC 3261 §12.2.2, RFC 6665 §4.1.3).
   */
  owns(callId: string, fromTag: string | undefined, toTag: string | undefined): boolean {
    const dialog = this.dialog;
    if (!dialog || this.subscriber === undefined || callId !== dialog.callId || toTag !== dialog.localTag) {
      return false;
    }
    return dialog.remoteTag === undefined || fromTag === dialog.remoteTag;
  }

  /**
   * Subscribes afresh for full state (after a reconnection: whatever changed meanwhile is in the
   * first NOTIFY of the new subscription, RFC 6665 §4.2.1). Not counted as a resync.
   */
  resubscribe(): void {
    void this.unsubscribe()
      .then(() => {
        this.roster.reset();
        this.subscribe();
      })
      .catch((error: unknown) => this.log.error('re-SUBSCRIBE failed', { error: String(error) }));
  }

  /** Feeds a BENOTIFY body (no response is sent for BENOTIFY). */
  applyBenotify(body: string): void {
    this.applyBody(body);
  }

  /** Ends the subscription (SUBSCRIBE with Expires: 0, RFC 6665 §4.1.2.3). */
  unsubscribe(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    this.dialog = undefined;
    this.early = [];
    if (!subscriber) {
      return Promise.resolve();
    }
    const dialog = subscriber.dialog;
    return subscriber
      .unsubscribe()
      .catch(() => undefined)
      .then(() => {
        // sip.js keeps the dialog, and its refresh timer, until a NOTIFY "terminated" arrives,
        // and arms no Timer N after an un-SUBSCRIBE: a focus that never sends that NOTIFY (or
        // does not answer) would have us re-SUBSCRIBE to a conference we left, 0.9·expires later.
        // Its final NOTIFY now gets 481, which ends the subscription for it too (RFC 6665 §4.1.3).
        if (dialog) {
          dialog.autoRefresh = false;
          dialog.dispose();
        }
        return subscriber.dispose().catch(() => undefined);
      });
  }

  private applyBody(body: string): void {
    if (body.trim() === '') {
      return;
    }
    const parsed = parseConferenceInfo(body);
    if (!parsed.ok) {
      this.log.warn('ignoring unreadable conference document', { error: parsed.error });
      return;
    }
    if (parsed.info.state === 'partial' && this.roster.version === undefined) {
      if (this.early.length < MAX_EARLY_PARTIALS) {
        this.early.push(parsed.info);
        return;
      }
    }
    this.applyInfo(parsed.info);
    if (parsed.info.state !== 'partial' && this.early.length > 0) {
      const early = this.early.sort((a, b) => a.version - b.version);
      this.early = [];
      early.forEach((info) => this.applyInfo(info));
    }
  }

  private applyInfo(info: ConferenceInfo): void {
    const update = this.roster.apply(info);
    if (update.resync) {
      this.resync(update.reason);
      return;
    }
    if (update.kind === 'applied') {
      this.resyncs = 0;
      this.onChange?.();
      if (this.roster.ended) {
        this.onEnded?.();
      }
    }
  }

  private resync(reason: string): void {
    if (this.resyncs >= MAX_RESYNCS) {
      this.log.error('roster keeps losing sync; giving up re-subscribing', { reason });
      return;
    }
    this.resyncs += 1;
    this.log.info('roster out of sync, re-subscribing for full state', { reason });
    this.resubscribe();
  }
}
