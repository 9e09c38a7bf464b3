import type { UserAgent } from 'sip.js';
import type { AgentEvent, RosterUser } from '../../common/agent-events';
import type { Clock, TimerHandle } from '../ports/clock';
import type { Logger } from '../ports/logger';
import type { MediaEngine, MediaState } from '../ports/media';
import { FocusDialog } from './focus-dialog';
import { ConferenceIm } from '../im/conference-im';
import { McuCall } from './mcu-call';
import { MediaWatch, type PublicMediaState } from './media-watch';
import { deriveMcuUri } from './roster';
import { RosterSubscription } from './roster-subscription';
import { guardedTransition } from '../util/state-machine';
import type { FaultBoundary } from '../sip/fault-boundary';
import type { DialogRecovery, Recoverable } from '../sip/dialog-recovery';
import type { FocusJoinResult } from './focus-dialog';
import type { PreparedOffer } from './prepared-offer';

/**
 * States of the agent's participation in one conference.
 *
 * ```
 *  Joining --focus 200 success--> Joined --leave()--> Leaving --> Left
 *     |                           |    ^
 *     |          transport lost   v    |  focus refreshed (or rejoined), roster and audio back
 *     |                        Reconnecting --rejoin refused / leave()--> Leaving / Left
 *     +--refused / failed-----> Left <--focus BYE or conference deleted (from Joined)
 * ```
 * Media (the MCU leg) has its own states, reported as `media` events, because losing it
 * (an MCU BYE) leaves the agent in the conference.
 * @public
 */
export type ConferenceState = 'Joining' | 'Joined' | 'Reconnecting' | 'Leaving' | 'Left';

const LEGAL: Readonly<Record<ConferenceState, readonly ConferenceState[]>> = {
  Joining: ['Joined', 'Left', 'Leaving'],
  Joined: ['Leaving', 'Left', 'Reconnecting'],
  Reconnecting: ['Joined', 'Leaving', 'Left'],
  Leaving: ['Left'],
  Left: [],
};
const transitionConference = guardedTransition('conference', LEGAL);

/** What a conference needs from the engine. */
export type ConferenceDeps = {
  readonly ua: UserAgent;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly media: MediaEngine;
  readonly emit: (event: AgentEvent) => void;
  readonly faults: FaultBoundary;
  /** Suspends the conference on transport loss and recovers it once registered again. */
  readonly recovery?: DialogRecovery;
  readonly nextRequestId: () => number;
  /** A fresh GUID (RFC 4122), for our endpoint entity. */
  readonly newGuid: () => string;
  /** Called once the conference reached Left, so the manager forgets it. */
  readonly onLeft: (conference: Conference) => void;
  /** The conversation the conference belongs to (the invitation's `Ms-Conversation-ID`). */
  readonly conversationId?: string;
  /** The invitation offered IM (`im available="true"`): join the IM MCU at once. */
  readonly im?: boolean;
  /**
   * Dial the A/V MCU once joined (default true). False when the invitation said
   * `<audio available="false"/>`: the agent joins the modalities offered, as Lync does, and
   * {@link Conference.reconnectAudio} adds audio later (protocol notes §1.1, open question 35).
   */
  readonly audio?: boolean;
  /** A fresh id for a received instant message. */
  readonly newMessageId?: () => string;
  /**
   * The A/V MCU's media session and offer, made while the invitation rang: the first dial of
   * the MCU uses them; the conference closes them if it never dials (see {@link PreparedOffer}).
   */
  readonly prepared?: PreparedOffer;
};

/** Tunables of a conference join. */
export type ConferenceOptions = {
  /** Role asked for in addUser; the focus grants what policy allows. */
  readonly role?: string;
  /** Period of `media` events while media is up. */
  readonly mediaReportMs?: number;
  readonly sessionExpiresSec?: number;
  /** Shortest session interval accepted from the focus (RFC 4028 Min-SE; tests lower it). */
  readonly minSessionExpiresSec?: number;
};

