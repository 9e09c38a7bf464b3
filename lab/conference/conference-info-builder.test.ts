import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConfEndpoint, ConfMedia, ConfUri, ConfUser, ConferenceInfo } from '../../core/conference/conference-info';
import { parseConferenceInfo } from '../../core/conference/conference-info';
import { NS_CONFERENCE_INFO, NS_MSCI } from '../../core/conference/namespaces';
import { replaceNonXmlChars, xmlTrim } from '../../core/xml/xml-text';
import { buildConferenceInfo } from './conference-info-builder';

const FOCUS = 'sip:orgr@example.org;gruu;opaque=app:conf:focus:id:K7QW2ZPD';

describe('buildConferenceInfo', () => {
  it('writes msci session-type and media-ingress-filter, and omits empty parts', () => {
    const xml = buildConferenceInfo({
      entity: FOCUS,
      state: 'partial',
      version: 3,
      confUris: [],
      users: [{ entity: 'sip:a@x', roles: [], endpoints: [{ entity: '{E}', sessionType: 'audio-video', media: [{ id: '1', type: 'audio', ingressFilter: 'block' }] }] }],
    });
    expect(xml).toBe(
      '<?xml version="1.0" encoding="utf-8"?>' +
        `<conference-info xmlns="${NS_CONFERENCE_INFO}" xmlns:msci="${NS_MSCI}" entity="${FOCUS}" state="partial" version="3">` +
        '<users><user entity="sip:a@x"><endpoint entity="{E}" msci:session-type="audio-video">' +
        '<media id="1"><type>audio</type><msci:media-ingress-filter>block</msci:media-ingress-filter></media>' +
        '</endpoint></user></users></conference-info>',
    );
  });

  it('refuses a version that is not an unsigned 32-bit integer', () => {
    const doc: ConferenceInfo = { entity: FOCUS, state: 'full', version: -1, confUris: [], users: [] };
    expect(() => buildConferenceInfo(doc)).toThrow(RangeError);
    expect(() => buildConferenceInfo({ ...doc, version: 2 ** 32 })).toThrow(RangeError);
  });

  it('round-trips arbitrary documents through parseConferenceInfo', () => {
    const special = fc.constantFrom('<', '>', '&', '"', "'", ']]>', '&lt;', '\r\n', '\t', '\u0008', '😀', 'é', ' ');
    const raw = fc.string({ unit: fc.oneof(special, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 12 });
    // Parsing trims and cannot carry non-XML characters, so generate values already in that form.
    const text = raw.map((s) => xmlTrim(replaceNonXmlChars(s)));
    const key = text.filter((s) => s !== '');
    const opt = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined });
    const state = fc.constantFrom('full' as const, 'partial' as const, 'deleted' as const);
    const media: fc.Arbitrary<ConfMedia> = fc.record(
      { id: key, type: text, status: text, label: text, ingressFilter: fc.constantFrom('block' as const, 'unblock' as const) },
      { requiredKeys: [] },
    );
    const endpoint: fc.Arbitrary<ConfEndpoint> = fc.record(
      { entity: key, state, sessionType: text, status: text, media: fc.array(media, { maxLength: 3 }) },
      { requiredKeys: ['entity', 'media'] },
    );
    const user: fc.Arbitrary<ConfUser> = fc.record(
      { entity: key, state, displayText: text, roles: fc.array(key, { maxLength: 3 }), endpoints: fc.array(endpoint, { maxLength: 3 }) },
      { requiredKeys: ['entity', 'roles', 'endpoints'] },
    );
    const confUri: fc.Arbitrary<ConfUri> = fc.record({ uri: key, purpose: text, displayText: text }, { requiredKeys: ['uri', 'purpose'] });
    const doc: fc.Arbitrary<ConferenceInfo> = fc
      .tuple(key, state, fc.nat({ max: 0xffffffff }), opt(text), fc.array(confUri, { maxLength: 3 }), fc.array(user, { maxLength: 4 }))
      .map(([entity, docState, version, subject, confUris, users]) => ({
        entity,
        state: docState,
        version,
        ...(subject === undefined ? {} : { subject }),
        confUris,
        users,
      }));
    fc.assert(
      fc.property(doc, (info) => {
        // structuredClone gives fast-check's null-prototype records a plain prototype, so that the
        // strict comparison (which also catches `undefined`-valued keys) is about content only.
        expect(parseConferenceInfo(buildConferenceInfo(info))).toStrictEqual({ ok: true, info: structuredClone(info) });
      }),
    );
  });
});
