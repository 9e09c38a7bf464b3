import { describe, expect, it } from 'vitest';
import { buildAddUserRequest } from '../../core/conference/c3p';
import { NS_CCCP, NS_CONFERENCE_INFO, NS_MSCI, NS_MSCP } from '../../core/conference/namespaces';
import { buildC3PResponse, parseC3PRequest } from './c3p-focus';

const FOCUS = 'sip:orgr@example.org;gruu;opaque=app:conf:focus:id:K7QW2ZPD';
const MCU = 'sip:orgr@example.org;gruu;opaque=app:conf:audio-video:id:K7QW2ZPD';
const AGENT = 'sip:agent7@example.org';
const GUID = '{3F2C9A61-0B7E-4D55-9C1A-6E0F7B2D8A14}';

const ADD_USER = { requestId: 17, from: AGENT, focusUri: FOCUS, role: 'attendee', endpointEntity: GUID };

/** A request envelope around `inner`, for the hostile cases. */
function request(inner: string, attrs = `C3PVersion="1" requestId="5" from="${AGENT}" to="${FOCUS}"`): string {
  return `<request xmlns="${NS_CCCP}" xmlns:ci="${NS_CONFERENCE_INFO}" xmlns:mscp="${NS_MSCP}" xmlns:msci="${NS_MSCI}" ${attrs}>${inner}</request>`;
}

function addUserBody(confEntity = FOCUS, user = `<ci:user entity="${AGENT}"><ci:roles><ci:entry>attendee</ci:entry></ci:roles><ci:endpoint entity="${GUID}"/></ci:user>`): string {
  return `<addUser><conferenceKeys confEntity="${confEntity}"/>${user}</addUser>`;
}

function mediaBody(status: string, filter?: string, type = 'audio', id = '1'): string {
  const filterEl = filter === undefined ? '' : `<msci:media-ingress-filter>${filter}</msci:media-ingress-filter>`;
  return `<modifyEndpointMedia mscp:mcuUri="${MCU}"><mediaKeys confEntity="${FOCUS}" userEntity="${AGENT}" endpointEntity="${GUID}" mediaId="1"/><ci:media id="${id}"><ci:type>${type}</ci:type><ci:status>${status}</ci:status>${filterEl}</ci:media></modifyEndpointMedia>`;
}

