import { RTCPeerConnection } from 'werift';
import type { MediaEngine, MediaSession, MediaSessionOptions, MediaState, MediaStats } from '../../core/ports/media';

/**
 * When things happened to one media session, in `performance.now()` milliseconds. Marks stay
 * undefined until their moment comes.
 */
export type MediaMarks = {
  readonly createdAt: number;
  /** Offering side: createOffer called / resolved (local ICE gathering, non-trickle). */
  offerStartedAt?: number;
  offerDoneAt?: number;
  /** Offering side: the peer's answer handed over, i.e. the SIP 200 with SDP arrived. */
  acceptAnswerAt?: number;
  /** Answering side: answer called / resolved (remote description, gathering, local answer). */
  answerStartedAt?: number;
  answerDoneAt?: number;
  /** ICE found a working pair (werift only; see {@link TimedMediaSession}). */
  iceConnectedAt?: number;
  /** The session reported `connected`: with werift, the DTLS handshake is done and SRTP keyed. */
  connectedAt?: number;
  /** A session made ahead (while ringing): when the join took it over. */
  acceptedAt?: number;
};

/**
 * A {@link MediaSession} decorator that stamps {@link MediaMarks} and lets the bench await the
 * session's close.
 * @remarks The port reports ICE and DTLS together as `connecting`. To tell them apart the
 * decorator peeks at the werift session's private `pc` when there is one (checked at run time
 * with `instanceof`, skipped otherwise): a bench-only look inside the adapter, never relied on
 * by the figures that matter (join and floor).
 */
export class TimedMediaSession implements MediaSession {
  readonly marks: MediaMarks;
  private closing: Promise<void> | undefined;

  constructor(
    readonly inner: MediaSession,
    private readonly now: () => number,
  ) {
    this.marks = { createdAt: now() };
    inner.onStateChange((state) => {
      if (state === 'connected') {
        this.marks.connectedAt ??= this.now();
      }
    });
    const pc = 'pc' in inner && inner.pc instanceof RTCPeerConnection ? inner.pc : undefined;
    // Only `connected`: werift reports `completed` already when gathering ends, before any check.
    pc?.iceConnectionStateChange.subscribe((state) => {
      if (state === 'connected') {
        this.marks.iceConnectedAt ??= this.now();
      }
    });
  }

  get state(): MediaState {
    return this.inner.state;
  }

  get muted(): boolean {
    return this.inner.muted;
  }

  /** Resolves once {@link TimedMediaSession.close} was called and finished. */
  get closed(): Promise<void> | undefined {
    return this.closing;
  }

  async createOffer(): Promise<string> {
    this.marks.offerStartedAt = this.now();
    const offer = await this.inner.createOffer();
    this.marks.offerDoneAt = this.now();
    return offer;
  }

  acceptAnswer(sdp: string): Promise<void> {
    this.marks.acceptAnswerAt = this.now();
    return this.inner.acceptAnswer(sdp);
  }

  async answer(offerSdp: string): Promise<string> {
    this.marks.answerStartedAt = this.now();
    const answer = await this.inner.answer(offerSdp);
    this.marks.answerDoneAt = this.now();
    return answer;
  }

  setMuted(muted: boolean): void {
    this.inner.setMuted(muted);
  }

  stats(): MediaStats {
    return this.inner.stats();
  }

  onStateChange(listener: (state: MediaState) => void): () => void {
    return this.inner.onStateChange(listener);
  }

  close(): Promise<void> {
    this.closing ??= this.inner.close();
    return this.closing;
  }

  accepted(): void {
    this.marks.acceptedAt ??= this.now();
    this.inner.accepted?.();
  }
}

/** Which engine a {@link SwitchableMediaEngine} hands sessions from. */
export type MediaMode = 'media' | 'floor';

/**
 * A {@link MediaEngine} that creates sessions from the real engine or the no-media one,
 * whichever {@link SwitchableMediaEngine.mode} says, and keeps every session it made (timed)
 * until {@link SwitchableMediaEngine.reset}.
 * @remarks Switching per join, rather than building a second agent and lab, is what lets the
 * bench interleave media joins with floor joins on the very same signaling path, so that
 * drift on a noisy machine hits both alike.
 */
export class SwitchableMediaEngine implements MediaEngine {
  mode: MediaMode = 'media';
  private made: TimedMediaSession[] = [];

  constructor(
    private readonly engines: Readonly<Record<MediaMode, MediaEngine>>,
    private readonly now: () => number = () => performance.now(),
  ) {}

  createSession(options?: MediaSessionOptions): MediaSession {
    const session = new TimedMediaSession(this.engines[this.mode].createSession(options), this.now);
    this.made.push(session);
    return session;
  }

  /** Sessions made since the last {@link SwitchableMediaEngine.reset}, oldest first. */
  get sessions(): readonly TimedMediaSession[] {
    return this.made;
  }

  /** Forgets the sessions made so far (the caller has closed them). */
  reset(): void {
    this.made = [];
  }
}
