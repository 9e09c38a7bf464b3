import { describe, expect, it } from 'vitest';
import { ReceivedLevel } from './received-level';

/** Totals after `seconds` of a steady level `rms` on top of `from` (energy adds rms² × seconds). */
const after = (from: { energy: number; duration: number }, rms: number, seconds: number) => ({ energy: from.energy + rms * rms * seconds, duration: from.duration + seconds });

describe('ReceivedLevel', () => {
  it('is the RMS of what played since the previous reading, from zero at the first', () => {
    const level = new ReceivedLevel();
    const first = after({ energy: 0, duration: 0 }, 0.05, 1);
    expect(level.next(first, 1000)).toBeCloseTo(0.05, 6);
    const second = after(first, 0.2, 1);
    expect(level.next(second, 2000)).toBeCloseTo(0.2, 6);
    // Silence played: 0, not the last loud second again.
    expect(level.next(after(second, 0, 1), 3000)).toBe(0);
  });

  it('catches a short beep between readings that an instant reading would miss', () => {
    const level = new ReceivedLevel();
    // 20 ms at full scale in one second of silence: RMS √0.02 ≈ 0.14.
    expect(level.next({ energy: 0.02, duration: 1 }, 1000)).toBeCloseTo(Math.sqrt(0.02), 6);
  });

  it('keeps the last level for a reading right after another, and is unknown once nothing plays out', () => {
    const level = new ReceivedLevel();
    const first = after({ energy: 0, duration: 0 }, 0.1, 1);
    expect(level.next(first, 1000)).toBeCloseTo(0.1, 6);
    expect(level.next(after(first, 0.9, 0.02), 1020)).toBeCloseTo(0.1, 6);
    // The audio is not played out (the totals stand still): after a while the level is unknown.
    expect(level.next(first, 2000)).toBeCloseTo(0.1, 6);
    expect(level.next(first, 3600)).toBeUndefined();
    expect(level.next(undefined, 4000)).toBeUndefined();
  });

  it('starts over when the receiver does, and never exceeds full scale', () => {
    const level = new ReceivedLevel();
    level.next({ energy: 4, duration: 10 }, 1000);
    expect(level.next({ energy: 0.0025, duration: 1 }, 2000)).toBeCloseTo(0.05, 6);
    // libwebrtc divides a peak of 32768 by 32767: a hair over 1.
    expect(level.next({ energy: 0.0025 + 1.0001, duration: 2 }, 3000)).toBe(1);
  });
});
