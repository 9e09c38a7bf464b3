import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8ByteLength } from '../xml/xml-text';
import { decodeUtf8, encodeUtf8 } from './utf8';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

describe('encodeUtf8', () => {
  it('agrees with TextEncoder, lone surrogates included', () => {
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => {
        expect(encodeUtf8(text)).toEqual(encoder.encode(text));
      }),
    );
    expect(encodeUtf8('a\uD800b')).toEqual(bytes(0x61, 0xef, 0xbf, 0xbd, 0x62));
  });

  it('produces as many bytes as utf8ByteLength counts', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => {
        expect(encodeUtf8(text).length).toBe(utf8ByteLength(text));
      }),
    );
  });

  it('encodes each sequence length at its boundaries', () => {
    expect(encodeUtf8('\u007f\u0080\u07ff\u0800\uffff\u{10000}\u{10ffff}')).toEqual(
      bytes(0x7f, 0xc2, 0x80, 0xdf, 0xbf, 0xe0, 0xa0, 0x80, 0xef, 0xbf, 0xbf, 0xf0, 0x90, 0x80, 0x80, 0xf4, 0x8f, 0xbf, 0xbf),
    );
  });
});

describe('decodeUtf8', () => {
  it('inverts encodeUtf8 on well-formed strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (text) => {
        expect(decodeUtf8(encodeUtf8(text))).toBe(text);
      }),
    );
  });

  it('agrees with a fatal TextDecoder on arbitrary bytes', () => {
    const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    const oracle = (input: Uint8Array): string | undefined => {
      try {
        return decoder.decode(input);
      } catch {
        return undefined;
      }
    };
    const interesting = fc.constantFrom(0x00, 0x7f, 0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0x9f, 0xa0, 0x8f, 0x90);
    fc.assert(
      fc.property(fc.array(fc.oneof(interesting, fc.integer({ min: 0, max: 255 })), { maxLength: 12 }), (values) => {
        const input = Uint8Array.from(values);
        expect(decodeUtf8(input)).toBe(oracle(input));
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    ['overlong NUL', bytes(0xc0, 0x80)],
    ['overlong slash (3 bytes)', bytes(0xe0, 0x80, 0xaf)],
    ['overlong 4 bytes', bytes(0xf0, 0x8f, 0xbf, 0xbf)],
    ['encoded surrogate', bytes(0xed, 0xa0, 0x80)],
    ['above U+10FFFF', bytes(0xf4, 0x90, 0x80, 0x80)],
    ['F5 lead', bytes(0xf5, 0x80, 0x80, 0x80)],
    ['stray continuation', bytes(0x80)],
    ['truncated', bytes(0xe2, 0x82)],
    ['bad continuation', bytes(0xe2, 0x28, 0xa1)],
  ])('refuses %s', (_label, input) => {
    expect(decodeUtf8(input)).toBeUndefined();
  });

  it('keeps a BOM and decodes long input', () => {
    expect(decodeUtf8(bytes(0xef, 0xbb, 0xbf, 0x61))).toBe('\uFEFFa');
    const long = 'é'.repeat(10_000);
    expect(decodeUtf8(encodeUtf8(long))).toBe(long);
  });
});
