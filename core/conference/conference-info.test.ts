import { describe, expect, it } from 'vitest';
import { parseConferenceInfo } from './conference-info';
import { NS_CONFERENCE_INFO, NS_MSCI } from './namespaces';

const FOCUS = 'sip:orgr@example.org;gruu;opaque=app:conf:focus:id:K7QW2ZPD';
const MCU = 'sip:orgr@example.org;gruu;opaque=app:conf:audio-video:id:K7QW2ZPD';

// My own construction with the element names of RFC 4575 and [MS-CONFBAS]; the msci prefix is
// deliberately unusual to show that extensions are matched whatever the prefix.
const FULL = `<?xml version="1.0" encoding="utf-8"?>
<conference-info xmlns="${NS_CONFERENCE_INFO}" xmlns:x="${NS_MSCI}" entity="${FOCUS}" state="full" version="1">
  <conference-description>
    <subject>  Escalated support call </subject>
    <x:organizer><x:display-name>Org R</x:display-name></x:organizer>
    <conf-uris>
      <entry><uri>${MCU}</uri><display-text>audio-video</display-text><purpose>audio-video</purpose></entry>
      <entry><uri>sip:orgr@example.org;gruu;opaque=app:conf:chat:id:K7QW2ZPD</uri><purpose>chat</purpose></entry>
      <entry><purpose>no uri, skipped</purpose></entry>
    </conf-uris>
  </conference-description>
  <conference-view><entity-view entity="${MCU}"/></conference-view>
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

describe('parseConferenceInfo', () => {
  it('reads a full document with Microsoft extensions', () => {
    expect(parseConferenceInfo(FULL)).toEqual({
      ok: true,
      info: {
        entity: FOCUS,
        state: 'full',
        version: 1,
        subject: 'Escalated support call',
        confUris: [
          { uri: MCU, purpose: 'audio-video', displayText: 'audio-video' },
          { uri: 'sip:orgr@example.org;gruu;opaque=app:conf:chat:id:K7QW2ZPD', purpose: 'chat' },
        ],
        users: [
          {
            entity: 'sip:orgr@example.org',
            state: 'full',
            displayText: 'Org R',
            roles: ['presenter'],
            endpoints: [
              { entity: 'sip:orgr@example.org;gruu;opaque=focus', sessionType: 'focus', status: 'connected', media: [] },
              {
                entity: '{A1}',
                sessionType: 'audio-video',
                status: 'connected',
                media: [{ id: '1', type: 'audio', label: 'main-audio', status: 'sendrecv', ingressFilter: 'unblock' }],
              },
            ],
          },
        ],
      },
    });
  });

  it('defaults state to full and leaves absent parts empty', () => {
    expect(parseConferenceInfo(`<conference-info xmlns="${NS_CONFERENCE_INFO}" entity="${FOCUS}" version="0"/>`)).toEqual({
      ok: true,
      info: { entity: FOCUS, state: 'full', version: 0, confUris: [], users: [] },
    });
  });

  it('reads partial and deleted states on users and endpoints', () => {
    const body = `<conference-info xmlns="${NS_CONFERENCE_INFO}" entity="${FOCUS}" state="partial" version="7"><users>
      <user entity="sip:a@x" state="deleted"/>
      <user entity="sip:b@x" state="partial"><endpoint entity="{B}" state="deleted"/></user>
    </users></conference-info>`;
    expect(parseConferenceInfo(body)).toEqual({
      ok: true,
      info: {
        entity: FOCUS,
        state: 'partial',
        version: 7,
        confUris: [],
        users: [
          { entity: 'sip:a@x', state: 'deleted', roles: [], endpoints: [] },
          { entity: 'sip:b@x', state: 'partial', roles: [], endpoints: [{ entity: '{B}', state: 'deleted', media: [] }] },
        ],
      },
    });
  });

  it('ignores an unknown ingress filter value and base elements in foreign namespaces', () => {
    const body = `<conference-info xmlns="${NS_CONFERENCE_INFO}" xmlns:o="urn:other" entity="${FOCUS}" version="2"><users>
      <user entity="sip:a@x"><o:display-text>not ours</o:display-text><endpoint entity="{E}"><media id="1"><media-ingress-filter>maybe</media-ingress-filter></media></endpoint></user>
    </users></conference-info>`;
    expect(parseConferenceInfo(body)).toMatchObject({
      ok: true,
      info: { users: [{ entity: 'sip:a@x', roles: [], endpoints: [{ entity: '{E}', media: [{ id: '1' }] }] }] },
    });
  });

  it.each([
    ['a wrong root namespace', `<conference-info xmlns="urn:other" entity="${FOCUS}" version="1"/>`, /^root must be conference-info in urn:ietf:params:xml:ns:conference-info, got \{urn:other\}conference-info$/],
    ['no namespace', `<conference-info entity="${FOCUS}" version="1"/>`, /^root must be conference-info in /],
    ['another root', `<conference xmlns="${NS_CONFERENCE_INFO}" entity="${FOCUS}" version="1"/>`, /^root must be conference-info/],
    ['a missing entity', `<conference-info xmlns="${NS_CONFERENCE_INFO}" version="1"/>`, /^conference-info needs an entity$/],
    ['a missing version', `<conference-info xmlns="${NS_CONFERENCE_INFO}" entity="${FOCUS}"/>`, /^version must be an unsigned 32-bit integer, got none$/],
    ['a negative version', `<conference-info xmlns="${NS_CONFERENCE_INFO}" entity="${FOCUS}" version="-1"/>`, /^version must be .* got '-1'$/],
    ['a version above 2^32-1', `<conference-info xmlns="${NS_CONFERENCE_INFO}" entity="${FOCUS}" version="4294967296"/>`, /^version must be/],
    ['an unknown state', `<conference-info xmlns="${NS_CONFERENCE_INFO}" entity="${FOCUS}" version="1" state="half"/>`, /^unknown state 'half' on conference-info$/],
    ['an unknown user state', `<conference-info xmlns="${NS_CONFERENCE_INFO}" entity="${FOCUS}" version="1"><users><user entity="a" state="gone"/></users></conference-info>`, /^unknown state 'gone' on user$/],
    ['unclosed tags', `<conference-info xmlns="${NS_CONFERENCE_INFO}" entity="${FOCUS}" version="1"><users>`, /^unreadable conference-info \(malformed\)/],
    ['a DOCTYPE', `<!DOCTYPE c><conference-info/>`, /^unreadable conference-info \(doctype\)/],
    ['an empty body', '', /^unreadable conference-info \(empty\)/],
  ])('refuses %s', (_label, body, error) => {
    const result = parseConferenceInfo(body);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(error);
  });
});
