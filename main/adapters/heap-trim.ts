import type * as Inspector from 'node:inspector';
import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
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

/** How often the burst watcher looks: a few microseconds of work each time. */
export const HEAP_WATCH_INTERVAL_MS = 5000;
/**
 * The heap must have grown by this much since the last trim before another is worth 100 ms of
 * CPU. Ten conversations opened at once grow it by some 4 MiB, nearly all of it V8's young
 * generation, which then stays resident while the agent idles (bench/README.md, "memory").
 */
export const HEAP_REGROWTH_BYTES = 2 * 1024 * 1024;
/** Below this share of the last interval spent running, the agent counts as idle (a burst is over). */
export const IDLE_UTILIZATION = 0.02;
/** At most one trim this often, whatever happens: at most 0.5% of a core, at 100 ms a trim. */
export const MIN_TRIM_GAP_MS = 20_000;

/** What the burst watcher reads; the real process by default, fakes in tests. */
export type HeapGauges = {
  /** V8 heap pages resident, bytes. */
  physicalHeapBytes(): number;
  /** The event loop's share of time running since the previous call (0..1). */
  utilizationSinceLastCall(): number;
  now(): number;
};

/** The running process's gauges. */
export function processHeapGauges(): HeapGauges {
  let last = performance.eventLoopUtilization();
  return {
    physicalHeapBytes: () => getHeapStatistics().total_physical_size,
    utilizationSinceLastCall: () => {
      const current = performance.eventLoopUtilization();
      const delta = performance.eventLoopUtilization(current, last);
      last = current;
      return delta.utilization;
    },
    now: () => performance.now(),
  };
}

/**
 * Decides, once per {@link HEAP_WATCH_INTERVAL_MS}, whether to trim again: after a burst (calls,
 * conversations closed) V8's young generation is grown again and stays so while the agent idles.
 * @remarks Trims only when all hold: the last interval was idle ({@link IDLE_UTILIZATION}), the
 * heap is {@link HEAP_REGROWTH_BYTES} over what the last trim left, and the last trim is
 * {@link MIN_TRIM_GAP_MS} old. So a busy agent is never interrupted, and an idle one pays one
 * collection per burst, at most one every 20 s.
 */
export class HeapTrimPolicy {
  private trimmedHeap: number | undefined;
  private trimmedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly gauges: HeapGauges) {}

  /** Records a trim that just finished: what it left is the new reference. */
  trimmed(): void {
    this.trimmedHeap = this.gauges.physicalHeapBytes();
    this.trimmedAt = this.gauges.now();
  }

  /** Called once per interval: whether to trim now. */
  shouldTrim(): boolean {
    const idle = this.gauges.utilizationSinceLastCall() < IDLE_UTILIZATION;
    if (this.trimmedHeap === undefined || !idle || this.gauges.now() - this.trimmedAt < MIN_TRIM_GAP_MS) {
      return false;
    }
    return this.gauges.physicalHeapBytes() - this.trimmedHeap >= HEAP_REGROWTH_BYTES;
  }
}

/**
 * Trims the heap once, `delayMs` from now, then again after each burst of work once the agent is
 * idle (see {@link HeapTrimPolicy}), without keeping the process alive for it.
 * @remarks Call it when the agent has registered: an idle agent keeps what start-up grew
 * otherwise (see {@link trimHeap}). Failures are logged, never thrown: memory is not worth a crash.
 * @returns a function that stops the watcher.
 */
export function trimHeapSoon(logger: Logger, delayMs = HEAP_TRIM_DELAY_MS, gauges: HeapGauges = processHeapGauges()): () => void {
  const policy = new HeapTrimPolicy(gauges);
  let watcher: ReturnType<typeof setInterval> | undefined;
  let stopped = false;
  /** Resolves true when trimmed, false when this runtime cannot or the trim failed. */
  const trim = (why: string): Promise<boolean> => {
    const started = performance.now();
    return trimHeap().then(
      (done) => {
        policy.trimmed();
        logger.debug(done ? 'heap trimmed' : 'heap not trimmed: no inspector in this runtime', { why, ms: Math.round(performance.now() - started) });
        return done;
      },
      (error: unknown) => {
        logger.warn('heap trim failed', { why, error: String(error) });
        return false;
      },
    );
  };
  const timer = setTimeout(() => {
    void trim('start-up').then((done) => {
      if (!done || stopped) {
        return;
      }
      watcher = setInterval(() => {
        if (policy.shouldTrim()) {
          void trim('after a burst');
        }
      }, HEAP_WATCH_INTERVAL_MS);
      watcher.unref();
    });
  }, delayMs);
  timer.unref();
  return () => {
    stopped = true;
    clearTimeout(timer);
    clearInterval(watcher);
  };
}
