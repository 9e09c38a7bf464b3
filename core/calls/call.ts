import type { IncomingInfoRequest, IncomingInviteRequest, IncomingNotifyRequest, Session } from 'sip.js/lib/core/index.js';
import type { AgentEvent, CallState } from '../../common/agent-events';
import type { Clock, TimerHandle } from '../ports/clock';
import type { Logger } from '../ports/logger';
import { SDP_CONTENT_TYPE, type MediaSession } from '../ports/media';
import { MediaWatch, type PublicMediaState } from '../conference/media-watch';
import type { FaultBoundary } from '../sip/fault-boundary';
import type { DialogRequestHandlers } from '../sip/outgoing-dialog';
import { byeQuietly } from '../sip/session-end';
import { refreshTarget, type RefreshOutcome, type TargetRefresh } from '../sip/target-refresh';
import { guardedTransition } from '../util/state-machine';
import { warningHeader } from '../channels/warning-text';
import { mediaTypeOf } from '../sip/invite-router';
import { CallHold } from './call-media';
import { MAX_OFFER_BYTES } from './call-offer';
import { parseDtmfRelay, MIME_DTMF_RELAY } from './dtmf-relay';
import { iceCredentials, withAudioDirection } from './sdp-direction';
import { sipfragStatus } from './call-transfer';

/** How long a transfer may go without a final NOTIFY before it counts as failed. */
const TRANSFER_TIMEOUT_MS = 32_000;

/**
 * The moves of a call. `held` and `remote-held` are shown states of a connected call: the
 * agent's hold wins when both hold.
 *
 * ```
 *  dialing --180--> ringing --2xx--> connected <--re-INVITE--> held / remote-held
 *     |                |                 |
 *     +----------------+-----------------+--> ended (refused, cancelled, BYE, fault)
 * ```
 */
const LEGAL: Readonly<Record<CallState, readonly CallState[]>> = {
  dialing: ['ringing', 'connected', 'ended'],
  ringing: ['connected', 'ended'],
  connected: ['held', 'remote-held', 'ended'],
  held: ['connected', 'remote-held', 'ended'],
  'remote-held': ['connected', 'held', 'ended'],
  ended: [],
};
const transitionCall = guardedTransition('call', LEGAL);

/** What a {@link Call} runs on. @public */
export type CallDeps = {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly faults: FaultBoundary;
  readonly emit: (event: AgentEvent) => void;
  /** Our Contact now (a new connection has a new one): re-INVITEs carry it. */
  readonly contact: () => string;
  /** Our address of record, for `Referred-By` (RFC 3892). */
  readonly aor: string;
  /** Told once, when the call has ended. */
  readonly onEnded: (call: Call) => void;
  /** How often media is reported (default 1 s). */
  readonly mediaReportMs?: number;
};

/** Who and what one call is. @public */
export type CallInit = {
  readonly id: string;
  readonly conversationId: string;
  readonly peer: string;
  readonly outgoing: boolean;
  readonly media: MediaSession;
};

/**
 * One two-party audio call once its INVITE exists: its state, its dialog's in-dialog requests
 * (re-INVITE for hold, resume and ICE restart; INFO for DTMF; BYE), its media and their reports.
 * Ringing, answering and dialling are the {@link CallManager}'s; it hands the dialog over with
 * {@link Call.established}.
 *
 * @remarks Hold follows RFC 3264 §8.4 by rewriting the direction of the description in force
 * (no new ICE or DTLS), so it works the same on every media engine; a re-offer with new ICE
 * credentials is an ICE restart (RFC 8445 §9) and goes to the engine. One guarded transition
 * ({@link LEGAL}); every callback runs in the call's fault boundary.
 * @public
 */
