import type { Clock } from '../ports/clock';
import type { MediaState } from '../ports/media';

/** The media state an agent is shown (the `media` event's `state`). @public */
export type PublicMediaState = 'connecting' | 'connected' | 'interrupted' | 'failed' | 'closed';

/** No RTP for this long while connected means the agent hears nothing: `interrupted`. */
export const MEDIA_SILENCE_MS = 5000;

/**
 * Turns an engine's media state and its received-packet counter into what the agent is told,
 * so that "connected" is never shown while nothing arrives.
 *
 * @remarks
 * An A/V MCU sends the conference mix continuously (comfort noise included), so a counter that
 * stops growing for {@link MEDIA_SILENCE_MS} while the engine still says `connected` means the
 * mix stopped reaching us (a stalled MCU, RTP lost on the way, a proxy or NAT that dropped the
 * flow): `interrupted`. It goes back to `connected` as soon as the counter grows again. An engine
 * in `disconnected` (RFC 7675 consent checks unanswered) is `interrupted` too: it may recover.
 * The clock starts when the engine reaches `connected`, so the first packets get the full time.
 * @public
 */
export class MediaWatch {
  private lastPackets = -1;
  private lastChangeAt = 0;
  private wasConnected = false;

  constructor(
    private readonly clock: Clock,
    private readonly silenceMs = MEDIA_SILENCE_MS,
  ) {}

  /** The state to show for this engine state and counter, read now. */
  observe(engine: MediaState, packetsReceived: number): PublicMediaState {
    switch (engine) {
      case 'new':
      case 'connecting':
        this.wasConnected = false;
        return 'connecting';
      case 'disconnected':
        this.wasConnected = false;
        return 'interrupted';
      case 'failed':
      case 'closed':
        this.wasConnected = false;
        return engine;
      case 'connected':
        return this.connected(packetsReceived);
    }
  }

  private connected(packetsReceived: number): PublicMediaState {
    const now = this.clock.monotonic();
    if (!this.wasConnected || packetsReceived !== this.lastPackets) {
      this.wasConnected = true;
      this.lastPackets = packetsReceived;
      this.lastChangeAt = now;
    }
    return now - this.lastChangeAt >= this.silenceMs ? 'interrupted' : 'connected';
  }
}
