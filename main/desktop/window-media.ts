import type { MediaCommand, MediaReply, MediaReport } from '../../common/media-link';
import type { Logger } from '../../core/ports/logger';
import {
  MediaNegotiationError,
  type MediaEngine,
  type MediaSession,
  type MediaSessionOptions,
  type MediaState,
  type MediaStats,
} from '../../core/ports/media';
import { LoopbackGuard, type LoopbackStep } from './loopback-guard';

/** A window that offered to carry audio (`media.attach`), as the router sees it. */
export type MediaWindow = {
  /** Delivers one command to this window alone. */
  readonly send: (command: MediaCommand) => void;
};

/** The devices chosen in Settings (`MediaDeviceInfo.deviceId`s); absent means the system default. */
export type ChosenDevices = { readonly microphone?: string; readonly speaker?: string };

/** What a session carries audio for: a conference (its focus URI) or a two-party call (its id). */
export type MediaSubject = { readonly focusUri: string; readonly callId?: never } | { readonly callId: string; readonly focusUri?: never };

/** Where one conference's or call's audio runs, for the conversation window to show. */
export type AudioPlacement = MediaSubject & {
  readonly where: 'window' | 'host';
  readonly microphone?: string;
  readonly speaker?: string;
  readonly problem?: string;
};

/** The subject named by a session's options, if any: a conference wins over a call. */
function subjectOf(options: MediaSessionOptions): MediaSubject | undefined {
  if (options.focusUri !== undefined) {
    return { focusUri: options.focusUri };
  }
  return options.callId !== undefined ? { callId: options.callId } : undefined;
}

/** Options of {@link WindowMediaRouter}. */
export type WindowMediaRouterOptions = {
  /** Used when no window can carry the audio (werift in this process). */
  readonly host: MediaEngine;
  readonly logger: Logger;
  /** The devices to capture and play on, read at each offer. */
  readonly devices: () => ChosenDevices;
  /**
   * Whether the peer may be on 127.0.0.1 (the embedded lab's MCU and phone), so a window's offer
   * or answer must reach loopback.
   */
  readonly needsLoopback: () => boolean;
  /** Told where each conference's or call's audio runs, and again when its devices change. */
  readonly onAudio: (placement: AudioPlacement) => void;
  /** How long a window may take to capture and offer or answer (a permission prompt may be open). */
  readonly offerTimeoutMs?: number;
  readonly answerTimeoutMs?: number;
};

const NO_STATS: MediaStats = { packetsSent: 0, packetsReceived: 0, bytesSent: 0, bytesReceived: 0 };

/**
 * The desktop's {@link MediaEngine}: conference and call audio runs in a window's WebRTC stack,
 * with the microphone and speaker the agent chose, and falls back to the host's own engine when
 * no window can carry it (none is open, or the peer is on loopback and the window's offer or
 * answer has no 127.0.0.1 candidate).
 *
 * @remarks
 * The newest attached window carries new sessions; a session stays with its window until it
 * ends, and ends (`closed`) when that window goes away, which makes the conference hang up its
 * MCU dialog (see `Conference`) and a call hang up. Offer/answer follows RFC 3264 with complete
 * SDP, exactly as the host engine does, so the peer cannot tell them apart: the window offers
 * (the MCU leg, a call the agent places) or answers (a call to the agent, RFC 3264 §6), answers
 * an ICE restart (RFC 8445 §9.2), and sends DTMF as RFC 4733 events through its
 * `RTCDTMFSender`. It cannot hear RFC 4733 events (Chromium does not expose received ones), so
 * its sessions have no `onDtmf`; SIP INFO digits still reach the call.
 * @public
 */
export class WindowMediaRouter implements MediaEngine {
  private readonly windows: MediaWindow[] = [];
  private readonly sessions = new Map<string, WindowMediaSession>();
  private nextId = 1;
  private ringing = false;
  private ringer: MediaWindow | undefined;
  private readonly log: Logger;

  constructor(private readonly options: WindowMediaRouterOptions) {
    this.log = options.logger.child('window-media');
  }