/**
 * One conference the agent joined by itself after accepting an invitation: the focus dialog
 * (C3P addUser), the roster subscription, and the A/V MCU dialog with real media.
 * @remarks Join order and leave order follow pidgin-sipe (protocol-notes §1.2, §1.3): join the
 * focus, subscribe, then INVITE the MCU whose URI the roster's `conf-uris` gives (derived from
 * the focus URI when absent, open question 6). Leaving: unsubscribe, BYE focus, BYE MCU.
 * An invitation that says audio is not available is joined without the MCU dialog: each MCU is
 * a media session of its own beside the focus session, joined by its own direct INVITE
 * (protocol-notes §1.3, [MSDOC OCS-JOIN dd572706]; open question 35). Media then reads `none`
 * until {@link Conference.reconnectAudio} dials the MCU.
 * @public
 */
export class Conference implements Recoverable {
  private state: ConferenceState = 'Joining';
  private focus: FocusDialog;
  private readonly subscription: RosterSubscription;
  private mcu: McuCall | undefined;
  /** The IM MCU dialog, once the invitation or the roster said IM is available. */
  private im: ConferenceIm | undefined;
  private mediaState: MediaState = 'new';
  /** What the agent is told of the media (never `connected` while nothing arrives). */
  private watch: MediaWatch;
  private shownMedia: PublicMediaState | undefined;
  private muted = false;
  private reportTimer: TimerHandle | undefined;
  private readonly endpointEntity: string;
  private readonly log: Logger;
  private readonly self: string;
  /** Fault-boundary registrations of our dialogs, released when we leave. */
  private readonly releases: (() => void)[] = [];
  private unrecover: (() => void) | undefined;
  /** Media prepared while the invitation rang, until the first dial of the MCU takes it. */
  private prepared: PreparedOffer | undefined;

  constructor(
    private readonly deps: ConferenceDeps,
    readonly focusUri: string,
    private readonly options: ConferenceOptions = {},
  ) {
    this.log = deps.logger.child('conference');
    this.prepared = deps.prepared;
    this.watch = new MediaWatch(deps.clock);
    // [MS-CONFBAS] 2.2.3.15: the endpoint entity SHOULD be a GUID; pidgin-sipe braces it.
    this.endpointEntity = `{${deps.newGuid().toUpperCase()}}`;
    this.self = deps.ua.userAgentCore.configuration.aor.toString().toLowerCase();
    this.focus = this.makeFocus();
    this.subscription = new RosterSubscription(deps.ua, deps.logger, focusUri, deps.faults);
    this.subscription.onChange = () => this.onRosterChange();
    this.subscription.onEnded = () => void this.end('the conference ended', { byeFocus: true });
    this.subscription.onDialog = (callId) => this.reportDialog('roster', callId, focusUri);
  }

  private makeFocus(): FocusDialog {
    const { deps, options } = this;
    const focus = new FocusDialog(deps.ua, deps.clock, deps.logger, deps.faults, this.focusUri, options.sessionExpiresSec, options.minSessionExpiresSec);
    focus.onRemoteBye = (reason) => {
      if (this.focus === focus) {
        void this.end(`removed by the focus: ${reason}`, { byeFocus: false });
      }
    };
    focus.onExpired = (reason) => {
      if (this.focus === focus) {
        void this.end(`the conference session ended: ${reason}`, { byeFocus: false });
      }
    };
    focus.onDialog = (callId) => {
      this.reportDialog('focus', callId, this.focusUri);
      this.unrecover?.();
      this.unrecover = this.deps.recovery?.register(callId, this);
    };
    return focus;
  }

  private reportDialog(role: 'focus' | 'roster' | 'mcu' | 'im', callId: string, peer: string): void {
    this.releases.push(this.deps.faults.own(callId, (reason) => this.onFault(role, reason)));
    if (this.deps.conversationId !== undefined) {
      this.deps.emit({ type: 'dialog', conversationId: this.deps.conversationId, callId, role, peer });
    }
  }

  /** Current state. */
  get current(): ConferenceState {
    return this.state;
  }

