import { describe, expect, it } from 'vitest';
import { fuzzTarget, runProperty, shrinkString, type FuzzTarget } from './engine';
import { mutateText, textCorpus } from './mutate-text';
import { rngFor } from './rng';
import { allTargets } from './targets/index';

// The short, seeded version of `npm run fuzz`: the same targets and contracts, a few thousand
// inputs each. A fixed seed keeps `npm test` reproducible; the full run picks fresh seeds.
const SEED = 20_261_206;
const RUNS = 2000;

describe('fuzz targets (short seeded run)', () => {
  it.each(allTargets(SEED).map((t) => [t.name, t] as const))('%s keeps its contract', (_name, target) => {
    const report = target.fuzz({ runs: RUNS, seed: SEED, slowMs: 250 });
    const failure = report.failure === undefined ? undefined : `${report.failure.error}\nminimal input: ${JSON.stringify(report.failure.minimal)}`;
    expect(failure).toBeUndefined();
    expect(report.runs).toBe(RUNS);
  });
});

describe('fuzz engine', () => {
  it('derives the same inputs from the same seed and index, and others from another seed', () => {
    const corpus = textCorpus(['<r a="1"><b>text</b></r>']);
    const draw = (seed: number, index: number): string => mutateText('<r a="1"><b>text</b></r>', rngFor(seed, index), corpus);
    const first = Array.from({ length: 50 }, (_, i) => draw(7, i));
    expect(Array.from({ length: 50 }, (_, i) => draw(7, i))).toEqual(first);
    expect(Array.from({ length: 50 }, (_, i) => draw(8, i))).not.toEqual(first);
  });

  it('stops at the first failing run and names its seed and index for replay', () => {
    const report = runProperty('planted', 1000, 3, (rng) => {
      if (rng.int(100) === 42) {
        throw new TypeError('planted');
      }
    });
    expect(report.failure).toMatchObject({ name: 'planted', seed: 3, kind: 'exception', error: 'TypeError: planted' });
    const index = report.failure?.index ?? -1;
    expect(report.runs).toBe(index + 1);
    expect(rngFor(3, index).int(100)).toBe(42);
  });

  it('reports a run slower than the threshold as slow', () => {
    const report = runProperty('spin', 5, 1, (_rng, index) => {
      // Busy until 30 ms of CPU (not wall) time: on a loaded machine 30 ms of wall time may hold
      // less than the 10 ms threshold of CPU, which is what confirms a slow run.
      const start = process.cpuUsage();
      const deadline = performance.now() + 5000;
      while (index === 3 && performance.now() < deadline) {
        const used = process.cpuUsage(start);
        if ((used.user + used.system) / 1000 >= 30) {
          break;
        }
      }
    }, { slowMs: 10 });
    expect(report.failure).toMatchObject({ kind: 'slow', index: 3 });
  });

  it('minimises a failing input to the part that triggers the failure', () => {
    const target: FuzzTarget<string> = {
      name: 'planted-parser',
      contract: 'throws on "<!x"',
      generate: (rng) => `${'a'.repeat(rng.range(50, 100))}<!x${'b'.repeat(40)}`,
      check: (body) => {
        if (body.includes('<!x')) {
          throw new RangeError('planted');
        }
      },
      shrink: shrinkString,
      show: (body) => body,
    };
    const report = fuzzTarget(target, { runs: 10, seed: 5 });
    expect(report.failure).toMatchObject({ kind: 'exception', minimal: '<!x', minimalError: 'RangeError: planted' });
  });
});
