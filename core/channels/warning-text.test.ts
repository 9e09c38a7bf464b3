import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_WARNING_TEXT, toWarningText } from './warning-text';

describe('toWarningText', () => {
  it('keeps ordinary text, including non-ASCII', () => {
    expect(toWarningText('application Ticket Pané 😀 is not installed')).toBe('application Ticket Pané 😀 is not installed');
  });

  it('replaces quotes, backslashes and control characters', () => {
    expect(toWarningText('a"b\\c\r\nd\u0000e\u007f\u0085f')).toBe("a'b'c  d e  f");
  });

  it('caps the length on a code point boundary', () => {
    const text = toWarningText('😀'.repeat(200));
    expect(Array.from(text)).toHaveLength(MAX_WARNING_TEXT);
    expect(text.endsWith('😀...')).toBe(true);
    expect(toWarningText('x'.repeat(MAX_WARNING_TEXT))).toBe('x'.repeat(MAX_WARNING_TEXT));
  });

  it('always yields a valid quoted-string body for any input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (input) => {
        const text = toWarningText(input);
        expect(text).not.toMatch(/["\\\u0000-\u001f\u007f-\u009f]|[\uD800-\uDFFF](?![\uDC00-\uDFFF])/u);
        expect(Array.from(text).length).toBeLessThanOrEqual(MAX_WARNING_TEXT);
      }),
    );
  });
});