  /**
   * Joins the focus, subscribes to the roster, joins the chat when offered, and connects media
   * unless the invitation offered no audio ({@link ConferenceDeps.audio}).
   */
  async join(): Promise<void> {
    const result = await this.focus.join(this.deps.nextRequestId(), this.options.role ?? 'attendee', this.endpointEntity);
    if (this.state !== 'Joining') {
      return;
    }
    if (!result.ok) {
      this.discardPrepared();
      const message = `joining ${this.focusUri} failed: ${result.reason}`;
      this.log.warn(message);
      this.deps.emit({ type: 'error', code: 'conference-failed', message });
      this.transition('Left');
      // The focus dialog registered with the fault boundary when it was built; nothing else will release it.
      this.releases.splice(0).forEach((release) => release());
      this.unrecover?.();
      this.unrecover = undefined;
      this.deps.emit({ type: 'conference.left', focusUri: this.focusUri, reason: message });
      this.deps.onLeft(this);
      return;
    }
    this.transition('Joined');
    this.deps.emit({ type: 'conference.state', focusUri: this.focusUri, state: 'joined' });
    this.deps.emit({
      type: 'conference.joined',
      focusUri: this.focusUri,
      ...(this.deps.conversationId !== undefined && { conversationId: this.deps.conversationId }),
      ...(result.grantedRole !== undefined && { role: result.grantedRole }),
    });
    this.subscription.subscribe();
    if (this.deps.im === true) {
      void this.connectIm();
    }
    if (this.deps.audio === false) {
      this.discardPrepared();
      this.log.info('the invitation offered no audio; joined without dialling the A/V MCU', { focusUri: this.focusUri });
      this.reportMedia();
      return;
    }
    await this.connectMedia();
  }

  /**
   * Joins the IM MCU (im-presence §1.1): its URI from the roster's `conf-uris` (purpose `chat`),
   * else derived from the focus URI (open question 6). Once per join; a chat the MCU ended
   * stays ended until the agent joins the conference again.
   */
  private async connectIm(): Promise<void> {
    const chatUri = this.subscription.roster.mcuUri('chat') ?? deriveMcuUri(this.focusUri, 'chat');
    if (this.im !== undefined || !chatUri || !this.inConference()) {
      return;
    }
    const conversationId = this.deps.conversationId ?? this.focusUri;
    let n = 0;
    this.im = new ConferenceIm(
      {
        ua: this.deps.ua,
        clock: this.deps.clock,
        logger: this.deps.logger,
        faults: this.deps.faults,
        emit: this.deps.emit,
        focusUri: this.focusUri,
        conversationId,
        onDialog: (callId) => this.reportDialog('im', callId, chatUri),
        newMessageId: this.deps.newMessageId ?? (() => `r${++n}`),
      },
      chatUri,
    );
    await this.im.connect();
  }

  /**
   * Sends an instant message into the conference's chat.
   * @returns false when the conference has no chat (not offered, refused or ended)
   */
  sendIm(messageId: string, text: string, contentType?: 'text/plain' | 'text/html'): boolean {
    return this.im?.send(messageId, text, contentType) ?? false;
  }

  /** Whether a BENOTIFY with this Call-ID belongs to our IM dialog. */
  ownsImDialog(callId: string): boolean {
    return this.im?.owns(callId) ?? false;
  }

  /** A delivery report that came as BENOTIFY in our IM dialog. */
  applyImReport(body: string): void {
    this.im?.deliveryReport(body);
  }

  /** Leaves: unsubscribe, BYE the focus, BYE the MCU. */
  leave(reason = 'left by the agent'): Promise<void> {
    return this.end(reason, { byeFocus: true });
  }

  /** Mutes or unmutes locally and announces it to the focus. */
  async setMuted(muted: boolean): Promise<void> {
    this.muted = muted;
    this.mcu?.media.setMuted(muted);
    this.reportMedia();
    const me = this.subscription.roster.user(this.selfEntity() ?? '');
    const endpoint = me?.endpoints.find((e) => e.sessionType === 'audio-video');
    const audio = endpoint?.media.find((m) => m.type === 'audio');
    const mcuUri = this.mcu?.mcuUri;
    if (!me || !endpoint || !audio?.id || !mcuUri) {
      this.log.info('mute applied locally; the roster has no A/V endpoint of ours to announce it for yet');
      return;
    }
    const status = await this.focus.announceMute({
      requestId: this.deps.nextRequestId(),
      mcuUri,
      userEntity: me.entity,
      endpointEntity: endpoint.entity,
      mediaId: audio.id,
      muted,
    });
    if (status !== 202 && status !== 200) {
      this.log.warn('the focus did not take our mute announcement', { status });
    }
  }

