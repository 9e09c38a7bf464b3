/**
 * The fuzz engine: seeded properties run many times, with slow-input detection, and targets
 * (a generator plus a contract) whose failures are minimised for reproduction.
 * @packageDocumentation
 */
import { rngFor, type Rng } from './rng';

/** Time one input may take before it counts as a failure (a hang or super-linear work). */
export const DEFAULT_SLOW_MS = 50;

/** Why a run failed: it threw, or it took longer than the slow threshold every time. */
export type FailureKind = 'exception' | 'slow';

/** The first failing run of a property, enough to replay it (`seed` + `index`). */
export type PropertyFailure = {
  readonly name: string;
  readonly seed: number;
  readonly index: number;
  readonly kind: FailureKind;
  /** The exception's name and message, or the time taken for `slow`. */
  readonly error: string;
  readonly stack?: string;
  readonly ms: number;
};

/** Figures of one property run. */
export type PropertyReport = {
  readonly name: string;
  readonly seed: number;
  /** Runs completed, including the failing one. */
  readonly runs: number;
  readonly elapsedMs: number;
  readonly perSecond: number;
  readonly slowestMs: number;
  readonly slowestIndex: number;
  readonly failure?: PropertyFailure;
};

/** Options of {@link runProperty}. */
export type PropertyOptions = {
  /** A run slower than this (confirmed by two re-runs) fails with kind `slow`; default 50 ms. */
  readonly slowMs?: number;
  /** Called every `progressEvery` runs, e.g. to print a progress line. */
  readonly onProgress?: (done: number, elapsedMs: number) => void;
  readonly progressEvery?: number;
};

/**
 * Runs `fn` `runs` times, each with its own generator derived from `seed` and the run index,
 * and stops at the first run that throws or is slow.
 * @remarks The generic entry point: parser targets use it through {@link fuzzTarget}, and a
 * stateful property (say, random event sequences against a dialog class) can use it directly,
 * drawing its whole sequence from `rng`. `fn` must be deterministic given `rng`, so that a
 * failure replays from `seed` and `index` alone. A run over the slow threshold is re-run twice
 * and fails only if all three were slow: a GC pause or a neighbour on the CPU must not fail a run.
 * @param name - shown in reports
 * @param runs - how many runs
 * @param seed - 32-bit seed; same seed, same runs
 * @param fn - the property; throws to fail
 * @param options - slow threshold and progress callback
 */
export function runProperty(
  name: string,
  runs: number,
  seed: number,
  fn: (rng: Rng, index: number) => void,
  options: PropertyOptions = {},
): PropertyReport {
  const slowMs = options.slowMs ?? DEFAULT_SLOW_MS;
  const every = options.progressEvery ?? 100_000;
  const started = performance.now();
  let slowestMs = 0;
  let slowestIndex = -1;
  let failure: PropertyFailure | undefined;
  let index = 0;
  for (; index < runs && failure === undefined; index += 1) {
    const outcome = timeRun(fn, seed, index);
    if (outcome.error !== undefined) {
      failure = exceptionFailure(name, seed, index, outcome.error, outcome.ms);
    } else if (outcome.ms > slowMs) {
      const ms = confirmSlow(() => fn(rngFor(seed, index), index), slowMs);
      failure = ms > slowMs ? { name, seed, index, kind: 'slow', error: `took ${ms.toFixed(1)} ms of CPU (> ${slowMs} ms)`, ms } : undefined;
    }
    if (outcome.ms > slowestMs) {
      slowestMs = outcome.ms;
      slowestIndex = index;
    }
    if (options.onProgress !== undefined && (index + 1) % every === 0) {
      options.onProgress(index + 1, performance.now() - started);
    }
  }
  const elapsedMs = performance.now() - started;
  const report = { name, seed, runs: index, elapsedMs, perSecond: index / (elapsedMs / 1000), slowestMs, slowestIndex };
  return failure === undefined ? report : { ...report, failure };
}

function timeRun(fn: (rng: Rng, index: number) => void, seed: number, index: number): { ms: number; error?: unknown } {
  const rng = rngFor(seed, index);
  const t0 = performance.now();
  try {
    fn(rng, index);
    return { ms: performance.now() - t0 };
  } catch (error) {
    return { ms: performance.now() - t0, error };
  }
}

/**
 * The least CPU time of two more runs of a run that was slow on the wall clock.
 * @remarks CPU time, not wall time: on two cores shared with other work, a run is often
 * descheduled for longer than the threshold, which says nothing about the parser. With
 * `--expose-gc` (as `npm run fuzz` starts node), a full collection before each re-run keeps the
 * garbage of the inputs before it out of the figure: a 64 KiB body of 16,000 empty elements
 * costs about 25 ms, but up to 100 ms when a major GC of a long run's heap lands in it.
 */
function confirmSlow(run: () => void, slowMs: number): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 2 && best > slowMs; i += 1) {
    gc?.();
    best = Math.min(best, cpuMs(run));
  }
  return best;
}

