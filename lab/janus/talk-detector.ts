import { pcmuLevel } from '../../core/codecs/pcmu';

/** Options of {@link TalkDetector}; defaults are the lab's, see the class remarks. */
export type TalkDetectorOptions = {
  /** Frames averaged per decision (20 ms each). */
  readonly windowFrames?: number;
  /** Talking when the window's mean level is louder than this, in -dBov (0 loudest, 127 silence). */
  readonly thresholdDbov?: number;
};

/** Silence in RFC 6464's scale: the quietest level, and what a muted participant sends. */
const SILENCE_DBOV = 127;

/**
 * Decides from the PCMU frames one participant sends whether they are talking, with the rule
 * AudioBridge applies to RFC 6464 audio levels: average the frames' levels (-dBov) over a window
 * of packets; talking when the mean is louder than a threshold; report changes only.
 * @remarks AudioBridge cannot do it for the lab's legs: Janus 1.1.2's plain-RTP participants
 * never parse the audio-level header extension (janus_audiobridge.c, the plain-RTP relay thread
 * resets the packet's extensions and hands it on), so its `talking` events never fire for them
 * (lab/janus/README.md). The lab therefore measures the frames it relays into the room. The
 * window is 25 frames (0.5 s) instead of AudioBridge's 100 so the roster follows speech; the
 * threshold is 45 -dBov (RMS 0.0056) instead of 25, because the lab agents' test tone is a
 * quiet -33 dBov.
 * @public
 */
export class TalkDetector {
  private readonly windowFrames: number;
  private readonly thresholdDbov: number;
  private sum = 0;
  private frames = 0;
  private talking = false;

  constructor(options: TalkDetectorOptions = {}) {
    this.windowFrames = options.windowFrames ?? 25;
    this.thresholdDbov = options.thresholdDbov ?? 45;
  }

  /** Whether the last full window was talking. */
  get isTalking(): boolean {
    return this.talking;
  }

  /**
   * Takes one frame.
   * @returns the new state when this frame closed a window that changed it, else undefined
   */
  frame(payload: Uint8Array): boolean | undefined {
    this.sum += levelDbov(pcmuLevel(payload));
    this.frames += 1;
    if (this.frames < this.windowFrames) {
      return undefined;
    }
    const talking = this.sum / this.frames < this.thresholdDbov;
    this.sum = 0;
    this.frames = 0;
    return this.change(talking);
  }

  /**
   * No frames any more (muted, or the leg went quiet): not talking.
   * @returns false when that is a change, else undefined
   */
  silence(): boolean | undefined {
    this.sum = 0;
    this.frames = 0;
    return this.change(false);
  }

  private change(talking: boolean): boolean | undefined {
    if (talking === this.talking) {
      return undefined;
    }
    this.talking = talking;
    return talking;
  }
}

/** RMS (0..1 of full scale) to RFC 6464's -dBov, 0..127. */
export function levelDbov(rms: number): number {
  if (!(rms > 0)) {
    return SILENCE_DBOV;
  }
  return Math.min(SILENCE_DBOV, Math.max(0, Math.round(-20 * Math.log10(rms))));
}
