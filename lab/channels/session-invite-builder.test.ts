import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SessionInviteResult } from '../../core/channels/session-invite';
import { parseSessionInvite } from '../../core/channels/session-invite';
import { escapeXml } from '../../core/xml/safe-xml';
import { replaceNonXmlChars, utf8ByteLength, xmlTrim } from '../../core/xml/xml-text';
import type { SessionInviteInput } from './session-invite-builder';
import { buildSessionInvite } from './session-invite-builder';

const APP = '{8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01}';
const TICKET_B64 = 'eyJ0aWNrZXQiOjQ3MTF9';
const enc = new TextEncoder();

/** A body written by hand, so tests do not depend on the builder. Values are escaped. */
function sessionXml(appId: string | undefined, entries: readonly (readonly [string, string])[] = []): string {
  const id = appId === undefined ? '' : `<application-id>${escapeXml(appId)}</application-id>`;
  const items = entries.map(([name, value]) => `<entry><name>${escapeXml(name)}</name><value>${escapeXml(value)}</value></entry>`).join('');
  return `<session>${id}<additional-properties>${items}</additional-properties></session>`;
}

function invite(result: SessionInviteResult): Extract<SessionInviteResult, { ok: true }>['invite'] {
  if (!result.ok) {
    throw new Error(`expected an invite, got ${result.rule}: ${result.warning}`);
  }
  return result.invite;
}

const NOTES_INPUT: SessionInviteInput = {
  appId: APP.toLowerCase(),
  data: '{"ticket":4711}',
  name: 'Ticket Pane',
  customToast: 'Customer context attached',
  simpleLink: 'https://crm.example.org/t/4711',
  installLink: 'https://crm.example.org/install',
};

describe('buildSessionInvite', () => {
  it('writes the shape of the protocol notes', () => {
    const entry = (name: string, value: string): string => `<entry><name>${name}</name><value>${value}</value></entry>`;
    expect(buildSessionInvite(NOTES_INPUT)).toEqual({
      ok: true,
      body:
        `<?xml version="1.0" encoding="utf-8"?><session><application-id>${APP}</application-id><additional-properties>` +
        entry('data', TICKET_B64) +
        entry('name', 'Ticket Pane') +
        entry('customToast', 'Customer context attached') +
        entry('simpleLink', 'https://crm.example.org/t/4711') +
        entry('installLink', 'https://crm.example.org/install') +
        '</additional-properties></session>',
    });
  });

  it('writes only the application-id when nothing else is given, and leaves blank values out', () => {
    expect(buildSessionInvite({ appId: APP })).toEqual({ ok: true, body: `<?xml version="1.0" encoding="utf-8"?><session><application-id>${APP}</application-id></session>` });
    expect(buildSessionInvite({ appId: APP, data: '', name: '  ', customToast: '', simpleLink: ' ', installLink: '' })).toEqual(buildSessionInvite({ appId: APP }));
    expect(buildSessionInvite({ appId: APP, data: new Uint8Array(0) })).toEqual(buildSessionInvite({ appId: APP }));
  });

  it('escapes markup and keeps binary data exact', () => {
    const built = buildSessionInvite({ appId: APP, name: '<b>Q&A</b> "x"', data: Uint8Array.of(0, 255, 60, 38), other: { 'a<b': ']]>' } });
    expect(built.ok).toBe(true);
    const read = invite(parseSessionInvite(built.ok ? built.body : ''));
    expect(read).toEqual({
      appId: APP,
      rawAppId: APP,
      name: '<b>Q&A</b> "x"',
      data: { bytesBase64: 'AP88Jg==', decoded: Uint8Array.of(0, 255, 60, 38) },
      other: { 'a<b': ']]>' },
    });
  });

  it.each([
    ['no application id', { appId: ' ' }, 'no-application-id'],
    ['a bad application id', { appId: 'Ticket Pane' }, 'bad-application-id'],
    ['a 51-character name', { appId: APP, name: 'n'.repeat(51) }, 'name-too-long'],
    ['a 51-emoji name', { appId: APP, name: '😀'.repeat(51) }, 'name-too-long'],
    ['an 81-character toast', { appId: APP, customToast: 't'.repeat(81) }, 'toast-too-long'],
    ['data over 4096 base64 characters', { appId: APP, data: new Uint8Array(3073) }, 'data-too-long'],
    ['exactly 4096 base64 characters of data (the body is then too large)', { appId: APP, data: new Uint8Array(3072) }, 'too-large'],
    ['a javascript: link', { appId: APP, simpleLink: 'javascript:alert(1)' }, 'bad-link'],
    ['an http: install link', { appId: APP, installLink: 'http://crm.example.org/setup.exe' }, 'bad-link'],
    ['an other entry named like a known one', { appId: APP, other: { ' Name ': 'x' } }, 'bad-entry-name'],
    ['a blank other entry name', { appId: APP, other: { ' ': 'x' } }, 'bad-entry-name'],
    ['other entry names equal once trimmed', { appId: APP, other: { k: '1', ' k ': '2' } }, 'duplicate'],
    ['a body of 4096 bytes or more', { appId: APP, other: { pad: 'x'.repeat(4000) } }, 'too-large'],
  ] as const)('refuses %s', (_label, input, rule) => {
    expect(buildSessionInvite(input)).toEqual({ ok: false, rule, message: expect.stringMatching(new RegExp(`^${rule}: `)) });
  });

  it('accepts each field at its limit', () => {
    const built = buildSessionInvite({ appId: APP, name: '😀'.repeat(50), customToast: 't'.repeat(80) });
    expect(built.ok && invite(parseSessionInvite(built.body))).toMatchObject({ name: '😀'.repeat(50), customToast: 't'.repeat(80) });
  });

  it('builds up to 4095 bytes and refuses 4096, like the parser', () => {
    const overhead = buildSessionInvite({ appId: APP, other: { pad: 'x' } });
    const base = overhead.ok ? utf8ByteLength(overhead.body) - 1 : 0;
    const at = (bytes: number): ReturnType<typeof buildSessionInvite> => buildSessionInvite({ appId: APP, other: { pad: 'x'.repeat(bytes - base) } });
    const largest = at(4095);
    expect(largest.ok && utf8ByteLength(largest.body)).toBe(4095);
    expect(at(4096)).toMatchObject({ ok: false, rule: 'too-large' });
  });

  it('agrees with the parser on every name and toast length around the limits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 90 }), fc.constantFrom('a', 'é', '😀', '&', '<'), (count, ch) => {
        const text = ch.repeat(count);
        for (const field of ['name', 'customToast'] as const) {
          const built = buildSessionInvite({ appId: APP, [field]: text });
          const parsed = parseSessionInvite(sessionXml(APP, [[field, text]]));
          expect(built.ok).toBe(parsed.ok);
          expect(built.ok ? undefined : built.rule).toBe(parsed.ok ? undefined : parsed.rule);
        }
      }),
    );
  });
});