/** CPU time (user + system) of one call in ms; an exception on the way does not matter here. */
export function cpuMs(run: () => void): number {
  const before = process.cpuUsage();
  try {
    run();
  } catch {
    // Only the time is measured; exceptions are reported by the run that found them.
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

function exceptionFailure(name: string, seed: number, index: number, error: unknown, ms: number): PropertyFailure {
  const base = { name, seed, index, kind: 'exception' as const, error: describeError(error), ms };
  return error instanceof Error && error.stack !== undefined ? { ...base, stack: error.stack } : base;
}

/** `Name: message` of a thrown value, whatever was thrown. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : `non-Error thrown: ${String(error)}`;
}

/**
 * Thrown by a target's `check` when the parser returned, but its result breaks the contract.
 * @remarks Distinct from an exception escaping the parser, so reports can tell them apart.
 */
export class ContractViolation extends Error {
  override readonly name = 'ContractViolation';
}

/** Fails the current input with a {@link ContractViolation} unless `condition` holds. */
export function expectThat(condition: boolean, message: string): asserts condition {
  if (!condition) {
    throw new ContractViolation(message);
  }
}

/**
 * A parser under fuzz: how to make input number `index`, and the contract its result must meet.
 * @typeParam I - the input type (a body string, a sequence of bodies, a message value)
 */
export type FuzzTarget<I> = {
  readonly name: string;
  /** The parser(s) and the exact contract checked, for `--list` and the README. */
  readonly contract: string;
  /** Input number `index`, deterministic given `rng`. */
  generate(rng: Rng, index: number): I;
  /** Runs the parser on `input`; throws (a ContractViolation or whatever escaped) to fail. */
  check(input: I): void;
  /** Smaller variants of a failing input, largest reductions first, for minimisation. */
  shrink(input: I): Iterable<I>;
  /** The input as text, for the crash file and the console. */
  show(input: I): string;
};

/** A failure with the input that caused it and the smallest input found that still fails. */
export type TargetFailure = PropertyFailure & { readonly input: string; readonly minimal: string; readonly minimalError: string };

/** The report of {@link fuzzTarget}. */
export type TargetReport = Omit<PropertyReport, 'failure'> & { readonly failure?: TargetFailure };

/** Options of {@link fuzzTarget}. */
export type FuzzOptions = PropertyOptions & {
  readonly runs: number;
  readonly seed: number;
  /** Most `check` calls spent minimising a failure; default 4,000. */
  readonly shrinkBudget?: number;
};

/**
 * Feeds `options.runs` generated inputs to a target and, on failure, minimises the input.
 * @remarks Minimisation keeps a candidate when it fails the same way: an exception of the same
 * name, or slowness (timed on the best of two runs, with a smaller budget since each try is slow).
 */
export function fuzzTarget<I>(target: FuzzTarget<I>, options: FuzzOptions): TargetReport {
  const report = runProperty(target.name, options.runs, options.seed, (rng, index) => target.check(generateOrExplain(target, rng, index)), options);
  const { failure, ...figures } = report;
  if (failure === undefined) {
    return figures;
  }
  let input: I;
  try {
    input = target.generate(rngFor(options.seed, failure.index), failure.index);
  } catch {
    // The generator itself threw: a harness bug, reported as it is, with nothing to minimise.
    return { ...figures, failure: { ...failure, input: '(the generator threw)', minimal: '', minimalError: failure.error } };
  }
  const slowMs = options.slowMs ?? DEFAULT_SLOW_MS;
  const budget = options.shrinkBudget ?? 4000;
  const fails =
    failure.kind === 'slow' ? (candidate: I) => isSlow(target, candidate, slowMs) : (candidate: I) => sameError(target, candidate, failure.error);
  const minimal = minimize(input, fails, (i) => target.shrink(i), failure.kind === 'slow' ? Math.min(budget, 300) : budget);
  return {
    ...figures,
    failure: { ...failure, input: target.show(input), minimal: target.show(minimal), minimalError: errorOf(target, minimal) },
  };
}

/** Thrown when a target's generator fails: a bug of the fuzzer, not of the parser. */
export class HarnessError extends Error {
  override readonly name = 'HarnessError';
}

function generateOrExplain<I>(target: FuzzTarget<I>, rng: Rng, index: number): I {
  try {
    return target.generate(rng, index);
  } catch (error) {
    throw new HarnessError(`the generator of ${target.name} threw ${describeError(error)}`);
  }
}

function errorOf<I>(target: FuzzTarget<I>, input: I): string {
  try {
    target.check(input);
    return 'no exception (slow input)';
  } catch (error) {
    return describeError(error);
  }
}

function errorName(described: string): string {
  return described.slice(0, Math.max(0, described.indexOf(':')));
}

function sameError<I>(target: FuzzTarget<I>, input: I, original: string): boolean {
  const now = errorOf(target, input);
  return now !== 'no exception (slow input)' && errorName(now) === errorName(original);
}

function isSlow<I>(target: FuzzTarget<I>, input: I, slowMs: number): boolean {
  return confirmSlow(() => target.check(input), slowMs) > slowMs;
}

/**
 * Greedy minimisation: take the first smaller candidate that still fails, until none does or
 * the budget of tries is spent.
 */
export function minimize<I>(input: I, fails: (candidate: I) => boolean, shrink: (current: I) => Iterable<I>, budget: number): I {
  let current = input;
  let tries = 0;
  let improved = true;
  while (improved && tries < budget) {
    improved = false;
    for (const candidate of shrink(current)) {
      tries += 1;
      if (fails(candidate)) {
        current = candidate;
        improved = true;
        break;
      }
      if (tries >= budget) {
        break;
      }
    }
  }
  return current;
}

/**
 * Candidates of a string one span shorter, from halves down to single characters (the delta
 * debugging order); for a long string, large spans only, so a 60 KB input shrinks in few tries.
 */
export function* shrinkString(text: string): Iterable<string> {
  for (let span = Math.max(1, text.length >> 1); span >= 1; span = span >> 1) {
    for (let at = 0; at + span <= text.length; at += span) {
      yield text.slice(0, at) + text.slice(at + span);
    }
    if (text.length > 4096 && span < 64) {
      return;
    }
  }
}
