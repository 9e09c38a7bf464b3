/** Opaque handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = { readonly __timer: unique symbol };

/**
 * Time source and timers, injected so that state machines test without real time.
 * @remarks SIP.js uses the global `setTimeout`; the engine does not, so its own timers
 * (keep-alive, backoff, grace periods) run on a fake clock in unit tests.
 * @public
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Monotonic milliseconds for measuring durations. */
  monotonic(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
}
