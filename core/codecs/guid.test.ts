import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeAppId } from '../../common/extension-manifest';

const UPPER = '{8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01}';

describe('normalizeAppId', () => {
  it.each([
    ['braced upper', '{8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01}'],
    ['braced lower', '{8b1d6e2a-3c4f-4a7b-9e0d-5f6a7b8c9d01}'],
    ['braced mixed', '{8b1D6e2A-3C4f-4a7B-9e0D-5f6A7b8C9d01}'],
    ['unbraced upper', '8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01'],
    ['unbraced lower', '8b1d6e2a-3c4f-4a7b-9e0d-5f6a7b8c9d01'],
    ['unbraced mixed', '8B1d6E2a-3c4F-4A7b-9E0d-5F6a7B8c9D01'],
    ['trailing white space (the UCMA-CCC sample)', '{8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01}   '],
    ['white space around', ' \t\r\n{8b1d6e2a-3c4f-4a7b-9e0d-5f6a7b8c9d01}\n '],
    ['white space around an unbraced id', '  8b1d6e2a-3c4f-4a7b-9e0d-5f6a7b8c9d01\t'],
    ['white space just inside the braces', '{ 8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01 }'],
  ])('accepts %s', (_label, raw) => {
    expect(normalizeAppId(raw)).toBe(UPPER);
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['braces only', '{}'],
    ['opening brace only', '{8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01'],
    ['closing brace only', '8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01}'],
    ['doubled braces', '{{8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01}}'],
    ['parentheses (.NET P)', '(8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01)'],
    ['no hyphens (.NET N)', '8B1D6E2A3C4F4A7B9E0D5F6A7B8C9D01'],
    ['.NET X form', '{0x8b1d6e2a,0x3c4f,0x4a7b,{0x9e,0x0d,0x5f,0x6a,0x7b,0x8c,0x9d,0x01}}'],
    ['one digit short', '{8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D0}'],
    ['one digit long', '{8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D011}'],
    ['short first group', '{8B1D6E2-3C4F-4A7B-9E0D-5F6A7B8C9D01A}'],
    ['hyphen moved', '{8B1D6E2A3-C4F-4A7B-9E0D-5F6A7B8C9D01}'],
    ['non-hex G', '{8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D0G}'],
    ['non-hex z', '8b1d6e2a-3c4f-4a7b-9e0d-5f6a7b8c9d0z'],
    ['full-width digit', '{8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D0１}'],
    ['white space inside', '{8B1D6E2A-3C4F-4A7B-9E0D- 5F6A7B8C9D01}'],
    ['trailing garbage', '{8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01}x'],
    ['a name', 'Ticket Pane'],
  ])('refuses %s', (_label, raw) => {
    expect(normalizeAppId(raw)).toBeUndefined();
  });

  it('normalises any GUID in any case and bracing to the same braced upper-case form', () => {
    const hex = (n: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'.split('')), minLength: n, maxLength: n });
    const guid = fc.tuple(hex(8), hex(4), hex(4), hex(4), hex(12)).map((parts) => parts.join('-'));
    fc.assert(
      fc.property(guid, fc.boolean(), fc.constantFrom('', ' ', '\t\n'), (bare, braced, pad) => {
        const raw = `${pad}${braced ? `{${bare}}` : bare}${pad}`;
        const normal = normalizeAppId(raw);
        expect(normal).toBe(`{${bare.toUpperCase()}}`);
        expect(normal).toMatch(/^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$/);
        expect(normalizeAppId(normal ?? '')).toBe(normal);
      }),
    );
  });

});