  /** Whether a request with these Call-ID and tags belongs to our roster subscription. */
  ownsRosterDialog(callId: string, fromTag: string | undefined, toTag: string | undefined): boolean {
    return this.subscription.owns(callId, fromTag, toTag);
  }

  /** Feeds a BENOTIFY of our roster subscription (the manager checked {@link Conference.ownsRosterDialog}). */
  applyBenotify(body: string): void {
    this.subscription.applyBenotify(body);
  }

  /**
   * One of our dialogs' handlers failed (the fault boundary): an MCU fault costs the audio
   * (Reconnect audio brings it back); a focus or roster fault ends the conference for us.
   */
  private onFault(role: 'focus' | 'roster' | 'mcu' | 'im', reason: string): void {
    if (role === 'im') {
      this.im?.leave(`chat ended by a fault: ${reason}`);
      return;
    }
    if (role === 'mcu') {
      this.stopReports();
      this.mcu?.hangUp();
      if (this.mcu && this.mediaState !== 'closed') {
        this.mediaState = 'closed';
        this.reportMedia();
      }
      return;
    }
    void this.end(reason, { byeFocus: true });
  }

  /** Joined, or joined and reconnecting: the conference is ours until we leave or are removed. */
  private inConference(): boolean {
    return this.state === 'Joined' || this.state === 'Reconnecting';
  }

  /** The transport is gone ({@link DialogRecovery}): say so, and hold the focus's session refresh. */
  suspend(): void {
    if (this.state !== 'Joined') {
      return;
    }
    this.transition('Reconnecting');
    this.focus.suspend();
    this.im?.suspend();
    this.log.warn('connection lost; the conference waits for it', { focusUri: this.focusUri });
    this.deps.emit({ type: 'conference.state', focusUri: this.focusUri, state: 'reconnecting', reason: 'the connection to the server was lost' });
  }

  /**
   * Registered again on a new connection: refresh the focus dialog's target, or, when the focus
   * dropped us meanwhile (481, 408, any final refusal), join again with a new C3P addUser as a
   * Lync client does; then subscribe afresh for the roster as it is now, and refresh (or redial)
   * the audio. The agent's mute state is kept.
   */
  recover(): void {
    if (this.state !== 'Reconnecting') {
      return;
    }
    void this.recoverDialogs().catch((error: unknown) => this.end(`reconnecting failed: ${String(error)}`, { byeFocus: true }));
  }

  private async recoverDialogs(): Promise<void> {
    const focus = await this.focus.refreshTarget();
    if (this.state !== 'Reconnecting') {
      return;
    }
    if (focus !== 'refreshed') {
      this.log.info('the focus no longer has us; joining again', { focusUri: this.focusUri, outcome: focus });
      const rejoined = await this.rejoinFocus();
      if (this.state !== 'Reconnecting') {
        return;
      }
      if (!rejoined.ok) {
        await this.end(`could not rejoin after reconnecting: ${rejoined.reason}`, { byeFocus: false });
        return;
      }
    }
    this.subscription.resubscribe();
    void this.recoverIm();
    await this.recoverMedia();
    if (this.state !== 'Reconnecting') {
      return;
    }
    this.transition('Joined');
    const how = focus === 'refreshed' ? 'reconnected' : 'rejoined with a new addUser';
    this.log.info(`conference ${how}`, { focusUri: this.focusUri });
    this.deps.emit({ type: 'conference.state', focusUri: this.focusUri, state: 'joined', reason: how });
  }

  private rejoinFocus(): Promise<FocusJoinResult> {
    this.focus.bye();
    this.focus = this.makeFocus();
    return this.focus.join(this.deps.nextRequestId(), this.options.role ?? 'attendee', this.endpointEntity);
  }

  /** The IM dialog is refreshed like the focus; if the IM MCU dropped it, the chat is joined again. */
  private async recoverIm(): Promise<void> {
    const im = this.im;
    if (!im || im.state === 'ended') {
      return;
    }
    const outcome = await im.refreshTarget();
    if (outcome !== 'refreshed' && this.im === im && this.inConference()) {
      this.log.info('the IM MCU no longer has us; joining the chat again', { outcome });
      im.leave('rejoining the chat after reconnecting');
      this.im = undefined;
      await this.connectIm();
    }
  }

