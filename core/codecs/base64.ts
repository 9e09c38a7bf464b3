/**
 * Strict base64 (RFC 4648 §4, standard alphabet, padded) without `Buffer` or `atob`, which
 * `core/` cannot use.
 * @packageDocumentation
 */
import { decodeUtf8, encodeUtf8 } from './utf8';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const PAD = '=';
const SEXTET: ReadonlyMap<string, number> = new Map(Array.from(ALPHABET, (ch, i) => [ch, i]));

/**
 * Why {@link decodeBase64} refused its input.
 * - `length`: not a multiple of four characters (padding is mandatory, RFC 4648 §3.2);
 * - `character`: a character outside the standard alphabet, including white space and the
 *   URL-safe `-` and `_` (§3.3, §5);
 * - `padding`: `=` anywhere but the last one or two positions;
 * - `non-canonical`: pad bits that are not zero (§3.5), so every byte string has exactly one
 *   accepted encoding.
 * @public
 */
export type Base64Failure = 'length' | 'character' | 'padding' | 'non-canonical';

/** Outcome of {@link decodeBase64}. @public */
export type Base64Result = { readonly ok: true; readonly bytes: Uint8Array } | { readonly ok: false; readonly reason: Base64Failure };

/**
 * Encodes bytes as padded standard base64.
 * @remarks RFC 4648 §4; no line breaks (the MIME 76-column wrapping of RFC 2045 §6.8 is a
 * transfer concern, not part of the encoding).
 * @public
 */
export function encodeBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const rest = bytes.length - i;
    const group = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += sextetChar(group >> 18) + sextetChar(group >> 12);
    out += rest > 1 ? sextetChar(group >> 6) : PAD;
    out += rest > 2 ? sextetChar(group) : PAD;
  }
  return out;
}

function sextetChar(value: number): string {
  return ALPHABET.charAt(value & 0x3f);
}

/**
 * Decodes padded standard base64, refusing everything else.
 * @remarks RFC 4648 §4. Strict on purpose: §3.3 lets decoders reject characters outside the
 * alphabet and §3.5 lets them reject non-zero pad bits; doing both makes encoding and decoding
 * exact inverses. Callers that tolerate white space (line-wrapped MIME) strip it first.
 * @public
 */
export function decodeBase64(text: string): Base64Result {
  if (text.length % 4 !== 0) {
    return { ok: false, reason: 'length' };
  }
  const padding = paddingLength(text);
  if (padding === undefined) {
    return { ok: false, reason: 'padding' };
  }
  const bytes = new Uint8Array((text.length / 4) * 3 - padding);
  let at = 0;
  for (let i = 0; i < text.length; i += 4) {
    const group = readGroup(text, i, i + 4 === text.length ? padding : 0);
    if (typeof group === 'string') {
      return { ok: false, reason: group };
    }
    for (let shift = 16; shift >= 0 && at < bytes.length; shift -= 8) {
      bytes[at] = (group >> shift) & 0xff;
      at += 1;
    }
  }
  return { ok: true, bytes };
}

/** Number of trailing `=` (0-2), or `undefined` when `=` appears anywhere else. */
function paddingLength(text: string): number | undefined {
  const first = text.indexOf(PAD);
  if (first === -1) {
    return 0;
  }
  const padding = text.length - first;
  return padding <= 2 && text.slice(first) === PAD.repeat(padding) ? padding : undefined;
}

/** The 24 bits of one quad, or why it is refused. */
function readGroup(text: string, from: number, padding: number): number | Base64Failure {
  let group = 0;
  for (let k = 0; k < 4; k += 1) {
    const value = k < 4 - padding ? SEXTET.get(text.charAt(from + k)) : 0;
    if (value === undefined) {
      return 'character';
    }
    group = (group << 6) | value;
  }
  // The low 8 bits per pad character carry no data: 6 come from the pad itself, and the other
  // 2 (one pad) or 4 (two pads) from the last real character, which must be zero (RFC 4648 §3.5).
  return (group & ((1 << (8 * padding)) - 1)) === 0 ? group : 'non-canonical';
}

/**
 * Encodes text as the base64 of its UTF-8 bytes.
 * @remarks A lone surrogate is encoded as U+FFFD (see `encodeUtf8`).
 * @public
 */
export function encodeBase64Utf8(text: string): string {
  return encodeBase64(encodeUtf8(text));
}

/**
 * Decodes base64 whose bytes must be well-formed UTF-8; `undefined` otherwise.
 * @public
 */
export function decodeBase64Utf8(text: string): string | undefined {
  const decoded = decodeBase64(text);
  return decoded.ok ? decodeUtf8(decoded.bytes) : undefined;
}
