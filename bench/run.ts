import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isBench, progress, type Bench } from './support/bench';

// `npm run bench [-- <name filter>...]`: every bench in bench/ (each `*.ts` here but this one,
// exporting `bench`), one after the other, so that none competes with another for the CPU.
// Progress goes to stderr, figures to stdout. Exit status 1 when a bench threw or reported a
// failed iteration, so that a broken join cannot hide behind a table of figures.

const here = fileURLToPath(new URL('.', import.meta.url));

/** The benches in bench/, sorted by file name, kept to those whose name contains a filter. */
async function discover(filters: readonly string[]): Promise<Bench[]> {
  const files = (await readdir(here))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && f !== 'run.ts')
    .sort();
  const benches: Bench[] = [];
  for (const file of files) {
    const module: Record<string, unknown> = await import(pathToFileURL(`${here}${file}`).href);
    const candidate = module['bench'];
    if (!isBench(candidate)) {
      throw new Error(`bench/${file} exports no \`bench\` (a Bench from bench/support/bench.ts)`);
    }
    if (filters.length === 0 || filters.some((f) => candidate.name.includes(f))) {
      benches.push(candidate);
    }
  }
  return benches;
}

async function main(): Promise<number> {
  // A plain exit on Ctrl-C runs the Kamailio launcher's 'exit' hook, which kills every
  // Kamailio still running; the default signal death would skip it.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      progress(`bench: ${signal}, stopping`);
      process.exit(130);
    });
  }
  const benches = await discover(process.argv.slice(2));
  if (benches.length === 0) {
    progress('bench: no bench matches');
    return 1;
  }
  let status = 0;
  for (const bench of benches) {
    const started = performance.now();
    progress(`bench: ${bench.name}`);
    try {
      const result = await bench.run();
      process.stdout.write(`${result.lines.join('\n')}\n`);
      if (result.failures > 0) {
        status = 1;
      }
    } catch (error) {
      process.stdout.write(`${bench.name}: failed: ${error instanceof Error ? error.message : String(error)}\n`);
      status = 1;
    }
    progress(`bench: ${bench.name} took ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  return status;
}

// Exits explicitly: a werift or sip.js timer left behind must not keep a finished run alive.
process.exit(await main());
