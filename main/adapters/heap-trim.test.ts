import { describe, expect, it } from 'vitest';
import { HEAP_REGROWTH_BYTES, HeapTrimPolicy, IDLE_UTILIZATION, MIN_TRIM_GAP_MS, type HeapGauges } from './heap-trim';

const MIB = 1024 * 1024;

/** Gauges the test sets by hand. */
function fakeGauges(): HeapGauges & { heap: number; utilization: number; clock: number } {
  const g = {
    heap: 10 * MIB,
    utilization: 0,
    clock: 0,
    physicalHeapBytes: () => g.heap,
    utilizationSinceLastCall: () => g.utilization,
    now: () => g.clock,
  };
  return g;
}

describe('HeapTrimPolicy', () => {
  it('never trims before the first trim has set the reference', () => {
    const g = fakeGauges();
    const policy = new HeapTrimPolicy(g);
    g.heap = 100 * MIB;
    g.clock = 10 * MIN_TRIM_GAP_MS;
    expect(policy.shouldTrim()).toBe(false);
  });

  it('trims once idle after the heap regrew, and not again until it regrows', () => {
    const g = fakeGauges();
    const policy = new HeapTrimPolicy(g);
    policy.trimmed();
    g.clock = MIN_TRIM_GAP_MS;
    g.heap += HEAP_REGROWTH_BYTES - 1;
    expect(policy.shouldTrim()).toBe(false);
    g.heap += 1;
    expect(policy.shouldTrim()).toBe(true);
    policy.trimmed();
    g.clock += MIN_TRIM_GAP_MS;
    expect(policy.shouldTrim()).toBe(false);
  });

  it('leaves a busy agent alone, however large its heap', () => {
    const g = fakeGauges();
    const policy = new HeapTrimPolicy(g);
    policy.trimmed();
    g.clock = MIN_TRIM_GAP_MS;
    g.heap += 50 * MIB;
    g.utilization = IDLE_UTILIZATION;
    expect(policy.shouldTrim()).toBe(false);
    g.utilization = IDLE_UTILIZATION / 2;
    expect(policy.shouldTrim()).toBe(true);
  });

  it('trims at most once per gap', () => {
    const g = fakeGauges();
    const policy = new HeapTrimPolicy(g);
    policy.trimmed();
    g.heap += 50 * MIB;
    g.clock = MIN_TRIM_GAP_MS - 1;
    expect(policy.shouldTrim()).toBe(false);
    g.clock = MIN_TRIM_GAP_MS;
    expect(policy.shouldTrim()).toBe(true);
  });
});
