/**
 * The bounded waits of a test driver on the events it records (an agent's `--json` lines, a
 * customer's chat stream, baresip's events): one implementation, so each driver only says
 * what it records and how to describe a timeout.
 */
export class EventWaiters<T> {
  private readonly waiters = new Set<() => void>();

  constructor(private readonly events: readonly T[]) {}

  /** Call after each event is recorded: every waiter whose event has come resolves. */
  notify(): void {
    this.waiters.forEach((check) => check());
  }

  /**
   * The first recorded event after index `from` that `match`es, already there or yet to come;
   * rejects after `timeoutMs` with `describe()` (the driver's log for the failure message).
   */
  waitFor(match: (event: T) => boolean, timeoutMs: number, from: number, describe: () => string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.events.slice(from).find(match);
        if (found !== undefined) {
          this.waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(describe()));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }
}
