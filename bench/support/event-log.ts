import type { AgentEvent } from '../../common/agent-events';
import type { AgentEngine } from '../../core/agent/agent-engine';

/** Resolves after `ms`, on a timer that does not hold the process open. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * Polls `read` every `intervalMs` until it returns something other than undefined.
 * @returns that value, or undefined once `deadline` (a `performance.now()` time) has passed.
 */
export async function pollUntil<T>(read: () => T | undefined, deadline: number, intervalMs = 1): Promise<T | undefined> {
  for (;;) {
    const value = read();
    if (value !== undefined) {
      return value;
    }
    if (performance.now() >= deadline) {
      return undefined;
    }
    await sleep(intervalMs);
  }
}

/**
 * Every event an in-process agent emitted since the last {@link EventLog.clear}, with a way
 * to wait for one. Listening from the start, rather than from when the bench begins to wait,
 * means an event that arrives before the wait is not missed.
 */
export class EventLog {
  private events: AgentEvent[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly off: () => void;

  constructor(engine: AgentEngine) {
    this.off = engine.events.on('any', (event) => {
      this.events.push(event);
      for (const wake of [...this.waiters]) {
        wake();
      }
    });
  }

  /** What was seen since the last {@link EventLog.clear}, oldest first. */
  get all(): readonly AgentEvent[] {
    return this.events;
  }

  /** Forgets what was seen, so the log stays small over many joins. */
  clear(): void {
    this.events = [];
  }

  /** The first logged event (past or future) that `match` accepts, or undefined after `timeoutMs`. */
  waitFor<T extends AgentEvent>(match: (event: AgentEvent) => event is T, timeoutMs: number): Promise<T | undefined> {
    const found = this.events.find(match);
    if (found !== undefined) {
      return Promise.resolve(found);
    }
    return new Promise((resolve) => {
      const done = (value: T | undefined): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(value);
      };
      const check = (): void => {
        const event = this.events.find(match);
        if (event !== undefined) {
          done(event);
        }
      };
      const timer = setTimeout(() => done(undefined), timeoutMs);
      timer.unref();
      this.waiters.add(check);
    });
  }

  /** Stops listening. */
  dispose(): void {
    this.off();
    this.waiters.clear();
  }
}
