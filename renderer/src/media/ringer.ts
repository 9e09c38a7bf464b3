/** One ring: two short chimes, then silence, repeated every {@link RING_PERIOD_S} seconds. */
const RING_PERIOD_S = 3;
const CHIMES: ReadonlyArray<{ at: number; hz: readonly number[] }> = [
  { at: 0, hz: [659.25, 880] },
  { at: 0.4, hz: [587.33, 784] },
];
const CHIME_S = 0.3;
/** Quiet enough for a headset at full volume. */
const GAIN = 0.08;

/** `AudioContext.setSinkId` (Audio Output Devices API); absent from older DOM typings. */
type SinkContext = AudioContext & { setSinkId?: (id: string) => Promise<void> };

/**
 * The ring of an invitation or channel request, synthesised with Web Audio (no sound file to ship
 * or allow in the CSP) and played on the speaker chosen in Settings.
 * @remarks The page's root element carries `data-ringing="running"` while the ring is audible,
 * or `"blocked"` when the browser holds the sound back until the page is clicked (its autoplay
 * policy; Electron lifts it for the app windows).
 */
export class Ringer {
  private context: SinkContext | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  async start(speaker: string | undefined): Promise<void> {
    if (this.timer !== undefined) {
      return;
    }
    this.context ??= new AudioContext() as SinkContext;
    const context = this.context;
    if (speaker !== undefined && speaker !== '' && typeof context.setSinkId === 'function') {
      // A speaker that is gone rings on the default one: a silent ring would be worse.
      await context.setSinkId(speaker).catch(() => undefined);
    }
    await context.resume().catch(() => undefined);
    const ring = (): void => this.ringOnce(context);
    ring();
    this.timer = setInterval(ring, RING_PERIOD_S * 1000);
    document.documentElement.dataset['ringing'] = context.state === 'running' ? 'running' : 'blocked';
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    delete document.documentElement.dataset['ringing'];
    // Suspended, not closed: the next ring starts without building a new audio graph.
    void this.context?.suspend().catch(() => undefined);
  }

  private ringOnce(context: AudioContext): void {
    if (context.state !== 'running') {
      void context.resume().then(() => {
        if (this.timer !== undefined) {
          document.documentElement.dataset['ringing'] = context.state;
        }
      }, () => undefined);
    }
    const start = context.currentTime + 0.02;
    for (const chime of CHIMES) {
      const gain = context.createGain();
      gain.connect(context.destination);
      // A soft attack and decay: no click at either end.
      gain.gain.setValueAtTime(0, start + chime.at);
      gain.gain.linearRampToValueAtTime(GAIN, start + chime.at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + chime.at + CHIME_S);
      for (const hz of chime.hz) {
        const tone = context.createOscillator();
        tone.frequency.value = hz;
        tone.connect(gain);
        tone.start(start + chime.at);
        tone.stop(start + chime.at + CHIME_S);
      }
    }
  }
}