  /**
   * Lets `window` carry the audio of conferences joined and calls made or taken from now on.
   * @returns Detach: call it when the window goes away; its sessions end.
   */
  attach(window: MediaWindow): () => void {
    this.windows.push(window);
    this.log.info('a window carries audio', { windows: this.windows.length });
    if (this.ringing) {
      this.ring(true);
    }
    return () => {
      const index = this.windows.indexOf(window);
      if (index < 0) {
        return;
      }
      this.windows.splice(index, 1);
      if (this.ringer === window) {
        this.ringer = undefined;
        if (this.ringing) {
          this.ring(true);
        }
      }
      for (const session of [...this.sessions.values()]) {
        if (session.window === window) {
          session.windowGone();
        }
      }
    };
  }

  createSession(options: MediaSessionOptions = {}): MediaSession {
    const subject = subjectOf(options);
    const placer = options.ahead === true ? holdPlacements(this.options.onAudio) : { place: this.options.onAudio, release: () => undefined };
    const window = this.windows.at(-1);
    if (window === undefined) {
      return this.hostSession(options, 'No Switchboard window is open to carry audio, so it runs in the host without your microphone and speaker.', placer);
    }
    const id = `m${this.nextId++}`;
    const session = new WindowMediaSession(id, window, subject, this.options, () => this.sessions.delete(id), options.ahead === true, placer);
    this.sessions.set(id, session);
    if (subject !== undefined) {
      placer.place({ ...subject, where: 'window' });
    }
    if (!this.options.needsLoopback()) {
      return session;
    }
    // Only the description itself says whether the window reaches 127.0.0.1: before the page may
    // use the microphone, Chromium hides its host candidates behind mDNS names.
    return new LoopbackGuard(session, (step: LoopbackStep) =>
      this.hostSession(
        options,
        `This browser cannot reach the embedded lab over WebRTC (its ${step} has no 127.0.0.1 candidate), so audio runs in the host without your microphone and speaker. The desktop app, or Chromium started with --allow-loopback-in-peer-connection, uses them.`,
        placer,
      ),
    );
  }

  private hostSession(options: MediaSessionOptions, problem: string, placer: Placer): MediaSession {
    this.log.info('audio runs in the host', { focusUri: options.focusUri, callId: options.callId, windows: this.windows.length });
    const subject = subjectOf(options);
    if (subject !== undefined) {
      placer.place({ ...subject, where: 'host', problem });
    }
    const session = this.options.host.createSession(options);
    // A host session made ahead is past `new` only once it has an answer, i.e. after Accept.
    const off = session.onStateChange((state) => {
      if (state !== 'new') {
        off();
        placer.release();
      }
    });
    return session;
  }

  /**
   * Takes a window's reply to an offer or answer command.
   * @returns false when `from` does not carry that session (a stale or foreign reply).
   */
  reply(from: MediaWindow, reply: MediaReply): boolean {
    const session = this.sessions.get(reply.mediaId);
    if (session?.window !== from) {
      this.log.warn('media reply for a session this window does not carry', { mediaId: reply.mediaId });
      return false;
    }
    session.applyReply(reply);
    return true;
  }

  /** Takes a window's state report; false as for {@link WindowMediaRouter.reply}. */
  report(from: MediaWindow, report: MediaReport): boolean {
    const session = this.sessions.get(report.mediaId);
    if (session?.window !== from) {
      return false;
    }
    session.applyReport(report);
    return true;
  }

  /**
   * Rings in the newest window (it has the speaker), or stops the ring wherever it plays.
   * @remarks A window that attaches while something rings starts ringing too, so a page opened
   * (or reloaded) during an invitation is not silent.
   */
  ring(ringing: boolean): void {
    this.ringing = ringing;
    const { speaker } = this.options.devices();
    if (!ringing) {
      this.ringer?.send({ op: 'ring', ringing: false });
      this.ringer = undefined;
      return;
    }
    const window = this.windows.at(-1);
    if (window !== undefined && window !== this.ringer) {
      this.ringer?.send({ op: 'ring', ringing: false });
      this.ringer = window;
      window.send({ op: 'ring', ringing: true, ...(speaker !== undefined && { speaker }) });
    }
  }

