import type * as Inspector from 'node:inspector';
import type { Logger } from '../../core/ports/logger';

// Why this exists (issue 15, memory per agent; figures from bench/memory.ts, Node 24):
// start-up (parsing and compiling sip.js, zod and our own modules, the first REGISTER) allocates
// fast, so V8 grows the young generation to its 16 MiB semi-spaces, about 15 MiB resident. An idle
// agent then allocates next to nothing, so no collection ever runs again and that memory stays
// resident for the agent's whole life; V8 only gives it back after a collection made "to reduce
// memory" (what it does on a low-memory notification). `--max-semi-space-size` would cap it, but
// a V8 heap flag only works on the command line, and agents are started as
// `node bin/switchboard.js`. The inspector's HeapProfiler.collectGarbage is such a collection,
// reachable in process through `node:inspector` without opening any port. Measured: idle RSS
// about 100 -> 84 MiB, for about 120 ms of CPU once.

/** How long after the first registration the heap is trimmed: start-up allocation is over by then. */
export const HEAP_TRIM_DELAY_MS = 5000;

/**
 * Runs one full garbage collection that also shrinks V8's young generation and returns freed
 * pages to the system (what V8 does on a low-memory notification).
 * @returns false when this runtime has no inspector (a Node built without it), true otherwise.
 * @throws Error when the inspector refuses the collection.
 */
export async function trimHeap(): Promise<boolean> {
  // Imported on use: a Node built without the inspector still runs the agent, untrimmed.
  let inspector: typeof Inspector;
  try {
    inspector = await import('node:inspector');
  } catch {
    return false;
  }
  const session = new inspector.Session();
  session.connect();
  try {
    await new Promise<void>((resolve, reject) => {
      session.post('HeapProfiler.collectGarbage', (error) => (error === null ? resolve() : reject(error)));
    });
  } finally {
    // Not from inside the inspector's callback: disconnecting there hung the process (seen here).
    setImmediate(() => session.disconnect());
  }
  return true;
}

/**
 * Trims the heap once, `delayMs` from now, without keeping the process alive for it.
 * @remarks Call it when the agent has registered: an idle agent keeps what start-up grew
 * otherwise (see {@link trimHeap}). Failures are logged, never thrown: memory is not worth a crash.
 */
export function trimHeapSoon(logger: Logger, delayMs = HEAP_TRIM_DELAY_MS): void {
  const timer = setTimeout(() => {
    const started = performance.now();
    trimHeap().then(
      (done) => logger.debug(done ? 'heap trimmed' : 'heap not trimmed: no inspector in this runtime', { ms: Math.round(performance.now() - started) }),
      (error: unknown) => logger.warn('heap trim failed', { error: String(error) }),
    );
  }, delayMs);
  timer.unref();
}