  /** The MCU dialog is refreshed like the focus; if the MCU dropped it, the audio is dialled again. */
  private async recoverMedia(): Promise<void> {
    const mcu = this.mcu;
    if (!mcu || this.mediaState === 'failed' || this.mediaState === 'closed') {
      return; // no audio to recover: Reconnect audio stays the agent's choice
    }
    const outcome = await mcu.refreshTarget();
    if (outcome !== 'refreshed' && this.mcu === mcu && this.inConference()) {
      this.log.info('the MCU no longer has our audio; dialling it again', { outcome });
      mcu.hangUp();
      await this.connectMedia();
    }
  }

  /**
   * Dials the A/V MCU: audio the invitation did not offer (media `none`), or audio again after
   * media failed or the MCU hung up, staying in the conference (a direct INVITE to the MCU,
   * protocol-notes §1.3).
   * @returns false when not joined, or when media is up or still connecting.
   */
  reconnectAudio(): boolean {
    const ended = this.mcu === undefined || this.mediaState === 'failed' || this.mediaState === 'closed';
    if (this.state !== 'Joined' || !ended) {
      return false;
    }
    this.mcu?.hangUp();
    this.log.info('reconnecting audio');
    void this.connectMedia();
    return true;
  }

  private async connectMedia(): Promise<void> {
    const mcuUri = this.subscription.roster.mcuUri('audio-video') ?? deriveMcuUri(this.focusUri);
    if (!mcuUri) {
      this.discardPrepared();
      this.log.warn('no A/V MCU URI for this conference; staying without audio');
      return;
    }
    const prepared = this.prepared?.take();
    this.prepared = undefined;
    const media = prepared?.session ?? this.deps.media.createSession({ focusUri: this.focusUri });
    this.watch = new MediaWatch(this.deps.clock);
    const mcu = new McuCall(this.deps.ua, this.deps.logger, this.deps.faults, this.deps.clock, mcuUri, media, prepared?.offer);
    this.mcu = mcu;
    media.onStateChange((state) => {
      if (this.mcu !== mcu || state === this.mediaState) {
        return;
      }
      const wasEnded = this.mediaState === 'failed' || this.mediaState === 'closed';
      this.mediaState = state;
      this.reportMedia();
      if (!wasEnded && (state === 'failed' || state === 'closed') && this.inConference()) {
        // Media died under us (ICE consent lost, or the window that ran it went away): end the
        // MCU dialog too, so the MCU does not keep a silent participant (RFC 7675 §5.1).
        this.log.warn('media ended; hanging up the MCU dialog', { state });
        this.stopReports();
        mcu.hangUp();
      }
    });
    media.setMuted(this.muted);
    mcu.onDialog = (callId) => this.reportDialog('mcu', callId, mcuUri);
    mcu.onRemoteBye = (reason) => {
      this.log.info('the MCU ended our media', { reason });
      this.mediaState = 'closed';
      this.reportMedia();
      this.stopReports();
    };
    this.mediaState = 'connecting';
    this.reportMedia();
    this.startReports();
    const result = await mcu.connect();
    if (!result.ok && this.inConference() && this.mcu === mcu) {
      this.mediaState = 'failed';
      this.reportMedia();
      this.stopReports();
      this.deps.emit({ type: 'error', code: 'conference-failed', message: `audio to ${mcuUri} failed: ${result.reason}` });
    }
  }

  private onRosterChange(): void {
    const roster = this.subscription.roster;
    if (this.im === undefined && this.state === 'Joined' && roster.listsPurpose('chat')) {
      // The invitation did not offer IM, but the conference has a chat: join it (im-presence §1.1).
      void this.connectIm();
    }
    const users: RosterUser[] = roster.users().map((u) => ({
      entity: u.entity,
      ...(u.displayText !== undefined && { displayText: u.displayText }),
      roles: u.roles,
      self: u.entity.toLowerCase() === this.self,
      modalities: u.modalities,
    }));
    this.deps.emit({
      type: 'roster',
      focusUri: this.focusUri,
      ...(roster.subject !== undefined && { subject: roster.subject }),
      users,
    });
  }

