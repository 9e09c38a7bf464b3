import { describe, expect, it } from 'vitest';
import { pcmuLevel } from './pcmu';

describe('pcmuLevel (G.711 µ-law)', () => {
  it('is 0 for silence and an empty payload, and near 1 at full scale', () => {
    expect(pcmuLevel(new Uint8Array(160).fill(0xff))).toBe(0);
    expect(pcmuLevel(new Uint8Array(160).fill(0x7f))).toBe(0);
    expect(pcmuLevel(new Uint8Array(0))).toBe(0);
    expect(pcmuLevel(new Uint8Array(160).fill(0x00))).toBeCloseTo(1, 2);
    expect(pcmuLevel(new Uint8Array(160).fill(0x80))).toBeCloseTo(1, 2);
  });
  it('rises with the amplitude', () => {
    const quiet = pcmuLevel(new Uint8Array(160).fill(0xe0));
    const loud = pcmuLevel(new Uint8Array(160).fill(0x90));
    expect(quiet).toBeGreaterThan(0);
    expect(loud).toBeGreaterThan(quiet);
  });
});
