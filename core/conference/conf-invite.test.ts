import { describe, expect, it } from 'vitest';
import { parseConfInvite, parseFocusUri } from './conf-invite';

const FOCUS = 'sip:orgr@example.org;gruu;opaque=app:conf:focus:id:K7QW2ZPD';

const NOTES_EXAMPLE = `<Conferencing version="2.0">
  <focus-uri>${FOCUS}</focus-uri>
  <subject>Escalated support call</subject>
  <audio available="true"/>
  <im available="true"><first-im/></im>
</Conferencing>`;

describe('parseConfInvite', () => {
  it('reads the example of the protocol notes', () => {
    expect(parseConfInvite(NOTES_EXAMPLE)).toEqual({
      ok: true,
      invite: { focusUri: FOCUS, subject: 'Escalated support call', audio: true, im: true },
    });
  });

  it('reads a UCMA-style body: audio offered, IM declined', () => {
    const body = `<?xml version="1.0"?><Conferencing version="2.0"><focus-uri>${FOCUS}</focus-uri><subject/><audio available="true"/><im available="false"/></Conferencing>`;
    expect(parseConfInvite(body)).toEqual({ ok: true, invite: { focusUri: FOCUS, subject: '', audio: true, im: false } });
  });

  it('accepts the root in any namespace and ignores unknown elements', () => {
    const body = `<c:Conferencing xmlns:c="urn:example:whatever"><c:future x="1"><c:deep/></c:future><c:focus-uri>${FOCUS}</c:focus-uri><other>ignored</other></c:Conferencing>`;
    expect(parseConfInvite(body)).toEqual({ ok: true, invite: { focusUri: FOCUS, subject: '', audio: false, im: false } });
  });

  it('trims the focus URI and drops a ?query tail, like pidgin-sipe', () => {
    const body = `<Conferencing><focus-uri>\n  ${FOCUS}?conf-key=AbC%20d\n</focus-uri></Conferencing>`;
    expect(parseConfInvite(body)).toMatchObject({ ok: true, invite: { focusUri: FOCUS } });
  });

  it('reads available case-insensitively; anything but true is false', () => {
    const body = (audio: string, im: string): string =>
      `<Conferencing><focus-uri>${FOCUS}</focus-uri><audio available="${audio}"/><im available="${im}"/></Conferencing>`;
    expect(parseConfInvite(body('TRUE', ' True '))).toMatchObject({ invite: { audio: true, im: true } });
    expect(parseConfInvite(body('yes', '1'))).toMatchObject({ invite: { audio: false, im: false } });
    expect(parseConfInvite(body('false', 'FALSE'))).toMatchObject({ invite: { audio: false, im: false } });
  });

  it('reads an im element without available as offered, but not an audio element', () => {
    const body = `<Conferencing><focus-uri>${FOCUS}</focus-uri><audio/><im><first-im/></im></Conferencing>`;
    expect(parseConfInvite(body)).toMatchObject({ ok: true, invite: { audio: false, im: true } });
  });

  it('treats missing audio and im elements as not offered', () => {
    expect(parseConfInvite(`<Conferencing><focus-uri>${FOCUS}</focus-uri></Conferencing>`)).toMatchObject({
      ok: true,
      invite: { audio: false, im: false },
    });
  });

  it('tells "says audio is not available" apart from "says nothing about audio" (open question 35)', () => {
    const body = (audio: string): string => `<Conferencing><focus-uri>${FOCUS}</focus-uri>${audio}<im available="true"/></Conferencing>`;
    expect(parseConfInvite(body('<audio available="false"/>'))).toEqual({ ok: true, invite: { focusUri: FOCUS, subject: '', audio: false, im: true, audioUnavailable: true } });
    expect(parseConfInvite(body('<audio available=" FALSE "/>'))).toMatchObject({ invite: { audio: false, audioUnavailable: true } });
    expect(parseConfInvite(body('<audio available="yes"/>'))).toMatchObject({ invite: { audio: false, audioUnavailable: true } });
    for (const unsaid of ['', '<audio/>', '<audio available="true"/>']) {
      const parsed = parseConfInvite(body(unsaid));
      expect(parsed.ok && 'audioUnavailable' in parsed.invite).toBe(false);
    }
  });

  it.each([
    ['missing focus-uri', '<Conferencing><subject>x</subject></Conferencing>', 'missing focus-uri'],
    ['empty focus-uri', '<Conferencing><focus-uri>  </focus-uri></Conferencing>', 'missing focus-uri'],
    ['tel: focus', '<Conferencing><focus-uri>tel:+15551234</focus-uri></Conferencing>', 'focus-uri is not a sip: URI'],
    ['http: focus', '<Conferencing><focus-uri>http://evil.example/x</focus-uri></Conferencing>', 'focus-uri is not a sip: URI'],
    ['sips: focus', '<Conferencing><focus-uri>sips:a@b</focus-uri></Conferencing>', 'focus-uri is not a sip: URI'],
    ['percent escapes', '<Conferencing><focus-uri>sip:a%40b@example.org</focus-uri></Conferencing>', "focus-uri contains '%'"],
    ['spaces', '<Conferencing><focus-uri>sip:a b@example.org</focus-uri></Conferencing>', 'focus-uri contains characters not allowed in a SIP URI'],
    ['angle brackets', '<Conferencing><focus-uri>sip:a&lt;b@example.org</focus-uri></Conferencing>', 'focus-uri contains characters not allowed in a SIP URI'],
    ['only a scheme', '<Conferencing><focus-uri>sip:</focus-uri></Conferencing>', 'focus-uri has no address'],
    ['another root', `<Invite><focus-uri>${FOCUS}</focus-uri></Invite>`, 'root element is Invite, expected Conferencing'],
  ])('refuses %s with 400', (_label, body, warning) => {
    expect(parseConfInvite(body)).toEqual({ ok: false, status: 400, warning });
  });

  it('refuses unreadable bodies with a header-safe warning', () => {
    const cases = ['', '<Conferencing><focus-uri>x</Conferencing>', '<!DOCTYPE x [<!ENTITY a "b">]><Conferencing/>', `<Conferencing a=1>`];
    for (const body of cases) {
      const result = parseConfInvite(body);
      expect(result).toMatchObject({ ok: false, status: 400, warning: expect.stringMatching(/^unreadable conference invitation \(/) });
      expect(!result.ok && result.warning).not.toMatch(/["\\\u0000-\u001f]/);
      expect(!result.ok && result.warning.length).toBeLessThanOrEqual(120);
    }
  });

  it('never puts a lone surrogate into the warning, even when the parser quotes half a character', () => {
    // Found by the fuzzer (npm run fuzz): fast-xml-parser names the offending UTF-16 unit, so an
    // astral character at the wrong place gave "char '\udbff' is not expected", unencodable as UTF-8.
    const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
    for (const body of ['\u{10FFFF}', '<Conferencing>\u{1F600}', `<${'x'.repeat(97)}\u{1F600}/>`, `<\u{1F600}${'x'.repeat(100)}/>`]) {
      const result = parseConfInvite(body);
      expect(result.ok).toBe(false);
      expect(!result.ok && result.warning).not.toMatch(loneSurrogate);
    }
  });

  it('never puts a double quote or control character into the warning', () => {
    // The validator quotes the open-tag stack with double quotes in this message.
    const result = parseConfInvite('<Conferencing>\n<a>');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.warning).not.toMatch(/["\\\u0000-\u001f]/);
  });
});

describe('parseFocusUri', () => {
  it('lower-cases the scheme and keeps the rest', () => {
    expect(parseFocusUri('SIP:Orgr@Example.org;gruu;opaque=app:conf:focus:id:X')).toEqual({
      ok: true,
      uri: 'sip:Orgr@Example.org;gruu;opaque=app:conf:focus:id:X',
    });
  });
});