describe('parseC3PRequest', () => {
  it('reads an addUser request', () => {
    expect(parseC3PRequest(buildAddUserRequest(ADD_USER))).toEqual({
      ok: true,
      request: {
        requestId: 17,
        from: AGENT,
        to: FOCUS,
        command: 'addUser',
        addUser: { confEntity: FOCUS, userEntity: AGENT, role: 'attendee', endpointEntity: GUID },
      },
    });
  });

  it('defaults the role to attendee when the request names none', () => {
    const body = request(addUserBody(FOCUS, `<ci:user entity="${AGENT}"><ci:endpoint entity="${GUID}"/></ci:user>`));
    expect(parseC3PRequest(body)).toMatchObject({ ok: true, request: { addUser: { role: 'attendee' } } });
  });

  it('accepts known commands it does not interpret', () => {
    expect(parseC3PRequest(request('<getConference/>'))).toEqual({
      ok: true,
      request: { requestId: 5, from: AGENT, to: FOCUS, command: 'getConference' },
    });
  });

  it.each([
    ['an unreadable body', '<request', /^unreadable C3P body \(malformed\)/],
    ['a DOCTYPE', `<!DOCTYPE r><request xmlns="${NS_CCCP}"/>`, /^unreadable C3P body \(doctype\)/],
    ['an empty body', '', /^unreadable C3P body \(empty\)/],
    ['a root in no namespace', `<request C3PVersion="1" requestId="1" from="a" to="b"><addUser/></request>`, /^root must be request in urn:ietf:params:xml:ns:cccp/],
    ['a response root', `<response xmlns="${NS_CCCP}"/>`, /^root must be request/],
    ['a wrong C3PVersion', request('<getConference/>', `C3PVersion="2" requestId="5" from="${AGENT}" to="${FOCUS}"`), /^C3PVersion must be 1$/],
    ['a missing C3PVersion', request('<getConference/>', `requestId="5" from="${AGENT}" to="${FOCUS}"`), /^C3PVersion must be 1$/],
    ['a non-integer requestId', request('<getConference/>', `C3PVersion="1" requestId="5a" from="${AGENT}" to="${FOCUS}"`), /^requestId must be an integer/],
    ['a missing from', request('<getConference/>', `C3PVersion="1" requestId="5" to="${FOCUS}"`), /^request needs a from attribute$/],
    ['an empty to', request('<getConference/>', `C3PVersion="1" requestId="5" from="${AGENT}" to=" "`), /^request needs a to attribute$/],
    ['no command', request(''), /^expected exactly one command element, found 0$/],
    ['two commands', request('<getConference/><getConference/>'), /^expected exactly one command element, found 2$/],
    ['an unknown command', request('<launchMissiles/>'), /^unknown command launchMissiles$/],
    ['a command in another namespace', request('<ci:addUser/>'), /^command addUser is not in urn:ietf:params:xml:ns:cccp$/],
    ['addUser whose confEntity is not to', request(addUserBody('sip:other@example.org')), /^confEntity must equal the request's to URI$/],
    ['addUser without conferenceKeys', request(`<addUser><ci:user entity="${AGENT}"/></addUser>`), /^expected exactly one conferenceKeys in addUser, found 0$/],
    ['addUser with two users', request(addUserBody(FOCUS, `<ci:user entity="a"><ci:endpoint entity="e"/></ci:user><ci:user entity="b"><ci:endpoint entity="f"/></ci:user>`)), /^expected exactly one user in addUser, found 2$/],
    ['addUser with a user outside the ci namespace', request(addUserBody(FOCUS, `<user entity="${AGENT}"/>`)), /^expected exactly one user in addUser, found 0$/],
    ['addUser without user entity', request(addUserBody(FOCUS, `<ci:user><ci:endpoint entity="${GUID}"/></ci:user>`)), /^user needs a entity attribute$/],
    ['addUser without endpoint', request(addUserBody(FOCUS, `<ci:user entity="${AGENT}"/>`)), /^expected exactly one endpoint in user, found 0$/],
    ['addUser with two roles', request(addUserBody(FOCUS, `<ci:user entity="${AGENT}"><ci:roles><ci:entry>a</ci:entry><ci:entry>b</ci:entry></ci:roles><ci:endpoint entity="${GUID}"/></ci:user>`)), /^expected exactly one entry in roles, found 2$/],
    ['addUser with an empty role', request(addUserBody(FOCUS, `<ci:user entity="${AGENT}"><ci:roles><ci:entry> </ci:entry></ci:roles><ci:endpoint entity="${GUID}"/></ci:user>`)), /^empty role$/],
    ['modifyEndpointMedia without mcuUri', request(mediaBody('recvonly').replace(/ mscp:mcuUri="[^"]*"/, '')), /^modifyEndpointMedia needs a mcuUri attribute$/],
    ['modifyEndpointMedia for video', request(mediaBody('recvonly', 'block', 'video')), /^only audio media can be modified, got 'video'$/],
    ['modifyEndpointMedia with status inactive', request(mediaBody('inactive')), /^media status must be sendrecv or recvonly, got 'inactive'$/],
    ['modifyEndpointMedia with a contradicting filter', request(mediaBody('sendrecv', 'block')), /^media-ingress-filter 'block' contradicts status sendrecv$/],
    ['modifyEndpointMedia with another media id', request(mediaBody('recvonly', 'block', 'audio', '2')), /^media id must equal mediaKeys mediaId$/],
  ])('answers 400 to %s', (_label, body, reason) => {
    const result = parseC3PRequest(body);
    expect(result).toMatchObject({ ok: false, status: 400 });
    expect(!result.ok && result.reason).toMatch(reason);
  });

  it('accepts modifyEndpointMedia without an ingress filter', () => {
    expect(parseC3PRequest(request(mediaBody('sendrecv')))).toMatchObject({ ok: true, request: { modifyEndpointMedia: { muted: false } } });
  });
});

describe('buildC3PResponse', () => {
  it('refuse a grant body on a command other than addUser', () => {
    expect(() =>
      buildC3PResponse({ requestId: 1, from: FOCUS, to: AGENT, code: 'success', command: 'deleteUser', body: { confEntity: FOCUS, userEntity: AGENT, grantedRole: 'x' } }),
    ).toThrow(TypeError);
  });
});
