import { MediaNegotiationError, type MediaEngine, type MediaSession, type MediaSessionOptions, type MediaState, type MediaStats } from '../../core/ports/media';

const NO_STATS: MediaStats = { packetsSent: 0, packetsReceived: 0, bytesSent: 0, bytesReceived: 0 };

/**
 * A {@link MediaEngine} that loads the real one on first use.
 * @remarks The WebRTC stack costs about 18 MiB of resident memory per process; agents that
 * never join a conference (most of a VDI host's idle ones) should not pay it.
 */
export function createLazyMediaEngine(load: () => Promise<MediaEngine>): MediaEngine {
  let engine: Promise<MediaEngine> | undefined;
  const get = (): Promise<MediaEngine> => (engine ??= load());
  return { createSession: (options) => new LazyMediaSession(get, options) };
}

class LazyMediaSession implements MediaSession {
  private real: MediaSession | undefined;
  private readonly ready: Promise<MediaSession>;
  private wantMuted = false;
  /** Listeners registered before the load, with their unsubscribe from the real session once loaded. */
  private readonly earlyListeners = new Map<(state: MediaState) => void, (() => void) | undefined>();
  /** DTMF listeners, kept here so they survive the load (the session exists before the engine). */
  private readonly dtmfListeners = new Set<(digit: string) => void>();

  constructor(get: () => Promise<MediaEngine>, options: MediaSessionOptions | undefined) {
    this.ready = get().then((engine) => {
      const session = engine.createSession(options);
      session.setMuted(this.wantMuted);
      session.onDtmf?.((digit) => this.dtmfListeners.forEach((listener) => listener(digit)));
      for (const listener of this.earlyListeners.keys()) {
        this.earlyListeners.set(listener, session.onStateChange(listener));
      }
      this.real = session;
      return session;
    });
  }

  get state(): MediaState {
    return this.real?.state ?? 'new';
  }

  get muted(): boolean {
    return this.real?.muted ?? this.wantMuted;
  }

  createOffer(): Promise<string> {
    return this.ready.then((s) => s.createOffer());
  }

  acceptAnswer(sdp: string): Promise<void> {
    return this.ready.then((s) => s.acceptAnswer(sdp));
  }

  answer(offerSdp: string): Promise<string> {
    return this.ready.then((s) => s.answer(offerSdp));
  }

  /** The loaded session's ICE restart (RFC 8445 §9); it is loaded by then, as a restart follows a negotiation. */
  restartIce(): Promise<string> {
    return this.ready.then((s) => s.restartIce?.() ?? Promise.reject(new MediaNegotiationError('invalid-state', 'this media engine cannot restart ICE')));
  }

  reanswer(offerSdp: string): Promise<string> {
    return this.ready.then((s) => s.reanswer?.(offerSdp) ?? Promise.reject(new MediaNegotiationError('invalid-state', 'this media engine cannot answer a re-offer')));
  }

  /** The loaded session's RFC 4733 DTMF; false before the load (no negotiation yet either). */
  sendDtmf(digits: string): boolean {
    return this.real?.sendDtmf?.(digits) ?? false;
  }

  onDtmf(listener: (digit: string) => void): () => void {
    this.dtmfListeners.add(listener);
    return () => this.dtmfListeners.delete(listener);
  }

  setMuted(muted: boolean): void {
    this.wantMuted = muted;
    this.real?.setMuted(muted);
  }

  stats(): MediaStats {
    return this.real?.stats() ?? NO_STATS;
  }

  onStateChange(listener: (state: MediaState) => void): () => void {
    if (this.real) {
      return this.real.onStateChange(listener);
    }
    this.earlyListeners.set(listener, undefined);
    return () => {
      this.earlyListeners.get(listener)?.();
      this.earlyListeners.delete(listener);
    };
  }

  close(): Promise<void> {
    return this.ready.then((s) => s.close());
  }

  /** Passed on once loaded: the agent accepted what this session was made ahead for. */
  accepted(): void {
    void this.ready.then((s) => s.accepted?.());
  }
}
