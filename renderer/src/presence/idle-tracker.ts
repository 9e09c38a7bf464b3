/** Minutes without input after which the agent counts as idle (Lync's default, issue 13). */
export const IDLE_AFTER_MS = 5 * 60_000;

/**
 * Tells when the agent went idle and when they came back, from the input they make.
 * @remarks Input only stores a time; a single timer, armed for the moment the agent would
 * turn idle, looks again when it fires (never more often than the inputs allow: no polling).
 * The first input after idle is reported at once.
 */
export class IdleTracker {
  private lastInput = Date.now();
  private idle = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly report: (idle: boolean) => void,
    private readonly idleAfterMs = IDLE_AFTER_MS,
  ) {
    this.arm(idleAfterMs);
  }

  /** Input seen now, in this window or another one of the app. */
  input(): void {
    this.lastInput = Date.now();
    if (this.idle) {
      this.idle = false;
      this.report(false);
      this.arm(this.idleAfterMs);
    }
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.check(), delayMs);
  }

  private check(): void {
    this.timer = undefined;
    const quietFor = Date.now() - this.lastInput;
    if (quietFor < this.idleAfterMs) {
      this.arm(this.idleAfterMs - quietFor);
      return;
    }
    // Armed again by the next input.
    this.idle = true;
    this.report(true);
  }
}
