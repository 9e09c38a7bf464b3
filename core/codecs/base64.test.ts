import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64, decodeBase64Utf8, encodeBase64, encodeBase64Utf8 } from './base64';

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (ch) => ch.charCodeAt(0));
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

describe('encodeBase64 / decodeBase64', () => {
  it.each([
    ['', ''],
    ['f', 'Zg=='],
    ['fo', 'Zm8='],
    ['foo', 'Zm9v'],
    ['foob', 'Zm9vYg=='],
    ['fooba', 'Zm9vYmE='],
    ['foobar', 'Zm9vYmFy'],
  ])('RFC 4648 §10 vector %j <-> %j', (plain, encoded) => {
    expect(encodeBase64(ascii(plain))).toBe(encoded);
    expect(decodeBase64(encoded)).toEqual({ ok: true, bytes: ascii(plain) });
  });

  it('uses the standard alphabet, + and / included', () => {
    expect(encodeBase64(Uint8Array.of(0xfb, 0xff, 0xbf))).toBe('+/+/');
    expect(decodeBase64('+/+/')).toEqual({ ok: true, bytes: Uint8Array.of(0xfb, 0xff, 0xbf) });
  });

  it('agrees with Node Buffer on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(encodeBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
      }),
    );
  });

  it('round-trips arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(decodeBase64(encodeBase64(bytes))).toEqual({ ok: true, bytes });
      }),
    );
  });

  it('accepts exactly the canonical encodings: whatever decodes re-encodes to itself', () => {
    const unit = fc.constantFrom(...`${ALPHABET}=`.split(''));
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 16 }), (text) => {
        const decoded = decodeBase64(text);
        if (decoded.ok) {
          expect(encodeBase64(decoded.bytes)).toBe(text);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['A', 'length'],
    ['Zg=', 'length'],
    ['Zm9vY', 'length'],
    ['Zm9vYg', 'length'],
    ['Zm9v!A==', 'character'],
    ['Zm 9', 'character'],
    ['Zm9v\nZm9v', 'length'],
    ['Zm9v\r\nZg', 'character'],
    ['Zm9-', 'character'],
    ['Zm9_', 'character'],
    ['Zm9é', 'character'],
    ['Zm9\u0000', 'character'],
    ['====', 'padding'],
    ['Z===', 'padding'],
    ['Zg=a', 'padding'],
    ['=Zg=', 'padding'],
    ['Zg==Zg==', 'padding'],
    ['Zm9v=Zm9', 'padding'],
    ['Zh==', 'non-canonical'],
    ['Zm9=', 'non-canonical'],
    ['Zm8B', undefined],
  ])('%j: %s', (text, reason) => {
    const result = decodeBase64(text);
    expect(result).toEqual(reason === undefined ? { ok: true, bytes: expect.any(Uint8Array) } : { ok: false, reason });
  });

  it('refuses what Node Buffer would silently repair', () => {
    for (const text of ['Zm9vYg', 'Zm9v Yg==', 'Zm9v_-==', 'Zh==']) {
      expect(Buffer.from(text, 'base64').length).toBeGreaterThan(0);
      expect(decodeBase64(text).ok).toBe(false);
    }
  });
});

describe('encodeBase64Utf8 / decodeBase64Utf8', () => {
  it('encodes the UTF-8 bytes of text', () => {
    expect(encodeBase64Utf8('{"ticket":4711}')).toBe('eyJ0aWNrZXQiOjQ3MTF9');
    expect(encodeBase64Utf8('é😀')).toBe(Buffer.from('é😀', 'utf8').toString('base64'));
    expect(decodeBase64Utf8('w6nwn5iA')).toBe('é😀');
  });

  it('round-trips well-formed strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (text) => {
        expect(decodeBase64Utf8(encodeBase64Utf8(text))).toBe(text);
      }),
    );
  });

  it('gives undefined for bytes that are not UTF-8, and for non-base64', () => {
    expect(decodeBase64Utf8(encodeBase64(Uint8Array.of(0xff)))).toBeUndefined();
    expect(decodeBase64Utf8('not base64')).toBeUndefined();
  });
});
