/**
 * Random event sequences against one dialog class: the asynchronous counterpart of
 * `runProperty` for targets that need sip.js's promises to settle between events.
 * @packageDocumentation
 */
import { describeError, type FuzzOptions, type TargetFailure, type TargetReport } from '../engine';
import { rngFor, type Rng } from '../rng';

/**
 * A dialog class under test: a generator of command sequences and the model run that executes
 * one sequence against the real class and throws when an invariant breaks.
 * @typeParam C - one command (a remote message, a local action, or time passing)
 */
export type DialogModel<C> = {
  readonly name: string;
  /** The events drawn and the properties checked, for `--list` and the README. */
  readonly contract: string;
  /** Sequence number `index`, deterministic given `rng`. */
  generate(rng: Rng): C[];
  /** Runs the sequence on a fresh harness; rejects with what broke. */
  run(commands: readonly C[]): Promise<void>;
  /** One command as text, for reports. */
  show(command: C): string;
};

/** A target `npm run fuzz` and the unit test run alike, asynchronous because the dialogs are. */
export type DialogTarget = {
  readonly name: string;
  readonly contract: string;
  /** Runs when `--runs` is not given: 10,000 sequences. */
  readonly defaultRuns: number;
  fuzz(options: FuzzOptions): Promise<TargetReport>;
};

/** Sequences per dialog class in `npm run fuzz` unless `--runs` says otherwise. */
export const DIALOG_RUNS = 10_000;

/** Most model runs spent minimising a failing sequence. */
const SHRINK_BUDGET = 300;

/**
 * Runs `options.runs` sequences; on the first failure, minimises the sequence (drop spans of
 * commands, halves down to single ones, keeping candidates that fail with the same error name).
 */
export async function fuzzDialog<C>(model: DialogModel<C>, options: FuzzOptions): Promise<TargetReport> {
  const started = performance.now();
  let slowestMs = 0;
  let slowestIndex = -1;
  let index = 0;
  for (; index < options.runs; index += 1) {
    const commands = model.generate(rngFor(options.seed, index));
    const t0 = performance.now();
    const error = await errorOf(model, commands);
    const ms = performance.now() - t0;
    if (ms > slowestMs) {
      slowestMs = ms;
      slowestIndex = index;
    }
    if (error !== undefined) {
      const figures = report(model.name, options.seed, index + 1, started, slowestMs, slowestIndex);
      return { ...figures, failure: await minimised(model, commands, error, options.seed, index, ms) };
    }
    if (options.onProgress !== undefined && (index + 1) % (options.progressEvery ?? 1000) === 0) {
      options.onProgress(index + 1, performance.now() - started);
    }
  }
  return report(model.name, options.seed, index, started, slowestMs, slowestIndex);
}

function report(name: string, seed: number, runs: number, started: number, slowestMs: number, slowestIndex: number): TargetReport {
  const elapsedMs = performance.now() - started;
  return { name, seed, runs, elapsedMs, perSecond: runs / (elapsedMs / 1000), slowestMs, slowestIndex };
}

async function errorOf<C>(model: DialogModel<C>, commands: readonly C[]): Promise<unknown> {
  try {
    await model.run(commands);
    return undefined;
  } catch (error) {
    return error ?? new Error('rejected with nothing');
  }
}

async function minimised<C>(model: DialogModel<C>, commands: C[], error: unknown, seed: number, index: number, ms: number): Promise<TargetFailure> {
  const described = describeError(error);
  const name = described.slice(0, described.indexOf(':'));
  // Greedy like the engine's minimize(), which is synchronous: each candidate needs a harness run.
  let current = commands;
  let budget = SHRINK_BUDGET;
  for (let improved = true; improved && budget > 0; ) {
    improved = false;
    for (const candidate of shrinkSequence(current)) {
      budget -= 1;
      const candidateError = await errorOf(model, candidate);
      if (candidateError !== undefined && describeError(candidateError).startsWith(`${name}:`)) {
        current = candidate;
        improved = true;
        break;
      }
      if (budget <= 0) {
        break;
      }
    }
  }
  const minimalError = describeError(await errorOf(model, current));
  const show = (list: readonly C[]): string => list.map((c, i) => `${i + 1}. ${model.show(c)}`).join('\n');
  return {
    name: model.name,
    seed,
    index,
    kind: 'exception',
    error: described,
    ...(error instanceof Error && error.stack !== undefined && { stack: error.stack }),
    ms,
    input: show(commands),
    minimal: show(current),
    minimalError,
  };
}

/** Candidates one span of commands shorter, from halves down to single commands. */
export function* shrinkSequence<C>(commands: readonly C[]): Iterable<C[]> {
  for (let span = Math.max(1, commands.length >> 1); span >= 1; span >>= 1) {
    for (let at = 0; at + span <= commands.length; at += span) {
      yield [...commands.slice(0, at), ...commands.slice(at + span)];
    }
  }
}
