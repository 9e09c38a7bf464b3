import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { child, parseXml } from '../xml/safe-xml';
import { replaceNonXmlChars, xmlTrim } from '../xml/xml-text';
import { buildAddUserRequest, buildModifyEndpointMediaRequest, parseC3PResponse } from './c3p';
import { buildC3PResponse, parseC3PRequest } from '../../lab/conference/c3p-focus';
import { NS_CCCP, NS_CONFERENCE_INFO, NS_MSCI } from './namespaces';

const FOCUS = 'sip:orgr@example.org;gruu;opaque=app:conf:focus:id:K7QW2ZPD';
const MCU = 'sip:orgr@example.org;gruu;opaque=app:conf:audio-video:id:K7QW2ZPD';
const AGENT = 'sip:agent7@example.org';
const GUID = '{3F2C9A61-0B7E-4D55-9C1A-6E0F7B2D8A14}';

const ADD_USER = { requestId: 17, from: AGENT, focusUri: FOCUS, role: 'attendee', endpointEntity: GUID };
const MUTE = { requestId: 18, from: AGENT, focusUri: FOCUS, mcuUri: MCU, userEntity: AGENT, endpointEntity: GUID, mediaId: '1', muted: true };

describe('buildAddUserRequest', () => {
  it('writes the exact shape of the protocol notes example', () => {
    expect(buildAddUserRequest(ADD_USER)).toBe(
      '<?xml version="1.0" encoding="utf-8"?>' +
        `<request xmlns="${NS_CCCP}" xmlns:ci="${NS_CONFERENCE_INFO}" C3PVersion="1" requestId="17" from="${AGENT}" to="${FOCUS}">` +
        `<addUser><conferenceKeys confEntity="${FOCUS}"/>` +
        `<ci:user entity="${AGENT}"><ci:roles><ci:entry>attendee</ci:entry></ci:roles><ci:endpoint entity="${GUID}"/></ci:user>` +
        '</addUser></request>',
    );
  });

  it('refuses a request id that is not a non-negative integer', () => {
    expect(() => buildAddUserRequest({ ...ADD_USER, requestId: -1 })).toThrow(RangeError);
    expect(() => buildAddUserRequest({ ...ADD_USER, requestId: 1.5 })).toThrow(RangeError);
  });
});

describe('buildModifyEndpointMediaRequest', () => {
  it('writes mcuUri, the media keys, and a matching status and ingress filter', () => {
    const parsed = parseXml(buildModifyEndpointMediaRequest(MUTE));
    const root = parsed.ok ? parsed.root : undefined;
    const command = root && child(root, 'modifyEndpointMedia', NS_CCCP);
    expect(command?.attrs).toEqual({ mcuUri: MCU });
    expect(command && child(command, 'mediaKeys', NS_CCCP)?.attrs).toEqual({ confEntity: FOCUS, userEntity: AGENT, endpointEntity: GUID, mediaId: '1' });
    const media = command && child(command, 'media', NS_CONFERENCE_INFO);
    expect(media?.attrs).toEqual({ id: '1' });
    expect(media?.children.map((c) => [c.ns, c.name, c.text])).toEqual([
      [NS_CONFERENCE_INFO, 'type', 'audio'],
      [NS_CONFERENCE_INFO, 'status', 'recvonly'],
      [NS_MSCI, 'media-ingress-filter', 'block'],
    ]);
  });

  it('round-trips mute and unmute through the focus-side parser', () => {
    for (const muted of [true, false]) {
      expect(parseC3PRequest(buildModifyEndpointMediaRequest({ ...MUTE, muted }))).toEqual({
        ok: true,
        request: {
          requestId: 18,
          from: AGENT,
          to: FOCUS,
          command: 'modifyEndpointMedia',
          modifyEndpointMedia: { mcuUri: MCU, confEntity: FOCUS, userEntity: AGENT, endpointEntity: GUID, mediaId: '1', muted },
        },
      });
    }
  });
});

