/**
 * G.711 µ-law (PCMU, RTP payload type 0): enough of it to tell how loud a packet is.
 * @packageDocumentation
 */

/** Linear value of each µ-law byte (ITU-T G.711 §2, the inverted 8-bit code), built once. */
const LINEAR: Int16Array = (() => {
  const table = new Int16Array(256);
  for (let i = 0; i < 256; i += 1) {
    const u = ~i & 0xff;
    const exponent = (u >> 4) & 0x07;
    const magnitude = ((((u & 0x0f) << 3) + 0x84) << exponent) - 0x84;
    table[i] = u & 0x80 ? -magnitude : magnitude;
  }
  return table;
})();

/** Largest magnitude a µ-law sample decodes to. */
const FULL_SCALE = 32124;

/**
 * Root-mean-square level of a PCMU payload, from 0 (digital silence, bytes 0xFF/0x7F) to 1
 * (full scale).
 * @remarks G.711 µ-law, ITU-T G.711 (11/88) §2; a 440 Hz tone at -20 dBFS gives about 0.07.
 * @public
 */
export function pcmuLevel(payload: Uint8Array): number {
  if (payload.length === 0) {
    return 0;
  }
  let sum = 0;
  for (const byte of payload) {
    const sample = LINEAR[byte] ?? 0;
    sum += sample * sample;
  }
  return Math.sqrt(sum / payload.length) / FULL_SCALE;
}
