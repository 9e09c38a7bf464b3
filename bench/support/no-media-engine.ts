import type { MediaEngine, MediaSession, MediaState, MediaStats } from '../../core/ports/media';
import { MediaNegotiationError } from '../../core/ports/media';

/**
 * A fixed SDP body of the shape the werift engine produces (DTLS-SRTP, ICE, PCMU, one host
 * candidate on 127.0.0.1), so that every check the SIP layer or a real engine makes on it
 * passes. The port is 9 (discard): nothing is ever sent to it.
 */
function fixedSdp(setup: 'actpass' | 'active'): string {
  const fingerprint = Array.from({ length: 32 }, (_, i) => (i * 7 + 16).toString(16).toUpperCase().padStart(2, '0')).join(':');
  return [
    'v=0',
    'o=- 4242424242 1 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0',
    'm=audio 9 UDP/TLS/RTP/SAVPF 0',
    'c=IN IP4 127.0.0.1',
    'a=rtcp:9 IN IP4 127.0.0.1',
    'a=mid:0',
    'a=sendrecv',
    'a=rtcp-mux',
    'a=rtpmap:0 PCMU/8000',
    'a=ice-ufrag:bnch',
    'a=ice-pwd:benchbenchbenchbenchbe',
    `a=fingerprint:sha-256 ${fingerprint}`,
    `a=setup:${setup}`,
    'a=candidate:1 1 udp 2130706431 127.0.0.1 9 typ host',
    'a=end-of-candidates',
    'a=ptime:20',
    '',
  ].join('\r\n');
}

const OFFER = fixedSdp('actpass');
const ANSWER = fixedSdp('active');

/**
 * A {@link MediaSession} that negotiates instantly and moves no media: the floor of the
 * conference-join bench, where only the SIP exchanges are left to take time.
 * @remarks It still walks `connecting` -> `connected` on negotiation, as the real engine does,
 * so that whatever the conference layer and the lab do on `connected` (the lab publishes the
 * A/V endpoint in the roster) happens in the floor run too, and cleanup takes the same path.
 */
class NoMediaSession implements MediaSession {
  private current: MediaState = 'new';
  private phase: 'idle' | 'offered' | 'done' = 'idle';
  private isMuted = false;
  private readonly listeners = new Set<(state: MediaState) => void>();

  get state(): MediaState {
    return this.current;
  }

  get muted(): boolean {
    return this.isMuted;
  }

  async createOffer(): Promise<string> {
    this.step('idle', 'createOffer');
    this.phase = 'offered';
    return OFFER;
  }

  async acceptAnswer(sdp: string): Promise<void> {
    this.step('offered', 'acceptAnswer');
    if (!sdp.startsWith('v=0')) {
      throw new MediaNegotiationError('malformed-sdp', 'the answer is not an SDP body');
    }
    this.phase = 'done';
    this.negotiated();
  }

  async answer(offerSdp: string): Promise<string> {
    this.step('idle', 'answer');
    if (!offerSdp.startsWith('v=0')) {
      throw new MediaNegotiationError('malformed-sdp', 'the offer is not an SDP body');
    }
    this.phase = 'done';
    this.negotiated();
    return ANSWER;
  }

  setMuted(muted: boolean): void {
    this.isMuted = muted;
  }

  stats(): MediaStats {
    return { packetsSent: 0, packetsReceived: 0, bytesSent: 0, bytesReceived: 0 };
  }

  onStateChange(listener: (state: MediaState) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    this.setState('closed');
    this.listeners.clear();
  }

  private step(expected: 'idle' | 'offered', name: string): void {
    if (this.current === 'closed' || this.phase !== expected) {
      throw new MediaNegotiationError('invalid-state', `${name} out of order (one offer/answer per session)`);
    }
  }

  /** After the caller's continuation, as a real engine's state changes come from its own I/O. */
  private negotiated(): void {
    queueMicrotask(() => {
      this.setState('connecting');
      this.setState('connected');
    });
  }

  private setState(state: MediaState): void {
    if (state === this.current || this.current === 'closed') {
      return;
    }
    this.current = state;
    for (const listener of [...this.listeners]) {
      listener(state);
    }
  }
}

/**
 * A {@link MediaEngine} whose sessions return a fixed, valid-looking SDP offer or answer at once
 * and never open a socket: the bench's stand-in for media on both the agent and the lab MCU,
 * so that a join through it costs the SIP exchanges alone.
 */
export function createNoMediaEngine(): MediaEngine {
  return { createSession: () => new NoMediaSession() };
}