describe('buildC3PResponse and parseC3PResponse', () => {
  it('build an addUser success with the granted role (MS-CONFBAS 2.2.3.4)', () => {
    const body = buildC3PResponse({
      requestId: 17,
      from: FOCUS,
      to: AGENT,
      code: 'success',
      command: 'addUser',
      body: { confEntity: FOCUS, userEntity: AGENT, grantedRole: 'presenter', endpointEntity: GUID },
    });
    expect(body).toBe(
      '<?xml version="1.0" encoding="utf-8"?>' +
        `<response xmlns="${NS_CCCP}" xmlns:ci="${NS_CONFERENCE_INFO}" C3PVersion="1" requestId="17" from="${FOCUS}" to="${AGENT}" code="success">` +
        `<addUser><conferenceKeys confEntity="${FOCUS}"/>` +
        `<ci:user entity="${AGENT}"><ci:roles><ci:entry>presenter</ci:entry></ci:roles><ci:endpoint entity="${GUID}"/></ci:user>` +
        '</addUser></response>',
    );
    expect(parseC3PResponse(body)).toEqual({
      ok: true,
      response: {
        requestId: 17,
        from: FOCUS,
        to: AGENT,
        code: 'success',
        command: 'addUser',
        confEntity: FOCUS,
        userEntity: AGENT,
        grantedRole: 'presenter',
        endpointEntity: GUID,
      },
    });
  });

  it('read a failure with its reason and no body', () => {
    const body = buildC3PResponse({ requestId: 3, from: FOCUS, to: AGENT, code: 'failure', command: 'addUser', reason: 'unauthorized' });
    expect(parseC3PResponse(body)).toEqual({
      ok: true,
      response: { requestId: 3, from: FOCUS, to: AGENT, code: 'failure', command: 'addUser', reason: 'unauthorized' },
    });
  });

  it('read responses to other commands', () => {
    const body = buildC3PResponse({ requestId: 4, from: FOCUS, to: AGENT, code: 'success', command: 'modifyEndpointMedia' });
    expect(parseC3PResponse(body)).toEqual({
      ok: true,
      response: { requestId: 4, from: FOCUS, to: AGENT, code: 'success', command: 'modifyEndpointMedia' },
    });
  });

  it.each([
    ['a request root', buildAddUserRequest(ADD_USER), /^root must be response/],
    ['a bad code', `<response xmlns="${NS_CCCP}" requestId="1" from="a" to="b" code="maybe"><addUser/></response>`, /^code must be success or failure, got 'maybe'$/],
    ['no code', `<response xmlns="${NS_CCCP}" requestId="1" from="a" to="b"><addUser/></response>`, /^code must be success or failure, got none$/],
    ['two children', `<response xmlns="${NS_CCCP}" requestId="1" from="a" to="b" code="success"><x/><y/></response>`, /^expected exactly one command element, found 2$/],
    ['an addUser success without user', `<response xmlns="${NS_CCCP}" requestId="1" from="a" to="b" code="success"><addUser/></response>`, /^expected exactly one user in addUser, found 0$/],
    ['unclosed tags', `<response xmlns="${NS_CCCP}"><addUser>`, /^unreadable C3P body \(malformed\)/],
  ])('refuse %s', (_label, body, error) => {
    const result = parseC3PResponse(body);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(error);
  });
});

describe('round trips with arbitrary text', () => {
  const special = fc.constantFrom('<', '>', '&', '"', "'", ']]>', '&amp;', '\t', '\n', '\r', '\u0001', '😀', 'é', '中');
  const text = fc.string({ unit: fc.oneof(special, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), minLength: 1 });
  const value = text.filter((s) => xmlTrim(replaceNonXmlChars(s)) !== '');
  const clean = (s: string): string => xmlTrim(replaceNonXmlChars(s));
  const requestId = fc.nat({ max: 2 ** 31 - 1 });

  it('addUser request: build then parse yields the input', () => {
    fc.assert(
      fc.property(requestId, value, value, value, value, (id, from, focusUri, role, endpointEntity) => {
        expect(parseC3PRequest(buildAddUserRequest({ requestId: id, from, focusUri, role, endpointEntity }))).toEqual({
          ok: true,
          request: {
            requestId: id,
            from: clean(from),
            to: clean(focusUri),
            command: 'addUser',
            addUser: { confEntity: clean(focusUri), userEntity: clean(from), role: clean(role), endpointEntity: clean(endpointEntity) },
          },
        });
      }),
    );
  });

  it('C3P response: build then parse yields the input', () => {
    const grant = fc.record({ confEntity: value, userEntity: value, grantedRole: value, endpointEntity: fc.option(value, { nil: undefined }) });
    fc.assert(
      fc.property(requestId, value, value, grant, fc.option(value, { nil: undefined }), (id, from, to, body, reason) => {
        const parsed = parseC3PResponse(buildC3PResponse({ requestId: id, from, to, code: 'success', command: 'addUser', reason, body }));
        expect(parsed).toEqual({
          ok: true,
          response: {
            requestId: id,
            from: clean(from),
            to: clean(to),
            code: 'success',
            command: 'addUser',
            ...(reason === undefined ? {} : { reason: clean(reason) }),
            confEntity: clean(body.confEntity),
            userEntity: clean(body.userEntity),
            grantedRole: clean(body.grantedRole),
            ...(body.endpointEntity === undefined ? {} : { endpointEntity: clean(body.endpointEntity) }),
          },
        });
      }),
    );
  });
});
