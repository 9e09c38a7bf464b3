/**
 * Seed documents for every parser: valid bodies written by the repo's own builders (what the
 * lab sends), the hand-written fixtures of the parsers' tests (what real servers send), and
 * structured random documents from fast-check, deterministic under the run's seed.
 * @packageDocumentation
 */
import fc from 'fast-check';
import { buildAddUserRequest, buildModifyEndpointMediaRequest } from '../core/conference/c3p';
import { buildC3PResponse } from '../lab/conference/c3p-focus';
import { buildConfInvite } from '../lab/conference/conf-invite-builder';
import type { ConfEndpoint, ConfUser, ConferenceInfo } from '../core/conference/conference-info';
import { buildConferenceInfo } from '../lab/conference/conference-info-builder';
import { NS_CONFERENCE_INFO, NS_MSCI } from '../core/conference/namespaces';
import { buildSessionInvite, type SessionInviteInput } from '../lab/channels/session-invite-builder';

/** Focus and MCU URIs in the shape Lync servers issue ([MS-SIPRE] 2.2.3). */
export const FOCUS = 'sip:orgr@example.org;gruu;opaque=app:conf:focus:id:K7QW2ZPD';
const MCU = 'sip:orgr@example.org;gruu;opaque=app:conf:audio-video:id:K7QW2ZPD';
/** An application id as the channel tests use it. */
export const APP = '{8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01}';

/** `application/ms-conf-invite+xml` bodies. */
export function confInviteSeeds(): string[] {
  return [
    buildConfInvite({ focusUri: FOCUS, subject: 'Escalated support call', audio: true, im: true }),
    buildConfInvite({ focusUri: `${FOCUS}?conf-key=AbC`, subject: '', audio: false, im: false }),
    `<Conferencing version="2.0">\n  <focus-uri>${FOCUS}</focus-uri>\n  <subject>Escalated support call</subject>\n  <audio available="true"/>\n  <im available="true"><first-im/></im>\n</Conferencing>`,
    `<?xml version="1.0"?><Conferencing version="2.0"><focus-uri>${FOCUS}</focus-uri><subject/><audio available="true"/><im available="false"/></Conferencing>`,
    `<c:Conferencing xmlns:c="urn:example:whatever"><c:future x="1"><c:deep/></c:future><c:focus-uri>${FOCUS}</c:focus-uri><other>ignored</other></c:Conferencing>`,
    `<Conferencing><focus-uri>\n  ${FOCUS}?conf-key=AbC%20d\n</focus-uri><subject><![CDATA[Café & <more>]]></subject><im/></Conferencing>`,
  ];
}

/** C3P requests and responses, both directions (each parser also gets the other's bodies). */
export function c3pSeeds(): string[] {
  const base = { requestId: 17, from: 'sip:agent@example.org', focusUri: FOCUS };
  const grant = { confEntity: FOCUS, userEntity: 'sip:agent@example.org', grantedRole: 'attendee', endpointEntity: '{F00D}' };
  return [
    buildAddUserRequest({ ...base, role: 'attendee', endpointEntity: '{1E2D3C4B-0000-4000-8000-00000000ABCD}' }),
    buildModifyEndpointMediaRequest({ ...base, mcuUri: MCU, userEntity: 'sip:agent@example.org', endpointEntity: '{A1}', mediaId: '1', muted: true }),
    buildModifyEndpointMediaRequest({ ...base, mcuUri: MCU, userEntity: 'sip:agent@example.org', endpointEntity: '{A1}', mediaId: '1', muted: false }),
    buildC3PResponse({ requestId: 17, from: FOCUS, to: 'sip:agent@example.org', code: 'success', command: 'addUser', body: grant }),
    buildC3PResponse({ requestId: 4294967295, from: FOCUS, to: 'sip:agent@example.org', code: 'failure', command: 'addUser', reason: 'denied' }),
    buildC3PResponse({ requestId: 0, from: FOCUS, to: 'sip:agent@example.org', code: 'success', command: 'modifyEndpointMedia' }),
    `<request xmlns="urn:ietf:params:xml:ns:cccp" C3PVersion="1" requestId="3" from="sip:a@b" to="${FOCUS}"><getConference/></request>`,
  ];
}

