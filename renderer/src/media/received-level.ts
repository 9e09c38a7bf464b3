/**
 * Running totals of the audio a peer connection played out, summed over its audio
 * `inbound-rtp` stats (W3C webrtc-stats, `RTCInboundRtpStreamStats.totalAudioEnergy` and
 * `totalSamplesDuration`).
 */
export type PlayedAudio = {
  /** Sum over the samples played of (sample / full scale)² × the sample's duration in seconds. */
  readonly energy: number;
  /** Seconds of audio played. */
  readonly duration: number;
};

/** Shorter stretches than this (a report right after another) keep the previous level. */
const MIN_STRETCH_S = 0.1;
/** With nothing played for this long the level is unknown (the audio is not being played out). */
const STALE_MS = 2500;

/**
 * The received audio level of one session, from one `getStats()` to the next: the RMS of what was
 * played out in between, `sqrt(Δenergy / Δduration)`, 0 (silence) to 1 (full scale).
 *
 * @remarks
 * Why these totals and not `audioLevel` or a Web Audio `AnalyserNode` (measured in Debian's
 * Chromium 156, headless, fake devices; issue 16):
 * - Chromium fills `audioLevel` and the totals only while the remote track is played out, which
 *   the window always does (its `<audio>` element); without playout both stay 0, and an
 *   `AnalyserNode` on the remote track reads 0 too (Chromium feeds Web Audio a remote WebRTC
 *   track only while a media element plays it).
 * - `audioLevel` is one instant: with the fake microphone's short beeps it read 1, 0.004, 1, 0.016
 *   on successive polls. The totals integrate everything played since the last poll, so a beep
 *   between two reports is not missed.
 * - They cost nothing: the window already calls `getStats()` once a second for the RTP counters,
 *   whereas an analyser needs a running `AudioContext` (an audio thread and an output stream per
 *   agent on a shared VDI host) and is itself only a snapshot of its buffer.
 *
 * Scale: libwebrtc adds, per 10 ms frame, the square of a decaying peak of the samples, so this
 * is the RMS of the peak envelope: a steady tone reads about √2 (3 dB) above the RMS of its
 * samples, which is what the headless agent reports (`pcmuLevel`); silence is 0 in both.
 */
export class ReceivedLevel {
  private base: PlayedAudio = { energy: 0, duration: 0 };
  private baseAt: number | undefined;
  private level: number | undefined;

  /**
   * Takes the totals read now (`now` in milliseconds, any monotonic clock) and returns the level
   * since the previous call, or `undefined` when it is unknown (no audio statistics, or nothing
   * played out for a while).
   */
  next(totals: PlayedAudio | undefined, now: number): number | undefined {
    if (totals === undefined) {
      return undefined;
    }
    // A receiver that started over (its totals went back): measure from zero.
    if (totals.duration < this.base.duration || totals.energy < this.base.energy) {
      this.base = { energy: 0, duration: 0 };
    }
    this.baseAt ??= now;
    const duration = totals.duration - this.base.duration;
    if (duration < MIN_STRETCH_S) {
      return now - this.baseAt < STALE_MS ? this.level : undefined;
    }
    this.level = Math.min(1, Math.sqrt(Math.max(0, totals.energy - this.base.energy) / duration));
    this.base = totals;
    this.baseAt = now;
    return this.level;
  }
}
