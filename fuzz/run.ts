/**
 * `npm run fuzz [-- --seed <n>] [--runs <n>] [--parser <name>...] [--slow-ms <n>] [--list]`
 * @remarks Runs every target (or the named ones) for `--runs` inputs each (default 1,000,000
 * per parser, 10,000 event sequences per dialog class),
 * one after the other on one core, and prints inputs per second per target. A failure prints
 * the seed, the run index and the minimised input, writes both inputs to `fuzz/crashes/`, and
 * makes the exit status 1. Progress goes to stderr, figures to stdout.
 * @packageDocumentation
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { FuzzOptions, TargetFailure, TargetReport } from './engine';
import { dialogTargets } from './dialogs/index';
import { allTargets } from './targets/index';

const DEFAULT_RUNS = 1_000_000;
const crashDir = fileURLToPath(new URL('./crashes/', import.meta.url));

/** A parser target (synchronous) or a dialog target (asynchronous, with its own default runs). */
type RunnableTarget = { name: string; contract: string; defaultRuns?: number; fuzz(options: FuzzOptions): TargetReport | Promise<TargetReport> };

type Cli = { seed: number; runs: number | undefined; parsers: string[]; slowMs: number; list: boolean };

function readCli(argv: string[]): Cli {
  const { values } = parseArgs({
    args: argv,
    options: {
      seed: { type: 'string' },
      runs: { type: 'string' },
      parser: { type: 'string', multiple: true },
      'slow-ms': { type: 'string' },
      list: { type: 'boolean' },
    },
  });
  const int = (raw: string | undefined, fallback: number, what: string): number => {
    const n = raw === undefined ? fallback : Number(raw.replaceAll('_', ''));
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new Error(`--${what} must be a non-negative integer, got ${raw}`);
    }
    return n;
  };
  // Without --seed, a fresh one each run (printed, so any failure can be replayed).
  const seed = int(values.seed, Math.floor(Math.random() * 0x1_0000_0000), 'seed') >>> 0;
  return { seed, runs: values.runs === undefined ? undefined : int(values.runs, DEFAULT_RUNS, 'runs'), parsers: values.parser ?? [], slowMs: int(values['slow-ms'], 50, 'slow-ms'), list: values.list ?? false };
}

function writeCrash(failure: TargetFailure): string {
  mkdirSync(crashDir, { recursive: true });
  const base = `${crashDir}${failure.name}-${failure.seed}-${failure.index}`;
  writeFileSync(`${base}.minimal.txt`, failure.minimal);
  writeFileSync(`${base}.input.txt`, failure.input);
  writeFileSync(`${base}.json`, `${JSON.stringify(failure, null, 2)}\n`);
  return base;
}

function line(report: TargetReport): string {
  const rate = Math.round(report.perSecond).toLocaleString('en-US');
  const seconds = (report.elapsedMs / 1000).toFixed(1);
  const status = report.failure === undefined ? 'ok' : `FAILED (${report.failure.kind})`;
  return `${report.name.padEnd(18)} ${report.runs.toLocaleString('en-US').padStart(10)} inputs ${seconds.padStart(7)} s ${rate.padStart(9)}/s  slowest ${report.slowestMs.toFixed(1)} ms wall  ${status}`;
}

async function main(): Promise<number> {
  const cli = readCli(process.argv.slice(2));
  // Dialog targets are asynchronous (sip.js settles promises between events) and run fewer inputs.
  const every = (): RunnableTarget[] => [...allTargets(cli.seed), ...dialogTargets()];
  const targets = every().filter((t) => cli.parsers.length === 0 || cli.parsers.includes(t.name));
  if (cli.list || targets.length === 0) {
    const all = every();
    process.stdout.write(all.map((t) => `${t.name}\n  ${t.contract.replaceAll('\n', '\n  ')}\n`).join('\n'));
    return targets.length === 0 && !cli.list ? 2 : 0;
  }
  process.stdout.write(`fuzz: seed ${cli.seed}, ${(cli.runs ?? DEFAULT_RUNS).toLocaleString('en-US')} inputs per target${cli.runs === undefined ? ' (dialogs: 10,000 sequences)' : ''}, slow > ${cli.slowMs} ms\n`);
  let status = 0;
  const started = performance.now();
  for (const target of targets) {
    const report = await target.fuzz({
      runs: cli.runs ?? target.defaultRuns ?? DEFAULT_RUNS,
      seed: cli.seed,
      slowMs: cli.slowMs,
      onProgress: (done, ms) => process.stderr.write(`  ${target.name}: ${done.toLocaleString('en-US')} (${Math.round(done / (ms / 1000))}/s)\n`),
    });
    process.stdout.write(`${line(report)}\n`);
    if (report.failure !== undefined) {
      status = 1;
      const f = report.failure;
      const file = writeCrash(f);
      process.stdout.write(`  ${f.error}\n  replay: npm run fuzz -- --parser ${f.name} --seed ${f.seed} --runs ${f.index + 1}\n`);
      process.stdout.write(`  minimal input (${f.minimalError}):\n  ${JSON.stringify(f.minimal).slice(0, 2000)}\n  written to ${file}.*\n`);
    }
  }
  process.stdout.write(`total ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return status;
}

process.exitCode = await main();