const CONFERENCE_INFO_FIXTURE = `<?xml version="1.0" encoding="utf-8"?>
<conference-info xmlns="${NS_CONFERENCE_INFO}" xmlns:x="${NS_MSCI}" entity="${FOCUS}" state="full" version="1">
  <conference-description>
    <subject>  Escalated support call </subject>
    <x:organizer><x:display-name>Org R</x:display-name></x:organizer>
    <conf-uris>
      <entry><uri>${MCU}</uri><display-text>audio-video</display-text><purpose>audio-video</purpose></entry>
      <entry><purpose>no uri, skipped</purpose></entry>
    </conf-uris>
  </conference-description>
  <users>
    <user entity="sip:orgr@example.org" state="full">
      <display-text>Org R</display-text>
      <roles><entry>presenter</entry><entry> </entry></roles>
      <endpoint entity="sip:orgr@example.org;gruu;opaque=focus" x:session-type="focus"><status>connected</status></endpoint>
      <endpoint entity="{A1}" x:session-type="audio-video">
        <status>connected</status>
        <media id="1"><type>audio</type><label>main-audio</label><status>sendrecv</status><x:media-ingress-filter>Unblock</x:media-ingress-filter></media>
      </endpoint>
    </user>
    <user><display-text>no entity, skipped</display-text></user>
  </users>
</conference-info>`;

function avEndpoint(status: string, mediaStatus: string, state?: ConfEndpoint['state']): ConfEndpoint {
  return { entity: '{A1}', ...(state === undefined ? {} : { state }), sessionType: 'audio-video', status, media: [{ id: '1', type: 'audio', status: mediaStatus }] };
}

function agentUser(endpoints: ConfEndpoint[], state?: ConfUser['state']): ConfUser {
  return { entity: 'sip:agent@example.org', ...(state === undefined ? {} : { state }), displayText: 'Agent', roles: ['attendee'], endpoints };
}

/** The lab focus's documents in order: full, partial updates, a deleted user, the end. */
export function conferenceInfoBuilt(): ConferenceInfo[] {
  const chat: ConfEndpoint = { entity: '{C1}', sessionType: 'chat', status: 'connected', media: [] };
  const doc = (version: number, state: ConferenceInfo['state'], users: ConfUser[]): ConferenceInfo => ({
    entity: FOCUS, state, version, confUris: version === 1 ? [{ uri: MCU, purpose: 'audio-video' }] : [], users,
    ...(version === 1 ? { subject: 'Support' } : {}),
  });
  return [
    doc(1, 'full', [agentUser([chat])]),
    doc(2, 'partial', [agentUser([avEndpoint('connected', 'sendrecv')], 'partial')]),
    doc(3, 'partial', [agentUser([{ ...avEndpoint('connected', 'recvonly', 'partial'), media: [{ id: '1', ingressFilter: 'block' }] }], 'partial')]),
    doc(4, 'partial', [{ entity: 'sip:other@example.org', roles: [], endpoints: [avEndpoint('muted-via-focus', 'sendrecv')] }]),
    doc(5, 'partial', [{ entity: 'sip:other@example.org', state: 'deleted', roles: [], endpoints: [] }]),
    doc(6, 'deleted', []),
  ];
}

/** Random valid conference-info documents (RFC 4575 shapes), from fast-check under `seed`. */
function conferenceInfoSampled(seed: number, count: number): ConferenceInfo[] {
  const text = fc.option(fc.string({ maxLength: 12 }), { nil: undefined });
  const key = fc.constantFrom('sip:a@x', 'sip:b@x', '{A1}', '{C1}', '1', '2');
  const state = fc.option(fc.constantFrom('full' as const, 'partial' as const, 'deleted' as const), { nil: undefined });
  const media = fc.record({ id: fc.option(key, { nil: undefined }), type: fc.constantFrom('audio', 'video', undefined), status: text });
  const endpoint = fc.record({ entity: key, state, sessionType: fc.constantFrom('audio-video', 'chat', 'focus', undefined), status: fc.constantFrom('connected', 'disconnected', 'muted-via-focus', undefined), media: fc.array(media, { maxLength: 2 }) });
  const user = fc.record({ entity: key, state, displayText: text, roles: fc.array(fc.constantFrom('presenter', 'attendee'), { maxLength: 2 }), endpoints: fc.array(endpoint, { maxLength: 3 }) });
  const doc = fc.record({
    entity: fc.constant(FOCUS), state: fc.constantFrom('full' as const, 'partial' as const, 'deleted' as const), version: fc.nat({ max: 8 }),
    subject: text, confUris: fc.array(fc.record({ uri: fc.constantFrom(MCU, 'sip:chat@x'), purpose: fc.constantFrom('audio-video', 'chat', 'audiovideo') }), { maxLength: 2 }),
    users: fc.array(user, { maxLength: 3 }),
  });
  return fc.sample(doc, { seed, numRuns: count }).map(stripUndefined);
}

