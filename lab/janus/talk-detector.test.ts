import { describe, expect, it } from 'vitest';
import { TalkDetector, levelDbov } from './talk-detector';

/** A 20 ms PCMU frame of a 400 Hz sine at `amplitude` (0..1 of full scale). */
function frame(amplitude: number): Uint8Array {
  const out = new Uint8Array(160);
  for (let i = 0; i < out.length; i += 1) {
    out[i] = linearToPcmu(Math.round(amplitude * 32_000 * Math.sin((2 * Math.PI * 400 * i) / 8000)));
  }
  return out;
}

/** G.711 µ-law encoding, for test input only. */
function linearToPcmu(sample: number): number {
  const sign = sample < 0 ? 0x80 : 0;
  const magnitude = Math.min(Math.abs(sample), 32_635) + 0x84;
  let exponent = 7;
  for (let mask = 0x4000; (magnitude & mask) === 0 && exponent > 0; mask >>= 1) {
    exponent -= 1;
  }
  const mantissa = (magnitude >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

describe('TalkDetector', () => {
  it('reports talking once a window of speech-loud frames closes, and silence once a quiet one does', () => {
    const detector = new TalkDetector({ windowFrames: 5 });
    const loud = frame(0.1);
    expect([1, 2, 3, 4].map(() => detector.frame(loud))).toEqual([undefined, undefined, undefined, undefined]);
    expect(detector.frame(loud)).toBe(true);
    expect([1, 2, 3, 4, 5].map(() => detector.frame(loud))).toEqual([undefined, undefined, undefined, undefined, undefined]);
    const quiet = frame(0.001);
    expect([1, 2, 3, 4, 5].map(() => detector.frame(quiet))).toEqual([undefined, undefined, undefined, undefined, false]);
    expect(detector.isTalking).toBe(false);
  });

  it('hears the lab tone (-33 dBov) as talking and silence as not', () => {
    const detector = new TalkDetector();
    let state: boolean | undefined;
    for (let i = 0; i < 25; i += 1) {
      state = detector.frame(frame(0.023 * Math.SQRT2)) ?? state;
    }
    expect(state).toBe(true);
    expect(detector.silence()).toBe(false);
    expect(detector.silence()).toBeUndefined();
  });

  it('maps RMS to RFC 6464 -dBov, 0..127', () => {
    expect(levelDbov(1)).toBe(0);
    expect(levelDbov(0.1)).toBe(20);
    expect(levelDbov(0)).toBe(127);
    expect(levelDbov(Number.NaN)).toBe(127);
    expect(levelDbov(1e-9)).toBe(127);
  });
});
