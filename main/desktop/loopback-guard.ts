import { MediaNegotiationError, type MediaSession, type MediaState, type MediaStats } from '../../core/ports/media';

/**
 * Whether a complete description (an offer or an answer) has a UDP host candidate on 127.0.0.1
 * for component 1 (RFC 8839 §5.1): what a peer on loopback (the embedded lab) needs to reach.
 */
export function reachesLoopback(sdp: string): boolean {
  return /^a=candidate:\S+ 1 udp \d+ 127\.0\.0\.1 \d+ typ host/im.test(sdp);
}

/** Which negotiation step found that the window cannot reach loopback. */
export type LoopbackStep = 'offer' | 'answer';

/**
 * A window session that gives way to a host session when the window's description cannot reach
 * a peer on loopback: its offer (a conference's MCU), or its answer (a call from the lab). The
 * switch happens inside `createOffer` or `answer`, before any SIP message carries the window's
 * description, so the conference or call sees one session throughout.
 * @remarks Chromium hides its host candidates behind mDNS names until the page may use the
 * microphone, and without `--allow-loopback-in-peer-connection` never gathers 127.0.0.1 at all:
 * only the description itself says whether the window reaches loopback.
 */
export class LoopbackGuard implements MediaSession {
  private current: MediaSession;
  private readonly listeners = new Set<(state: MediaState) => void>();
  private readonly dtmfListeners = new Set<(digit: string) => void>();
  private unsubscribe: () => void;

  constructor(
    first: MediaSession,
    private readonly fallback: (step: LoopbackStep) => MediaSession,
  ) {
    this.current = first;
    this.unsubscribe = this.follow(first);
  }

  get state(): MediaState {
    return this.current.state;
  }

  get muted(): boolean {
    return this.current.muted;
  }

  async createOffer(): Promise<string> {
    const offer = await this.current.createOffer();
    if (reachesLoopback(offer)) {
      return offer;
    }
    return (await this.fallBack('offer')).createOffer();
  }

  acceptAnswer(sdp: string): Promise<void> {
    return this.current.acceptAnswer(sdp);
  }

  /** The window's answer to a caller's offer (RFC 3264 §6), or the host's when the window's cannot reach loopback. */
  async answer(offerSdp: string): Promise<string> {
    const answer = await this.current.answer(offerSdp);
    if (reachesLoopback(answer)) {
      return answer;
    }
    return (await this.fallBack('answer')).answer(offerSdp);
  }

  /** The ICE restart of whichever session carries the audio now (the window's, or the host's after a fallback). */
  restartIce(): Promise<string> {
    const current = this.current;
    if (current.restartIce === undefined) {
      return Promise.reject(new MediaNegotiationError('invalid-state', 'this media session cannot restart ICE'));
    }
    return current.restartIce();
  }

  /** The answer to a re-offer (RFC 3264 §8) from whichever session carries the audio now. */
  reanswer(offerSdp: string): Promise<string> {
    const current = this.current;
    if (current.reanswer === undefined) {
      return Promise.reject(new MediaNegotiationError('invalid-state', 'this media session cannot answer a re-offer'));
    }
    return current.reanswer(offerSdp);
  }

  /** RFC 4733 digits through whichever session carries the audio; false when it cannot (the caller falls back to SIP INFO). */
  sendDtmf(digits: string): boolean {
    return this.current.sendDtmf?.(digits) ?? false;
  }

  /**
   * Digits received as RFC 4733 events: only a host session hears them (a window cannot, Chromium
   * exposes no received telephone-events), so this stays silent while the window carries audio.
   */
  onDtmf(listener: (digit: string) => void): () => void {
    this.dtmfListeners.add(listener);
    return () => this.dtmfListeners.delete(listener);
  }

  setMuted(muted: boolean): void {
    this.current.setMuted(muted);
  }

  stats(): MediaStats {
    return this.current.stats();
  }

  onStateChange(listener: (state: MediaState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): Promise<void> {
    return this.current.close();
  }

  /** The agent accepted what the session was made ahead for (the window may now prompt). */
  accepted(): void {
    this.current.accepted?.();
  }

  /** Closes the window session without telling the conference or call, and carries on in the host. */
  private async fallBack(step: LoopbackStep): Promise<MediaSession> {
    const { muted } = this.current;
    this.unsubscribe();
    await this.current.close();
    this.current = this.fallback(step);
    this.current.setMuted(muted);
    this.unsubscribe = this.follow(this.current);
    return this.current;
  }

  private follow(session: MediaSession): () => void {
    const offState = session.onStateChange((state) => {
      for (const listener of [...this.listeners]) {
        listener(state);
      }
    });
    const offDtmf = session.onDtmf?.((digit) => {
      for (const listener of [...this.dtmfListeners]) {
        listener(digit);
      }
    });
    return () => {
      offState();
      offDtmf?.();
    };
  }
}