  /** The agent chose other devices: every window carrying a session switches now. */
  devicesChanged(): void {
    const devices = this.options.devices();
    const carrying = new Set([...this.sessions.values()].map((s) => s.window));
    for (const window of carrying) {
      window.send({ op: 'devices', ...devices });
    }
  }

  /** Sessions in progress, for tests and diagnostics. */
  get sessionCount(): number {
    return this.sessions.size;
  }
}

/** Tells where a session's audio runs; {@link holdPlacements} for a session made ahead. */
type Placer = { readonly place: (placement: AudioPlacement) => void; readonly release: () => void };

/**
 * Holds where a session made ahead (while an invitation rings) runs until the agent accepted:
 * the conversation it belongs to only exists from then on, and a placement told before would be
 * lost. The last one held is told on release; later ones go straight through.
 */
function holdPlacements(tell: (placement: AudioPlacement) => void): Placer {
  let held: AudioPlacement | undefined;
  let released = false;
  return {
    place: (placement) => {
      if (released) {
        tell(placement);
      } else {
        held = placement;
      }
    },
    release: () => {
      if (!released) {
        released = true;
        if (held !== undefined) {
          tell(held);
        }
        held = undefined;
      }
    },
  };
}

type Step = MediaReply['op'];

/** DTMF digits a window may send (RFC 4733 §3.2's sixteen events), at most 32 at a time. */
const DTMF_DIGITS = /^[0-9*#A-D]{1,32}$/i;
type PendingStep = {
  readonly step: Step;
  readonly resolve: (reply: MediaReply) => void;
  readonly reject: (error: MediaNegotiationError) => void;
  /** Unset while an `ahead` offer waits for the agent: ringing is bounded by the invitation's own timeout. */
  timer: ReturnType<typeof setTimeout> | undefined;
  readonly timeoutMs: number;
};

/** Where a session is in its offer/answer exchanges: the first, then ICE restarts (as in the host engine). */
type Phase = 'idle' | 'offering' | 'offered' | 'answering' | 'negotiated' | 'ended';

/** One window-carried session; it is a {@link MediaSession} to the conference or call. */
class WindowMediaSession implements MediaSession {
  private phase: Phase = 'idle';
  private currentState: MediaState = 'new';
  private isMuted = false;
  private counters: MediaStats = NO_STATS;
  private pending: PendingStep | undefined;
  /** Whether the window holds the session (its first offer or answer came): mute commands reach it from then on. */
  private held = false;
  /** Whether the window's last report said it can send RFC 4733 events (negotiated, and media flowing). */
  private canDtmf = false;
  private devicesShown = '';
  private readonly listeners = new Set<(state: MediaState) => void>();

  constructor(
    readonly id: string,
    readonly window: MediaWindow,
    private readonly subject: MediaSubject | undefined,
    private readonly options: WindowMediaRouterOptions,
    private readonly forget: () => void,
    /** Made while an invitation rings: the window must not prompt until {@link WindowMediaSession.accepted}. */
    private ahead: boolean,
    private readonly placer: Placer,
  ) {}

  get state(): MediaState {
    return this.currentState;
  }

  get muted(): boolean {
    return this.isMuted;
  }

  async createOffer(): Promise<string> {
    this.enter('idle', 'offering', 'createOffer');
    const devices = this.options.devices();
    // An offer made ahead may wait for the agent (and then a prompt): its time starts at accept.
    const reply = await this.ask(
      'offer',
      this.options.offerTimeoutMs ?? 30_000,
      {
        op: 'offer',
        mediaId: this.id,
        ...(this.subject?.focusUri !== undefined && { focusUri: this.subject.focusUri }),
        ...devices,
        ...(this.ahead && { ahead: true }),
      },
      !this.ahead,
    );
    if (reply.sdp === undefined) {
      throw this.fail(new MediaNegotiationError('invalid-state', 'the window replied to the offer without SDP'));
    }
    this.phase = 'offered';
    this.takeHold();
    return reply.sdp;
  }

  /**
   * ICE restart in the window's WebRTC stack (RFC 8445 §9; JSEP `restartIce()`, RFC 8829
   * §4.1.18): its reply is a new complete offer with fresh credentials; then
   * {@link WindowMediaSession.acceptAnswer}. The track, mute state and DTLS carry on.
   */
  async restartIce(): Promise<string> {
    this.enter('negotiated', 'offering', 'restartIce');
    const reply = await this.ask('restart', this.options.offerTimeoutMs ?? 30_000, { op: 'restart', mediaId: this.id });
    if (reply.sdp === undefined) {
      throw this.fail(new MediaNegotiationError('invalid-state', 'the window replied to the ICE restart without SDP'));
    }
    this.phase = 'offered';
    return reply.sdp;
  }

  async acceptAnswer(sdp: string): Promise<void> {
    this.enter('offered', 'answering', 'acceptAnswer');
    await this.ask('answer', this.options.answerTimeoutMs ?? 10_000, { op: 'answer', mediaId: this.id, sdp });
    this.phase = 'negotiated';
  }

  /**
   * Answering side (a call to the agent): the window takes the caller's offer, captures the
   * chosen microphone and replies with a complete answer (RFC 3264 §6; JSEP RFC 8829 §5.3 with
   * ICE gathering awaited), which goes out in the 200 OK as it is.
   */
  async answer(offerSdp: string): Promise<string> {
    this.enter('idle', 'answering', 'answer');
    const reply = await this.ask('answer-offer', this.options.offerTimeoutMs ?? 30_000, {
      op: 'answer-offer',
      mediaId: this.id,
      sdp: offerSdp,
      ...(this.subject?.callId !== undefined && { callId: this.subject.callId }),
      ...this.options.devices(),
    });
    if (reply.sdp === undefined) {
      throw this.fail(new MediaNegotiationError('invalid-state', 'the window replied to the offer without an answer'));
    }
    this.phase = 'negotiated';
    this.takeHold();
    return reply.sdp;
  }

  /**
   * Answering side, once negotiated: a re-offer with new ICE credentials (the caller restarted
   * ICE, RFC 8445 §9.2) gets a new complete answer from the window; track, mute and DTLS carry on.
   */
  async reanswer(offerSdp: string): Promise<string> {
    this.enter('negotiated', 'answering', 'reanswer');
    const reply = await this.ask('reanswer', this.options.offerTimeoutMs ?? 30_000, { op: 'reanswer', mediaId: this.id, sdp: offerSdp });
    if (reply.sdp === undefined) {
      throw this.fail(new MediaNegotiationError('invalid-state', 'the window replied to the re-offer without an answer'));
    }
    this.phase = 'negotiated';
    return reply.sdp;
  }

  /**
   * Sends RFC 4733 telephone-events through the window's `RTCDTMFSender`.
   * @returns false when the window cannot (telephone-event not negotiated, or media not up yet: its
   * reports say), the session is not
   * negotiated, or it is muted or held: Chromium makes event packets only while it encodes audio
   * from a track, and a muted sender has none, so the call sends SIP INFO instead of losing them.
   */
  sendDtmf(digits: string): boolean {
    if (this.phase !== 'negotiated' || !this.canDtmf || this.isMuted || !DTMF_DIGITS.test(digits)) {
      return false;
    }
    this.window.send({ op: 'dtmf', mediaId: this.id, digits: digits.toUpperCase() });
    return true;
  }

  setMuted(muted: boolean): void {
    if (muted === this.isMuted) {
      return;
    }
    this.isMuted = muted;
    if (this.held && this.phase !== 'ended') {
      this.window.send({ op: 'mute', mediaId: this.id, muted });
    }
  }

  /**
   * The window's last report: its RTP counters and, once it has played the conference, the
   * received level (`receivedLevel`), which the conference's media events carry as `level`
   * just as the headless agent's do.
   */
  stats(): MediaStats {
    return this.counters;
  }

  onStateChange(listener: (state: MediaState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): Promise<void> {
    if (this.phase !== 'ended') {
      this.window.send({ op: 'close', mediaId: this.id });
      this.end(new MediaNegotiationError('invalid-state', 'the session was closed'));
    }
    return Promise.resolve();
  }

  /**
   * The agent accepted the invitation this session was made ahead for: a window that waits to
   * capture (microphone access not granted yet) may prompt and offer now. Once per session.
   */
  accepted(): void {
    this.placer.release();
    if (this.ahead && this.phase !== 'ended') {
      this.ahead = false;
      this.window.send({ op: 'accepted', mediaId: this.id });
      if (this.pending !== undefined && this.pending.timer === undefined) {
        this.arm(this.pending);
      }
    }
  }

  /** The window went away (closed, reloaded, link lost): the audio it carried is gone. */
  windowGone(): void {
    this.end(new MediaNegotiationError('invalid-state', 'the window carrying this audio went away'));
  }

  applyReply(reply: MediaReply): void {
    const pending = this.pending;
    if (pending?.step !== reply.op) {
      return;
    }
    this.pending = undefined;
    clearTimeout(pending.timer);
    if (reply.error !== undefined) {
      pending.reject(this.fail(new MediaNegotiationError(reply.error.code, `the window's WebRTC stack: ${reply.error.message}`)));
    } else {
      pending.resolve(reply);
    }
  }

  applyReport(report: MediaReport): void {
    if (this.phase === 'ended') {
      return;
    }
    this.counters = report.stats;
    this.canDtmf = report.dtmf === true;
    const shown = JSON.stringify([report.microphone, report.speaker, report.problem]);
    if (this.subject !== undefined && shown !== this.devicesShown) {
      this.devicesShown = shown;
      this.placer.place({
        ...this.subject,
        where: 'window',
        ...(report.microphone !== undefined && { microphone: report.microphone }),
        ...(report.speaker !== undefined && { speaker: report.speaker }),
        ...(report.problem !== undefined && { problem: report.problem }),
      });
    }
    if (report.state === 'closed') {
      this.windowGone();
    } else if (report.state !== 'new') {
      this.setState(report.state);
    }
  }

  /** The window holds the session from its first description on: a mute asked meanwhile goes now. */
  private takeHold(): void {
    this.held = true;
    if (this.isMuted) {
      this.window.send({ op: 'mute', mediaId: this.id, muted: true });
    }
  }

  private enter(expected: Phase, next: Phase, step: string): void {
    if (this.phase !== expected) {
      throw new MediaNegotiationError('invalid-state', `${step} needs a session in phase "${expected}", this one is "${this.phase}" (one offer/answer per session)`);
    }
    this.phase = next;
  }

  private ask(step: Step, timeoutMs: number, command: MediaCommand, armNow = true): Promise<MediaReply> {
    return new Promise((resolve, reject) => {
      const pending: PendingStep = { step, resolve, reject, timer: undefined, timeoutMs };
      this.pending = pending;
      if (armNow) {
        this.arm(pending);
      }
      this.window.send(command);
    });
  }

  /** Starts the time a window has for a step; past it the step fails and the window is told to close. */
  private arm(pending: PendingStep): void {
    const { step, timeoutMs } = pending;
    const timer = setTimeout(() => {
      if (this.pending === pending) {
        this.pending = undefined;
        const what = { offer: 'offer audio', restart: 'restart ICE', answer: 'apply the answer', 'answer-offer': 'answer the call', reanswer: 'answer the re-offer' }[step];
        pending.reject(this.fail(new MediaNegotiationError('timeout', `the window did not ${what} within ${timeoutMs} ms`)));
        this.window.send({ op: 'close', mediaId: this.id });
      }
    }, timeoutMs);
    timer.unref?.();
    pending.timer = timer;
  }

  private fail(error: MediaNegotiationError): MediaNegotiationError {
    if (this.phase !== 'ended') {
      this.phase = 'ended';
      this.setState('failed');
      this.forget();
    }
    return error;
  }

  private end(reason: MediaNegotiationError): void {
    if (this.phase === 'ended' && this.currentState === 'closed') {
      return;
    }
    this.phase = 'ended';
    const pending = this.pending;
    this.pending = undefined;
    if (pending !== undefined) {
      clearTimeout(pending.timer);
      pending.reject(reason);
    }
    this.forget();
    this.setState('closed');
  }

  private setState(state: MediaState): void {
    if (state === this.currentState || this.currentState === 'closed') {
      return;
    }
    this.currentState = state;
    for (const listener of [...this.listeners]) {
      listener(state);
    }
  }
}