export class Call {
  private current: CallState;
  private session: Session | undefined;
  private dialogId: string | undefined;
  private ownsCallId = false;
  /** Our description in force: re-INVITEs rewrite its direction. */
  private localSdp = '';
  private remoteIce = '';
  private readonly hold = new CallHold();
  private userMuted = false;
  private reportTimer: TimerHandle | undefined;
  private readonly watch: MediaWatch;
  private readonly releases: (() => void)[] = [];
  /** Sends our BYE: the dialog owner's, when it keeps the dialog's state (an outgoing dialog). */
  private bye: (() => void) | undefined;
  /** Whether the other side acknowledged our 2xx to its INVITE (ours, for a call we made). */
  private acknowledged = true;
  /** A BYE sip.js refused before the ACK (RFC 3261 §15), to send once the ACK comes. */
  private byeOwed = false;
  /** Our re-INVITE under way, cancelled if the call ends first. */
  private refresh: TargetRefresh | undefined;
  private readonly log: Logger;
  /** Our REFER under way: where to, and its deadline. */
  private transferring: { readonly to: string; readonly timer: TimerHandle } | undefined;
  /** A re-INVITE of ours in flight: a second hold waits for it. */
  private reinviting: Promise<unknown> = Promise.resolve();
  /** The call is ending (inside {@link Call.end}). */
  private ending = false;
  /** DTMF INFOs in flight: the next digits wait, so two commands' INFOs never cross. */
  private dialing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: CallDeps,
    readonly init: CallInit,
  ) {
    this.current = init.outgoing ? 'dialing' : 'ringing';
    this.log = deps.logger.child('call');
    this.watch = new MediaWatch(deps.clock);
    const unsubscribe = init.media.onDtmf?.((digit) => this.deps.emit({ type: 'call.dtmf', id: this.id, digit, via: 'rtp' }));
    if (unsubscribe) {
      this.releases.push(unsubscribe);
    }
    // Media that closes under a live call (the window carrying it reloaded or closed) ends the
    // call: a call the agent can no longer hear is not kept up.
    this.releases.push(
      init.media.onStateChange((state) => {
        if (state === 'closed' && this.session !== undefined && !this.ending) {
          this.hangUp('the audio ended');
        }
      }),
    );
  }

  get id(): string {
    return this.init.id;
  }

  get state(): CallState {
    return this.current;
  }

  /** Whether the call has ended (a getter TypeScript does not narrow across awaits). */
  get ended(): boolean {
    return this.current === 'ended';
  }

  get callId(): string | undefined {
    return this.dialogId;
  }

  /** Whether the agent muted the call (hold silences it too, without changing this). */
  get muted(): boolean {
    return this.userMuted;
  }

  /** The dialog's identifiers once it is up (for `Replaces`, RFC 3891). */
  dialog(): { readonly callId: string; readonly localTag: string; readonly remoteTag: string } | undefined {
    const session = this.session;
    if (!session || this.current === 'ended') {
      return undefined;
    }
    return { callId: session.callId, localTag: session.localTag, remoteTag: session.remoteTag };
  }

  /** Runs `teardown` when the call ends (fault ownership, recovery registration…). */
  onEnd(teardown: () => void): void {
    this.releases.push(teardown);
  }

  /** Our INVITE made the other side ring (a 180 or 183). */
  ringing(): void {
    if (this.current === 'dialing') {
      this.move('ringing');
    }
  }

  /**
   * The dialog is up: a 2xx to our INVITE (acknowledged, answer applied) or ours to theirs.
   * @param local - our description in force (offer or answer)
   * @param remote - theirs
   * @param bye - sends our BYE, when the dialog's owner keeps its state; else BYE on `session`
   */
  established(session: Session, callId: string, local: string, remote: string, bye?: () => void): void {
    this.session = session;
    this.bye = bye;
    this.acknowledged = this.init.outgoing;
    this.dialogId = callId;
    this.ownsCallId = this.init.outgoing;
    this.localSdp = local;
    this.remoteIce = iceCredentials(remote);
    if (this.init.outgoing) {
      this.hold.takeAnswer(remote);
    } else {
      this.hold.takeOffer(remote);
    }
    // Connected first, then held if the first exchange already held us (a parked caller's
    // sendonly offer): each event says what happened.
    this.move('connected');
    this.applySending();
    this.settle();
    this.startReports();
  }

  /** The in-dialog requests of the call, for the dialog's delegate (BYE is the dialog owner's). */
  requests(): DialogRequestHandlers {
    return {
      onAck: () => {
        this.acknowledged = true;
        if (this.byeOwed) {
          this.byeOwed = !byeQuietly(this.session, this.log);
        }
      },
      onInvite: (request) => this.onReinvite(request),
      onInfo: (request) => this.onInfo(request),
      onNotify: (request) => this.onNotify(request),
      onRefer: (request) => {
        // Being transferred away is the contact center's decision, not a peer's: RFC 3515 §2.4.2.
        request.reject({ statusCode: 603, reasonPhrase: 'Decline', extraHeaders: [warningHeader('this agent does not take transfer requests')] });
      },
    };
  }

  /** Mutes or unmutes the agent's audio. */
  mute(muted: boolean): void {
    this.userMuted = muted;
    this.applySending();
    this.reportMedia();
  }

  /**
   * Holds (`sendonly`) or resumes (`sendrecv`) with a re-INVITE (RFC 3264 §8.4).
   * @returns whether the other side took it
   */
  setHeld(held: boolean): Promise<boolean> {
    const next = this.reinviting.then(() => this.reinviteHold(held));
    this.reinviting = next.catch(() => undefined);
    return next;
  }

  /**
   * Transfers the other side to `referTo` with a REFER in this dialog (RFC 3515; blind, or
   * consultative when `referTo` carries `Replaces`, RFC 5589): `call.transfer` reports
   * `requested`, `accepted` (202), then `succeeded` (a 2xx NOTIFY, and we hang up, RFC 5589
   * §6) or `failed` (a refusal, a failed NOTIFY, or none within 32 s: the call stays).
   * @param shown - how the target is named in events
   * @returns false when the call is not connected or a transfer is under way
   */
  transfer(referTo: string, shown: string): boolean {
    const session = this.session;
    if (!session || this.transferring || (this.current !== 'connected' && this.current !== 'held' && this.current !== 'remote-held')) {
      return false;
    }
    const timer = this.deps.clock.setTimeout(this.deps.faults.wrap(this.dialogId, 'transfer timer', () => this.transferDone(false, undefined, 'no outcome within 32 s')), TRANSFER_TIMEOUT_MS);
    this.transferring = { to: shown, timer };
    this.deps.emit({ type: 'call.transfer', id: this.id, to: shown, state: 'requested' });
    try {
      session.refer(
        {
          onAccept: () => this.deps.emit({ type: 'call.transfer', id: this.id, to: shown, state: 'accepted' }),
          onReject: (response) => this.transferDone(false, response.message.statusCode, `${response.message.statusCode ?? 0} ${response.message.reasonPhrase ?? ''}`),
        },
        { extraHeaders: [`Refer-To: <${referTo}>`, `Referred-By: <${this.deps.aor}>`] },
      );
    } catch (error) {
      this.transferDone(false, undefined, `REFER not sent: ${String(error)}`);
    }
    return true;
  }

  /** A NOTIFY of our REFER's implicit subscription (RFC 3515 §2.4.4): progress, then the outcome. */
  private onNotify(request: IncomingNotifyRequest): void {
    request.accept();
    const event = (request.message.getHeader('event') ?? '').split(';')[0]?.trim().toLowerCase();
    if (event !== 'refer' || !this.transferring) {
      return;
    }
    const status = sipfragStatus(request.message.body ?? '');
    const terminated = /^\s*terminated/i.test(request.message.getHeader('subscription-state') ?? '');
    if (status !== undefined && status >= 200) {
      this.transferDone(status < 300, status, status < 300 ? undefined : request.message.body.trim().split(/\r?\n/)[0]);
    } else if (terminated) {
      this.transferDone(false, status, 'the transfer subscription ended without an outcome');
    }
  }

  private transferDone(ok: boolean, status: number | undefined, reason: string | undefined): void {
    const transferring = this.transferring;
    if (!transferring) {
      return;
    }
    this.transferring = undefined;
    this.deps.clock.clearTimeout(transferring.timer);
    this.deps.emit({
      type: 'call.transfer',
      id: this.id,
      to: transferring.to,
      state: ok ? 'succeeded' : 'failed',
      ...(status !== undefined && { status }),
      ...(reason !== undefined && { reason }),
    });
    if (ok) {
      this.hangUp('transferred');
    }
  }

  /**
   * Sends DTMF: RFC 4733 telephone-events in the audio when the other side negotiated them,
   * else one SIP INFO `application/dtmf-relay` per digit, in order.
   * @returns how the digits went, or false when the call is not connected
   */
  sendDtmf(digits: string): Promise<'rtp' | 'info' | false> {
    const next = this.dialing.then(() => this.sendDtmfNow(digits));
    this.dialing = next.catch(() => undefined);
    return next;
  }

  private async sendDtmfNow(digits: string): Promise<'rtp' | 'info' | false> {
    const session = this.session;
    if (!session || this.current === 'ended' || this.current === 'dialing' || this.current === 'ringing') {
      return false;
    }
    if (this.init.media.sendDtmf?.(digits) === true) {
      return 'rtp';
    }
    for (const digit of digits) {
      const status = await new Promise<number>((resolve) => {
        try {
          session.info(
            { onAccept: (r) => resolve(r.message.statusCode ?? 0), onReject: (r) => resolve(r.message.statusCode ?? 0) },
            { body: { contentDisposition: 'render', contentType: MIME_DTMF_RELAY, content: `Signal=${digit}\r\nDuration=100\r\n` } },
          );
        } catch (error) {
          this.log.debug('DTMF INFO not sent', { error: String(error) });
          resolve(0);
        }
      });
      if (status < 200 || status >= 300) {
        this.log.warn('DTMF INFO refused', { id: this.id, digit, status });
        return false;
      }
    }
    return 'info';
  }

  /**
   * After a reconnection: a re-INVITE with our new Contact and, when the engine can, a new ICE
   * offer (RFC 8445 §9), as the conference's MCU call does.
   */
  async recover(): Promise<RefreshOutcome> {
    if (!this.session || this.current === 'ended') {
      return 'gone';
    }
    let offer = withAudioDirection(this.localSdp, this.hold.offerDirection());
    const restarting = this.init.media.restartIce !== undefined;
    if (this.init.media.restartIce) {
      offer = withAudioDirection(await this.init.media.restartIce(), this.hold.offerDirection());
    }
    let answer = '';
    const outcome = await this.reinvite(offer, (sdp) => {
      answer = sdp;
    });
    if (outcome === 'refreshed' && restarting) {
      await this.init.media.acceptAnswer(answer);
    }
    if (outcome === 'gone') {
      this.end('the call did not survive the network change');
    }
    return outcome;
  }

  /** Ends a connected call from our side: BYE. */
  hangUp(reason = 'hung up'): void {
    if (this.current === 'ended') {
      return;
    }
    if (this.bye) {
      this.bye();
    } else {
      // Before the caller's ACK sip.js refuses a BYE: it goes when the ACK comes (and sip.js
      // sends one itself if the ACK never does, RFC 3261 §13.3.1.4).
      this.byeOwed = !byeQuietly(this.session, this.log);
    }
    this.end(reason);
  }

  /** Ends the call (the other side's BYE, a refusal, a fault…): media closed, reports stopped, `ended` once. */
  end(reason: string): void {
    if (this.current === 'ended' || this.ending) {
      return;
    }
    // Closing the media below reports `closed`, which must not end the call a second time.
    this.ending = true;
    this.deps.clock.clearTimeout(this.reportTimer);
    this.reportTimer = undefined;
    if (this.session) {
      this.reportMedia('closed');
    }
    this.init.media.close().catch((error: unknown) => this.log.debug('media close failed', { error: String(error) }));
    if (this.transferring) {
      this.deps.clock.clearTimeout(this.transferring.timer);
      this.transferring = undefined;
    }
    this.refresh?.cancel();
    this.refresh = undefined;
    // Ended without a BYE that sip.js took (the peer's BYE, 481/408, a fault): sip.js would keep
    // the dialog forever. A BYE still owed needs the dialog until the ACK.
    if (!this.byeOwed) {
      this.session?.dispose();
    }
    this.move('ended', reason);
    this.releases.splice(0).forEach((release) => release());
    this.deps.onEnded(this);
  }

  private async reinviteHold(held: boolean): Promise<boolean> {
    if (!this.session || this.current === 'ended' || this.current === 'dialing' || this.current === 'ringing') {
      return false;
    }
    const wasHeld = this.hold.local;
    this.hold.local = held;
    const offer = withAudioDirection(this.localSdp, this.hold.offerDirection());
    let answer: string | undefined;
    const outcome = await this.reinvite(offer, (sdp) => {
      answer = sdp;
    });
    if (outcome !== 'refreshed') {
      this.hold.local = wasHeld;
      this.log.warn(held ? 'hold refused' : 'resume refused', { id: this.id, outcome });
      return false;
    }
    this.localSdp = offer;
    if (answer) {
      this.hold.takeAnswer(answer);
    }
    this.applySending();
    this.settle();
    return true;
  }

  private reinvite(offer: string, onAnswer: (sdp: string) => void): Promise<RefreshOutcome> {
    const session = this.session;
    if (!session || this.dialogId === undefined) {
      return Promise.resolve('gone');
    }
    const refresh = refreshTarget({
      session,
      callId: this.dialogId,
      contact: this.deps.contact,
      body: { contentDisposition: 'session', contentType: SDP_CONTENT_TYPE, content: offer },
      onAccepted: (response) => onAnswer(response.message.body ?? ''),
      ownsCallId: this.ownsCallId,
      clock: this.deps.clock,
      faults: this.deps.faults,
      logger: this.log,
    });
    this.refresh = refresh;
    return refresh.outcome.finally(() => {
      if (this.refresh === refresh) {
        this.refresh = undefined;
      }
    });
  }

  /** The other side's re-INVITE: hold, resume, ICE restart, or a plain refresh. */
  private onReinvite(request: IncomingInviteRequest): void {
    const offer = request.message.body ?? '';
    const contact = [`Contact: ${this.deps.contact()}`];
    if (!this.acknowledged) {
      // A re-INVITE before the ACK of our 2xx: the first exchange is not over (RFC 3261 §14.2
      // has the peer wait); 491 makes it retry, and keeps sip.js from running two 2xx
      // retransmission timers on one dialog.
      request.reject({ statusCode: 491, reasonPhrase: 'Request Pending' });
      return;
    }
    if (offer.length > MAX_OFFER_BYTES) {
      request.reject({ statusCode: 488, reasonPhrase: 'Not Acceptable Here', extraHeaders: [warningHeader(`SDP re-offer larger than ${MAX_OFFER_BYTES} bytes`)] });
      return;
    }
    if (offer === '') {
      // An offerless re-INVITE (RFC 3264 §8): our description is the offer; the ACK has the answer.
      request.accept({ statusCode: 200, extraHeaders: contact, body: { contentDisposition: 'session', contentType: SDP_CONTENT_TYPE, content: this.localSdp } });
      return;
    }
    void this.answerReoffer(offer).then(
      (answer) => {
        request.accept({ statusCode: 200, extraHeaders: contact, body: { contentDisposition: 'session', contentType: SDP_CONTENT_TYPE, content: answer } });
        this.applySending();
        this.settle();
      },
      (error: unknown) => {
        this.log.warn('refusing a re-offer', { id: this.id, error: String(error) });
        request.reject({ statusCode: 488, reasonPhrase: 'Not Acceptable Here', extraHeaders: [warningHeader(`unusable re-offer: ${String(error)}`)] });
      },
    );
  }

  private async answerReoffer(offer: string): Promise<string> {
    let base = this.localSdp;
    const ice = iceCredentials(offer);
    if (ice !== this.remoteIce && this.init.media.reanswer) {
      base = await this.init.media.reanswer(offer);
      this.remoteIce = ice;
    }
    const answer = withAudioDirection(base, this.hold.takeOffer(offer));
    this.localSdp = answer;
    return answer;
  }

  /** INFO in the call: DTMF relay (`application/dtmf-relay`) is taken; anything else is 415. */
  private onInfo(request: IncomingInfoRequest): void {
    const type = mediaTypeOf(request.message.getHeader('content-type'));
    if (type !== MIME_DTMF_RELAY) {
      request.reject({ statusCode: 415, reasonPhrase: 'Unsupported Media Type', extraHeaders: [`Accept: ${MIME_DTMF_RELAY}`] });
      return;
    }
    const dtmf = parseDtmfRelay(request.message.body ?? '');
    if (!dtmf.ok) {
      request.reject({ statusCode: 400, reasonPhrase: 'Bad Request', extraHeaders: [warningHeader(dtmf.warning)] });
      return;
    }
    request.accept();
    this.deps.emit({ type: 'call.dtmf', id: this.id, digit: dtmf.digit, via: 'info' });
  }

  private applySending(): void {
    this.init.media.setMuted(this.userMuted || this.hold.silent);
  }

  /** Moves to the shown state the hold flags say, if that is a change. */
  private settle(): void {
    if (this.current === 'ended') {
      return;
    }
    const shown: CallState = this.hold.local ? 'held' : this.hold.remote ? 'remote-held' : 'connected';
    if (shown !== this.current) {
      this.move(shown);
    }
  }

  private move(next: CallState, reason?: string): void {
    this.current = transitionCall(this.current, next, this.id);
    this.deps.emit({
      type: 'call.state',
      id: this.id,
      state: next,
      peer: this.init.peer,
      conversationId: this.init.conversationId,
      outgoing: this.init.outgoing,
      ...(reason !== undefined && { reason }),
    });
  }

  private startReports(): void {
    const period = this.deps.mediaReportMs ?? 1000;
    const tick = this.deps.faults.wrap(this.dialogId, 'call media report', () => {
      this.reportMedia();
      this.reportTimer = this.deps.clock.setTimeout(tick, period);
    });
    this.reportTimer = this.deps.clock.setTimeout(tick, Math.min(period, 250));
  }

  private reportMedia(forced?: PublicMediaState): void {
    if (!this.session) {
      return;
    }
    const stats = this.init.media.stats();
    const state = forced ?? this.watch.observe(this.init.media.state, stats.packetsReceived);
    // A held call receives nothing by design: that is not an interruption.
    const shown = state === 'interrupted' && this.hold.silent ? 'connected' : state;
    this.deps.emit({
      type: 'call.media',
      id: this.id,
      state: shown,
      muted: this.userMuted,
      packetsSent: stats.packetsSent,
      packetsReceived: stats.packetsReceived,
      ...(stats.receivedLevel !== undefined && { level: Math.round(stats.receivedLevel * 1000) / 1000 }),
    });
  }
}
