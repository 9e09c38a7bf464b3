/**
 * Strict UTF-8 encoding and decoding without `TextEncoder`/`TextDecoder`, which `core/` cannot
 * see (`lib: ES2023`, `types: []`).
 * @packageDocumentation
 */

const REPLACEMENT = 0xfffd;
// String.fromCodePoint takes its arguments on the stack; chunking keeps a large buffer safe.
const FROM_CODE_POINT_CHUNK = 4096;

/**
 * Encodes a string as UTF-8.
 * @remarks RFC 3629 §3. A lone surrogate becomes U+FFFD (EF BF BD), as WHATWG Encoding's
 * "UTF-8 encode" does, so the byte count matches `utf8ByteLength` in `core/xml`.
 * @public
 */
export function encodeUtf8(text: string): Uint8Array {
  const bytes: number[] = [];
  for (const ch of text) {
    pushCodePoint(bytes, scalarOf(ch));
  }
  return Uint8Array.from(bytes);
}

/** The code point of one iterated character, or U+FFFD for a lone surrogate. */
function scalarOf(ch: string): number {
  const cp = ch.codePointAt(0) ?? REPLACEMENT;
  return cp >= 0xd800 && cp <= 0xdfff ? REPLACEMENT : cp;
}

function pushCodePoint(out: number[], cp: number): void {
  if (cp < 0x80) {
    out.push(cp);
  } else if (cp < 0x800) {
    out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  } else {
    out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
}

/**
 * Decodes UTF-8 strictly: `undefined` for any ill-formed sequence.
 * @remarks RFC 3629 §3 and §4 (Unicode Table 3-7 "Well-Formed UTF-8 Byte Sequences"): overlong
 * forms, encoded surrogates, code points above U+10FFFF, stray continuation bytes and truncated
 * sequences are all refused rather than replaced, so a caller can tell text from binary data.
 * A leading BOM is kept: the bytes are application data, not a document.
 * @public
 */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  const codePoints: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    const step = readCodePoint(bytes, i);
    if (step === undefined) {
      return undefined;
    }
    codePoints.push(step.cp);
    i += step.size;
  }
  let text = '';
  for (let from = 0; from < codePoints.length; from += FROM_CODE_POINT_CHUNK) {
    text += String.fromCodePoint(...codePoints.slice(from, from + FROM_CODE_POINT_CHUNK));
  }
  return text;
}

type Step = { readonly cp: number; readonly size: number };

/** Per lead byte: sequence length and the allowed range of the *second* byte (Table 3-7). */
function leadOf(lead: number): { size: number; lo: number; hi: number } | undefined {
  if (lead >= 0xc2 && lead <= 0xdf) {
    return { size: 2, lo: 0x80, hi: 0xbf };
  }
  if (lead >= 0xe0 && lead <= 0xef) {
    // E0 excludes overlong forms; ED excludes the surrogates D800-DFFF.
    return { size: 3, lo: lead === 0xe0 ? 0xa0 : 0x80, hi: lead === 0xed ? 0x9f : 0xbf };
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    // F0 excludes overlong forms; F4 stops at U+10FFFF.
    return { size: 4, lo: lead === 0xf0 ? 0x90 : 0x80, hi: lead === 0xf4 ? 0x8f : 0xbf };
  }
  return undefined;
}

function readCodePoint(bytes: Uint8Array, at: number): Step | undefined {
  const lead = bytes[at] ?? 0;
  if (lead < 0x80) {
    return { cp: lead, size: 1 };
  }
  const shape = leadOf(lead);
  if (shape === undefined || at + shape.size > bytes.length) {
    return undefined;
  }
  const second = bytes[at + 1] ?? 0;
  if (second < shape.lo || second > shape.hi) {
    return undefined;
  }
  let cp = lead & (0xff >> (shape.size + 1));
  for (let k = 1; k < shape.size; k += 1) {
    const next = bytes[at + k] ?? 0;
    if ((next & 0xc0) !== 0x80) {
      return undefined;
    }
    cp = (cp << 6) | (next & 0x3f);
  }
  return { cp, size: shape.size };
}
