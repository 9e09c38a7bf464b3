import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfInvite } from '../../core/conference/conf-invite';
import { replaceNonXmlChars, xmlTrim } from '../../core/xml/xml-text';
import { buildConfInvite } from './conf-invite-builder';

const FOCUS = 'sip:orgr@example.org;gruu;opaque=app:conf:focus:id:K7QW2ZPD';

describe('buildConfInvite', () => {
  it('writes the shape of the protocol notes', () => {
    expect(buildConfInvite({ focusUri: FOCUS, subject: 'Q&A <live>', audio: true, im: false })).toBe(
      '<?xml version="1.0" encoding="utf-8"?><Conferencing version="2.0">' +
        `<focus-uri>${FOCUS}</focus-uri><subject>Q&amp;A &lt;live&gt;</subject>` +
        '<audio available="true"/><im available="false"/></Conferencing>',
    );
  });

  it('round-trips through parseConfInvite', () => {
    const token = fc.string({ unit: fc.constantFrom(...'abcXYZ019._~!$&\'()*+,;=-'.split('')), minLength: 1, maxLength: 12 });
    const focusUri = fc.tuple(token, token, token).map(([user, host, id]) => `sip:${user}@${host};gruu;opaque=app:conf:focus:id:${id}`);
    const special = fc.constantFrom('<', '>', '&', '"', "'", ']]>', '&amp;', '\r\n', '\u0000', '😀', 'é', ' ');
    const subject = fc.string({ unit: fc.oneof(special, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })) });
    fc.assert(
      fc.property(focusUri, subject, fc.boolean(), fc.boolean(), (uri, subj, audio, im) => {
        const parsed = parseConfInvite(buildConfInvite({ focusUri: uri, subject: subj, audio, im }));
        // `available` is always explicit, so audio false reads as "not available" (open question 35).
        expect(parsed).toEqual({ ok: true, invite: { focusUri: uri, subject: xmlTrim(replaceNonXmlChars(subj)), audio, im, ...(!audio && { audioUnavailable: true }) } });
      }),
    );
  });
});
