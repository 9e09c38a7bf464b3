import type { Clock, TimerHandle } from '../../core/ports/clock';

/**
 * The real clock. Timers are unref'd so that a pending keep-alive never keeps a finished
 * process alive; the agent's lifetime is held by its socket and stdin instead.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout: (callback, ms) => {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return timer as unknown as TimerHandle;
  },
  clearTimeout: (handle) => {
    if (handle !== undefined) {
      clearTimeout(handle as unknown as NodeJS.Timeout);
    }
  },
};