/** fast-check's records carry `key: undefined`; the builder and the parser's output omit them. */
function stripUndefined<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** conference-info bodies: fixture, the lab's sequence, and sampled documents. */
export function conferenceInfoSeeds(seed: number): string[] {
  return [CONFERENCE_INFO_FIXTURE, ...conferenceInfoBuilt().map(buildConferenceInfo), ...conferenceInfoSampled(seed, 24).map(buildConferenceInfo)];
}

const SESSION_NOTES_EXAMPLE = `<session>
  <application-id>${APP}</application-id>
  <additional-properties>
    <entry><name>data</name><value>eyJ0aWNrZXQiOjQ3MTF9</value></entry>
    <entry><name>name</name><value>Ticket Pane</value></entry>
    <entry><name>customToast</name><value>Customer context attached</value></entry>
    <entry><name>simpleLink</name><value>https://crm.example.org/t/4711</value></entry>
    <entry><name>installLink</name><value>https://crm.example.org/install</value></entry>
  </additional-properties>
</session>`;

/** `application/ms-session-invite+xml` bodies: the notes' example, builder output, odd shapes. */
export function sessionInviteSeeds(): string[] {
  const inputs: SessionInviteInput[] = [
    { appId: APP, data: '{"ticket":4711}', name: 'CRM', customToast: 'Customer waiting', simpleLink: 'https://crm.example.org/t/1' },
    { appId: APP.toLowerCase().slice(1, -1), data: new Uint8Array([0, 255, 128, 10]), other: { 'x-queue': 'gold', 'x-lang': 'fr' } },
    { appId: APP, data: 'é😀'.repeat(200), installLink: 'HTTPS://x.example:8443/a?b=c&d=%20#f' },
    { appId: APP },
  ];
  const built = inputs.flatMap((input) => {
    const result = buildSessionInvite(input);
    return result.ok ? [result.body] : [];
  });
  return [
    SESSION_NOTES_EXAMPLE,
    ...built,
    `<s:session xmlns:s="http://schemas.microsoft.com/2008/04/sip/session"><s:application-id> ${APP} </s:application-id><s:additional-properties><s:entry><s:name>DATA</s:name><s:value>\r\n  eyJ0\r\n  aWNr\r\n</s:value></s:entry></s:additional-properties><additional-properties><entry><value>no name</value></entry></additional-properties></session>`,
  ];
}

/** Generic XML exercising what the safe reader handles: namespaces, CDATA, comments, PIs, references. */
export function genericXmlSeeds(): string[] {
  return [
    '<?xml version="1.0" encoding="UTF-8"?><!-- c --><r xmlns="urn:d" xmlns:p="urn:p" xml:lang="en" p:a="1" b=\'2\'><p:c>t&amp;&#x41;&#66;&lt;</p:c><![CDATA[<raw>&]]><?pi data?><e/></r><!-- tail -->',
    '\uFEFF<a:root xmlns:a="urn:a"><a:x a:y="&#10;&#9;" z="line\r\nend"><b xmlns="">text</b></a:x></a:root>',
    '<r><a><a><a><a><a><a><a><a>deep</a></a></a></a></a></a></a></a></r>',
  ];
}

/**
 * The start line and first headers of an INFO as Kamailio relays sipp's to an agent on WebSocket
 * (two Vias, a tagged To): the common head of the SIP text seeds; each adds its own body headers.
 */
export const RELAYED_INFO_HEAD: readonly string[] = [
    'INFO sip:agent@127.0.0.1:40001;transport=ws;alias=127.0.0.1~40001~5 SIP/2.0',
    'Via: SIP/2.0/WS 127.0.0.1:5066;branch=z9hG4bK1234.0;i=1',
    'Via: SIP/2.0/UDP 127.0.0.1:5060;received=127.0.0.1;branch=z9hG4bK-25501-12-3-7;rport=5060',
    'From: "Sipp" <sip:sipp12@lab.local;user=phone>;tag=25501SIPpTag0012',
    'To: <sip:agent@lab.local>;tag=abcdefghij1234',
    'Call-ID: 12-25501@127.0.0.1',
    'CSeq: 7 INFO',
];