  private selfEntity(): string | undefined {
    return this.subscription.roster.users().find((u) => u.entity.toLowerCase() === this.self)?.entity;
  }

  private async end(reason: string, how: { byeFocus: boolean }): Promise<void> {
    if (this.state === 'Leaving' || this.state === 'Left') {
      return;
    }
    const wasJoining = this.state === 'Joining';
    this.transition(wasJoining ? 'Left' : 'Leaving');
    this.discardPrepared();
    this.stopReports();
    await this.subscription.unsubscribe();
    if (how.byeFocus) {
      this.focus.bye();
    }
    this.mcu?.hangUp();
    this.im?.leave(reason);
    if (this.mcu && this.mediaState !== 'closed') {
      this.mediaState = 'closed';
      this.reportMedia();
    }
    if (!wasJoining) {
      this.transition('Left');
    }
    this.releases.splice(0).forEach((release) => release());
    this.unrecover?.();
    this.unrecover = undefined;
    this.deps.emit({ type: 'conference.state', focusUri: this.focusUri, state: 'left', reason });
    this.deps.emit({ type: 'conference.left', focusUri: this.focusUri, reason });
    this.deps.onLeft(this);
  }

  /**
   * Reports media every `mediaReportMs` (1 s), and checks twice a second whether the state the
   * agent sees changed (audio stopped or came back), reporting that at once.
   */
  private startReports(): void {
    const period = this.options.mediaReportMs ?? 1000;
    const check = Math.min(period, 500);
    let sinceReport = 0;
    const tick = this.deps.faults.wrap(undefined, 'media report timer', () => {
      sinceReport += check;
      if (sinceReport >= period || this.observeMedia() !== this.shownMedia) {
        sinceReport = 0;
        this.reportMedia();
      }
      this.reportTimer = this.deps.clock.setTimeout(tick, check);
    });
    this.stopReports();
    this.reportTimer = this.deps.clock.setTimeout(tick, check);
  }

  private observeMedia(): PublicMediaState | undefined {
    return this.mcu ? this.watch.observe(this.mediaState, this.mcu.media.stats().packetsReceived) : undefined;
  }

  private stopReports(): void {
    this.deps.clock.clearTimeout(this.reportTimer);
    this.reportTimer = undefined;
  }

  private reportMedia(): void {
    if (!this.mcu) {
      this.reportNoAudio();
      return;
    }
    const stats = this.mcu.media.stats();
    const state = this.watch.observe(this.mediaState, stats.packetsReceived);
    if (state !== this.shownMedia && (state === 'interrupted' || this.shownMedia === 'interrupted')) {
      this.log.warn(state === 'interrupted' ? 'no audio from the conference' : 'audio from the conference again', { focusUri: this.focusUri, packetsReceived: stats.packetsReceived });
    }
    this.shownMedia = state;
    this.deps.emit({
      type: 'media',
      focusUri: this.focusUri,
      state,
      muted: this.muted,
      packetsSent: stats.packetsSent,
      packetsReceived: stats.packetsReceived,
      bytesSent: stats.bytesSent,
      bytesReceived: stats.bytesReceived,
      ...(stats.receivedLevel !== undefined && { level: Math.round(stats.receivedLevel * 1000) / 1000 }),
    });
  }

  /**
   * Media `none`: joined without audio because the invitation offered none (open question 35).
   * Nothing is said while joining, or when audio was meant to be dialled (no MCU URI: as before).
   */
  private reportNoAudio(): void {
    if (this.deps.audio !== false || !this.inConference()) {
      return;
    }
    this.deps.emit({ type: 'media', focusUri: this.focusUri, state: 'none', muted: this.muted, packetsSent: 0, packetsReceived: 0, bytesSent: 0, bytesReceived: 0 });
  }

  /** Closes the media prepared while the invitation rang, when no dial of the MCU took it. */
  private discardPrepared(): void {
    this.prepared?.discard();
    this.prepared = undefined;
  }

  /** The one guarded state change. */
  private transition(next: ConferenceState): void {
    this.state = transitionConference(this.state, next, this.focusUri);
  }
}
