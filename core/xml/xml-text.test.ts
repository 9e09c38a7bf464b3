import { describe, expect, it } from 'vitest';
import { decodeReferences, indexOfNonXmlChar, isXmlBlank, isXmlChar, replaceNonXmlChars, utf8ByteLength, xmlTrim } from './xml-text';

describe('utf8ByteLength', () => {
  it('counts 1, 2, 3 and 4 byte sequences', () => {
    expect(utf8ByteLength('')).toBe(0);
    expect(utf8ByteLength('abc')).toBe(3);
    expect(utf8ByteLength('é')).toBe(2);
    expect(utf8ByteLength('€')).toBe(3);
    expect(utf8ByteLength('😀')).toBe(4);
    expect(utf8ByteLength('a€😀é')).toBe(10);
  });

  it('counts a lone surrogate as the 3-byte U+FFFD an encoder writes', () => {
    expect(utf8ByteLength('\uD800')).toBe(3);
    expect(utf8ByteLength('\uDC00x')).toBe(4);
    expect(utf8ByteLength('\uD800\uD800\uDC00')).toBe(7);
  });

  it('stops counting once past the limit', () => {
    expect(utf8ByteLength('abcdef', 2)).toBe(3);
    expect(utf8ByteLength('abc', 3)).toBe(3);
  });
});

describe('isXmlChar and friends', () => {
  it('follows the XML 1.0 Char production', () => {
    expect([0x9, 0xa, 0xd, 0x20, 0xd7ff, 0xe000, 0xfffd, 0x10000, 0x10ffff].every(isXmlChar)).toBe(true);
    expect([0x0, 0x8, 0xb, 0x1f, 0xd800, 0xdfff, 0xfffe, 0xffff, 0x110000].some(isXmlChar)).toBe(false);
  });

  it('finds and replaces characters XML cannot carry', () => {
    expect(indexOfNonXmlChar('ok\ttext\n')).toBe(-1);
    expect(indexOfNonXmlChar('ab\u0001')).toBe(2);
    expect(indexOfNonXmlChar('a\uD800')).toBe(1);
    expect(indexOfNonXmlChar('😀')).toBe(-1);
    expect(replaceNonXmlChars('a\u0000b\uFFFFc\uDC00😀')).toBe('a\uFFFDb\uFFFDc\uFFFD😀');
  });
});

describe('xmlTrim', () => {
  it('trims XML white space only', () => {
    expect(xmlTrim(' \t\r\n a b \n')).toBe('a b');
    expect(xmlTrim('\u3000a\u00a0')).toBe('\u3000a\u00a0');
    expect(isXmlBlank(' \n\t')).toBe(true);
    expect(isXmlBlank('\u3000')).toBe(false);
  });

  it('is linear on long runs of spaces (no regex backtracking)', () => {
    const hostile = `a${' '.repeat(60_000)}a`;
    const started = performance.now();
    expect(xmlTrim(hostile)).toBe(hostile);
    expect(performance.now() - started).toBeLessThan(50);
  });
});

describe('decodeReferences', () => {
  it('decodes the predefined entities and numeric references once', () => {
    expect(decodeReferences('&lt;&gt;&amp;&quot;&apos;', false)).toEqual({ ok: true, value: `<>&"'` });
    expect(decodeReferences('&#65;&#x42;&#x1F600;', false)).toEqual({ ok: true, value: 'AB😀' });
    expect(decodeReferences('&amp;lt;', false)).toEqual({ ok: true, value: '&lt;' });
  });

  it('normalises attribute values but keeps referenced white space', () => {
    expect(decodeReferences('a\tb\nc\r\nd&#10;e&#9;', true)).toEqual({ ok: true, value: 'a b c d\ne\t' });
    expect(decodeReferences('a\r\nb\rc', false)).toEqual({ ok: true, value: 'a\nb\nc' });
  });

  it('refuses undeclared entities with rule entity', () => {
    expect(decodeReferences('&nbsp;', false)).toMatchObject({ ok: false, rule: 'entity' });
    expect(decodeReferences('x &xxe; y', false)).toMatchObject({ ok: false, rule: 'entity', message: expect.stringContaining('&xxe;') });
  });

  it('refuses bare ampersands, bad references and a raw < in attributes', () => {
    expect(decodeReferences('a & b', false)).toMatchObject({ ok: false, rule: 'malformed' });
    expect(decodeReferences('&#0;', false)).toMatchObject({ ok: false, rule: 'malformed' });
    expect(decodeReferences('&#xD800;', false)).toMatchObject({ ok: false, rule: 'malformed' });
    expect(decodeReferences('&#X41;', false)).toMatchObject({ ok: false, rule: 'malformed' });
    expect(decodeReferences('&#99999999999;', false)).toMatchObject({ ok: false, rule: 'malformed' });
    expect(decodeReferences('&;', false)).toMatchObject({ ok: false, rule: 'malformed' });
    expect(decodeReferences('a<b', true)).toMatchObject({ ok: false, rule: 'malformed' });
  });
});
