/**
 * What every bench in `bench/` exports as `bench`, so that `bench/run.ts` finds it.
 * @remarks A bench prints progress to stderr as it goes and hands its figures back; the runner
 * prints them on stdout, so stdout carries figures only and can be kept or diffed.
 */
export type Bench = {
  /** Short name, also what `npm run bench -- <filter>` matches. */
  readonly name: string;
  run(): Promise<BenchResult>;
};

/** Figures of one bench run. */
export type BenchResult = {
  /** Lines for stdout, already formatted. */
  readonly lines: readonly string[];
  /** Iterations that failed (timed out or errored); they are reported in `lines`, never retried. */
  readonly failures: number;
};

/** Whether a module export looks like a {@link Bench}. */
export function isBench(value: unknown): value is Bench {
  return (
    typeof value === 'object' &&
    value !== null &&
    'name' in value &&
    typeof value.name === 'string' &&
    'run' in value &&
    typeof value.run === 'function'
  );
}

/**
 * Reads a positive integer from the environment.
 * @throws Error naming the variable when it is set but not a positive integer, so a typo never
 * silently runs the default.
 */
export function envInt(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') {
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** Writes one progress line to stderr. */
export function progress(text: string): void {
  process.stderr.write(`${text}\n`);
}