describe('parseSessionInvite . buildSessionInvite', () => {
  const special = fc.constantFrom('<', '>', '&', '"', "'", ']]>', '&amp;', '&#x41;', '\r\n', '\r', '\t', '\n', ' ', '\u0000', '\uFFFE', '\uD800', '😀', 'é', '\u00A0', '\u2028', '{', '}', '=');
  const unit = fc.oneof(special, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));
  const textOf = (max: number): fc.Arbitrary<string> => fc.array(unit, { maxLength: max }).map((parts) => Array.from(parts.join('')).slice(0, max).join(''));
  const clean = (text: string): string => replaceNonXmlChars(xmlTrim(text));
  const hex = (n: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'.split('')), minLength: n, maxLength: n });
  const appId = fc
    .tuple(hex(8), hex(4), hex(4), hex(4), hex(12), fc.boolean(), fc.constantFrom('', ' ', '\n\t'))
    .map(([a, b, c, d, e, braced, pad]) => `${pad}${braced ? '{' : ''}${[a, b, c, d, e].join('-')}${braced ? '}' : ''}${pad}`);
  const link = fc.option(fc.constantFrom('https://crm.example.org/t/4711', 'HTTPS://x.example:8443/a?b=c&d=%20#f', ' https://[2001:db8::1]/ '), { nil: undefined });
  const data = fc.option(fc.oneof(fc.uint8Array({ maxLength: 600 }), fc.string({ unit: 'binary', maxLength: 150 })), { nil: undefined });
  const other = fc
    .uniqueArray(fc.tuple(textOf(10).map((key) => `x-${key}`), textOf(30)), { maxLength: 3, selector: ([key]) => clean(key) })
    .map((entries) => Object.fromEntries(entries));

  it('round-trips arbitrary text within the limits: XML specials, Unicode, lone surrogates', () => {
    const input = fc.record({ appId, data, name: textOf(50), customToast: textOf(80), simpleLink: link, installLink: link, other });
    fc.assert(
      fc.property(input, (given) => {
        const built = buildSessionInvite(given);
        if (!built.ok) {
          throw new Error(`not built: ${built.message}`);
        }
        expect(utf8ByteLength(built.body)).toBeLessThan(4096);
        const read = invite(parseSessionInvite(built.body));
        const bytes = given.data === undefined ? new Uint8Array(0) : typeof given.data === 'string' ? enc.encode(given.data) : given.data;
        const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
        const utf8 = Buffer.from(text, 'utf8').equals(Buffer.from(bytes));
        const optional = (value: string | undefined): string | undefined => (value === undefined || clean(value) === '' ? undefined : clean(value));
        expect(read.appId).toBe(`{${xmlTrim(given.appId).replace(/[{}]/g, '').toUpperCase()}}`);
        expect(read.data).toEqual(bytes.length === 0 ? undefined : { ...(utf8 ? { text } : {}), bytesBase64: Buffer.from(bytes).toString('base64'), decoded: bytes });
        expect(read.name).toBe(optional(given.name));
        expect(read.customToast).toBe(optional(given.customToast));
        expect(read.simpleLink).toBe(optional(given.simpleLink));
        expect(read.installLink).toBe(optional(given.installLink));
        expect(read.other).toEqual(Object.fromEntries(Object.entries(given.other).map(([key, value]) => [clean(key), clean(value)])));
      }),
      { numRuns: 300 },
    );
  });

  it('never builds a body the parser refuses, whatever the input', () => {
    const wild = fc.record({
      appId: fc.oneof(appId, fc.string()),
      data: fc.option(fc.oneof(fc.uint8Array({ maxLength: 3200 }), fc.string({ maxLength: 3000 })), { nil: undefined }),
      name: fc.option(textOf(60), { nil: undefined }),
      customToast: fc.option(textOf(90), { nil: undefined }),
      simpleLink: fc.option(fc.oneof(link, fc.string()), { nil: undefined }),
      other: fc.dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 1500 }), { maxKeys: 3 }),
    });
    fc.assert(
      fc.property(wild, (given) => {
        const built = buildSessionInvite(given);
        if (built.ok) {
          expect(parseSessionInvite(built.body).ok).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
