import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIAS = 0x84;
const CLIP = 32635;

/** One 16-bit linear sample in G.711 µ-law (ITU-T G.711 §3, the usual segment search). */
export function linearToUlaw(sample: number): number {
  const sign = sample < 0 ? 0x80 : 0;
  let magnitude = Math.min(Math.abs(Math.round(sample)), CLIP) + BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (magnitude & mask) === 0 && exponent > 0; mask >>= 1) {
    exponent -= 1;
  }
  const mantissa = (magnitude >> (exponent + 3)) & 0x0f;
  magnitude = ~(sign | (exponent << 4) | mantissa);
  return magnitude & 0xff;
}

/**
 * Writes `seconds` of a sine tone as raw µ-law at 8 kHz (what sipp's `rtp_stream` plays with
 * payload type 0: "the audio file should be the raw samples", sipp docs, actions) and returns
 * its path. A whole number of periods per second, so the loop has no click.
 */
export function writeUlawTone(hz = 1000, seconds = 1, amplitude = 8000): string {
  const rate = 8000;
  const samples = Buffer.alloc(rate * seconds);
  for (let i = 0; i < samples.length; i += 1) {
    samples[i] = linearToUlaw(amplitude * Math.sin((2 * Math.PI * hz * i) / rate));
  }
  const path = join(mkdtempSync(join(tmpdir(), 'sb-tone-')), `tone-${hz}.ulaw`);
  writeFileSync(path, samples);
  return path;
}
