import { describe, expect, it } from 'vitest';
import type { ConfEndpoint, ConfMedia, ConfUser, ConferenceInfo } from './conference-info';
import { parseConferenceInfo } from './conference-info';
import { buildConferenceInfo } from '../../lab/conference/conference-info-builder';
import { Roster, audioModality, deriveMcuUri, imModality, isSameConference } from './roster';

const FOCUS = 'sip:orgr@example.org;gruu;opaque=app:conf:focus:id:K7QW2ZPD';
const AV_URI = 'sip:orgr@example.org;gruu;opaque=app:conf:audio-video:id:K7QW2ZPD';
const ALICE = 'sip:alice@example.org';
const BOB = 'sip:bob@example.org';

function doc(version: number, state: ConferenceInfo['state'], users: ConfUser[], extra: Partial<ConferenceInfo> = {}): ConferenceInfo {
  return { entity: FOCUS, state, version, confUris: [], users, ...extra };
}

function focusEndpoint(entity: string): ConfEndpoint {
  return { entity: `${entity};focus`, sessionType: 'focus', status: 'connected', media: [] };
}

function avEndpoint(status: string, media: ConfMedia[] = [{ id: '1', type: 'audio', status: 'sendrecv' }]): ConfEndpoint {
  return { entity: '{AV}', sessionType: 'audio-video', status, media };
}

function user(entity: string, endpoints: ConfEndpoint[] = [focusEndpoint(entity)], rest: Partial<ConfUser> = {}): ConfUser {
  return { entity, roles: ['attendee'], endpoints, ...rest };
}

describe('Roster: versions', () => {
  it('applies a full document, then contiguous partials', () => {
    const roster = new Roster();
    expect(roster.apply(doc(1, 'full', [user(ALICE, undefined, { displayText: 'Alice' })]))).toEqual({ kind: 'applied', resync: false });
    expect(roster.apply(doc(2, 'partial', [user(BOB)]))).toEqual({ kind: 'applied', resync: false });
    expect(roster.apply(doc(3, 'partial', [{ entity: ALICE, state: 'partial', roles: ['presenter'], endpoints: [] }]))).toMatchObject({ kind: 'applied' });
    expect(roster.version).toBe(3);
    expect(roster.users().map((u) => [u.entity, u.displayText, u.roles])).toEqual([
      [ALICE, 'Alice', ['presenter']],
      [BOB, undefined, ['attendee']],
    ]);
  });

  it('ignores stale and repeated versions', () => {
    const roster = new Roster();
    roster.apply(doc(5, 'full', [user(ALICE)]));
    expect(roster.apply(doc(5, 'partial', [user(BOB)]))).toEqual({ kind: 'stale', resync: false });
    expect(roster.apply(doc(4, 'full', []))).toEqual({ kind: 'stale', resync: false });
    expect(roster.users().map((u) => u.entity)).toEqual([ALICE]);
    expect(roster.version).toBe(5);
  });

  it('asks for a resync on a partial before any full document', () => {
    const roster = new Roster();
    expect(roster.apply(doc(1, 'partial', [user(ALICE)]))).toEqual({ kind: 'resync', resync: true, reason: 'partial document before any full one' });
    expect(roster.users()).toEqual([]);
    expect(roster.version).toBeUndefined();
  });

  it('asks for a resync on a version gap, keeps asking until a full document arrives', () => {
    const roster = new Roster();
    roster.apply(doc(1, 'full', [user(ALICE)]));
    expect(roster.apply(doc(3, 'partial', [user(BOB)]))).toEqual({ kind: 'resync', resync: true, reason: 'version gap: had 1, got 3' });
    expect(roster.apply(doc(2, 'partial', [user(BOB)]))).toMatchObject({ kind: 'resync', reason: 'waiting for a full document after a version gap' });
    expect(roster.users().map((u) => u.entity)).toEqual([ALICE]);
    expect(roster.apply(doc(9, 'full', [user(BOB)]))).toEqual({ kind: 'applied', resync: false });
    expect(roster.apply(doc(10, 'partial', [user(ALICE)]))).toMatchObject({ kind: 'applied' });
    expect(roster.users().map((u) => u.entity)).toEqual([BOB, ALICE]);
  });

  it('starts over after reset, accepting a lower version from a new subscription', () => {
    const roster = new Roster();
    roster.apply(doc(40, 'full', [user(ALICE)]));
    roster.reset();
    expect(roster.users()).toEqual([]);
    expect(roster.apply(doc(1, 'full', [user(BOB)]))).toMatchObject({ kind: 'applied' });
    expect(roster.users().map((u) => u.entity)).toEqual([BOB]);
  });

  it('ends the conference on a deleted document', () => {
    const roster = new Roster();
    roster.apply(doc(1, 'full', [user(ALICE)], { subject: 'S' }));
    expect(roster.apply(doc(2, 'deleted', []))).toMatchObject({ kind: 'applied' });
    expect(roster.ended).toBe(true);
    expect(roster.users()).toEqual([]);
    expect(roster.subject).toBeUndefined();
  });
});

describe('Roster: merging', () => {
  it('replaces everything on a full document', () => {
    const roster = new Roster();
    roster.apply(doc(1, 'full', [user(ALICE), user(BOB)], { subject: 'Old' }));
    roster.apply(doc(2, 'full', [user(BOB, undefined, { displayText: 'Bob' })], { subject: 'New' }));
    expect(roster.users().map((u) => [u.entity, u.displayText])).toEqual([[BOB, 'Bob']]);
    expect(roster.subject).toBe('New');
  });

  it('removes a deleted user', () => {
    const roster = new Roster();
    roster.apply(doc(1, 'full', [user(ALICE), user(BOB)]));
    roster.apply(doc(2, 'partial', [{ entity: ALICE, state: 'deleted', roles: [], endpoints: [] }]));
    expect(roster.users().map((u) => u.entity)).toEqual([BOB]);
    expect(roster.user(ALICE)).toBeUndefined();
  });

  it('merges endpoints by entity and removes deleted ones', () => {
    const roster = new Roster();
    roster.apply(doc(1, 'full', [user(ALICE, [focusEndpoint(ALICE), avEndpoint('connected')])]));
    roster.apply(doc(2, 'partial', [{ entity: ALICE, state: 'partial', roles: [], endpoints: [{ entity: '{AV}', state: 'deleted', media: [] }] }]));
    expect(roster.user(ALICE)?.endpoints.map((e) => e.entity)).toEqual([`${ALICE};focus`]);
    expect(roster.user(ALICE)?.roles).toEqual(['attendee']);
  });

  it('merges a partial endpoint field by field and its media by id', () => {
    const roster = new Roster();
    roster.apply(doc(1, 'full', [user(ALICE, [avEndpoint('connected', [{ id: '1', type: 'audio', label: 'main-audio', status: 'sendrecv' }, { id: '2', type: 'video', status: 'sendrecv' }])])]));
    roster.apply(doc(2, 'partial', [{ entity: ALICE, state: 'partial', roles: [], endpoints: [{ entity: '{AV}', state: 'partial', media: [{ id: '1', status: 'recvonly' }] }] }]));
    expect(roster.user(ALICE)?.endpoints).toEqual([
      {
        entity: '{AV}',
        sessionType: 'audio-video',
        status: 'connected',
        media: [
          { id: '1', type: 'audio', label: 'main-audio', status: 'recvonly' },
          { id: '2', type: 'video', status: 'sendrecv' },
        ],
      },
    ]);
  });

  it('replaces a user that a partial document lists in full', () => {
    const roster = new Roster();
    roster.apply(doc(1, 'full', [user(ALICE, [focusEndpoint(ALICE), avEndpoint('connected')], { displayText: 'Alice' })]));
    roster.apply(doc(2, 'partial', [user(ALICE, [focusEndpoint(ALICE)])]));
    expect(roster.user(ALICE)).toEqual({
      entity: ALICE,
      roles: ['attendee'],
      modalities: { audio: 'none', im: 'none' },
      endpoints: [focusEndpoint(ALICE)],
    });
  });

  it('keeps subject and conf-uris that a partial document leaves out', () => {
    const roster = new Roster();
    roster.apply(doc(1, 'full', [], { subject: 'S', confUris: [{ uri: AV_URI, purpose: 'audio-video' }] }));
    roster.apply(doc(2, 'partial', [user(ALICE)]));
    expect(roster.subject).toBe('S');
    expect(roster.mcuUri()).toBe(AV_URI);
  });

  it('hands out copies that do not alias roster state', () => {
    const roster = new Roster();
    roster.apply(doc(1, 'full', [user(ALICE)]));
    const [view] = roster.users();
    view?.roles.push('presenter');
    view?.endpoints.pop();
    expect(roster.user(ALICE)?.roles).toEqual(['attendee']);
    expect(roster.user(ALICE)?.endpoints).toHaveLength(1);
    expect(JSON.parse(JSON.stringify(roster.users()))).toEqual(roster.users());
  });
});

describe('Roster: modalities ("gray until media joined")', () => {
  it('walks audio from none to connected to muted and back, from parsed documents', () => {
    const roster = new Roster();
    const apply = (info: ConferenceInfo): void => {
      const parsed = parseConferenceInfo(buildConferenceInfo(info));
      expect(parsed.ok && roster.apply(parsed.info).kind).toBe('applied');
    };
    apply(doc(1, 'full', [user(ALICE)]));
    expect(roster.user(ALICE)?.modalities).toEqual({ audio: 'none', im: 'none' });

    apply(doc(2, 'partial', [{ entity: ALICE, state: 'partial', roles: [], endpoints: [avEndpoint('dialing-in')] }]));
    expect(roster.user(ALICE)?.modalities.audio).toBe('none');

    apply(doc(3, 'partial', [{ entity: ALICE, state: 'partial', roles: [], endpoints: [{ entity: '{AV}', state: 'partial', status: 'connected', media: [] }] }]));
    expect(roster.user(ALICE)?.modalities.audio).toBe('connected');

    apply(doc(4, 'partial', [{ entity: ALICE, state: 'partial', roles: [], endpoints: [{ entity: '{AV}', state: 'partial', media: [{ id: '1', ingressFilter: 'block' }] }] }]));
    expect(roster.user(ALICE)?.modalities.audio).toBe('muted');

    apply(doc(5, 'partial', [{ entity: ALICE, state: 'partial', roles: [], endpoints: [{ entity: '{AV}', state: 'partial', media: [{ id: '1', ingressFilter: 'unblock' }] }] }]));
    expect(roster.user(ALICE)?.modalities.audio).toBe('connected');

    apply(doc(6, 'partial', [{ entity: ALICE, state: 'partial', roles: [], endpoints: [{ entity: '{AV}', state: 'deleted', media: [] }] }]));
    expect(roster.user(ALICE)?.modalities.audio).toBe('none');
  });

  it.each([
    ['media recvonly', avEndpoint('connected', [{ id: '1', type: 'audio', status: 'recvonly' }]), 'muted'],
    ['media inactive', avEndpoint('connected', [{ id: '1', type: 'audio', status: 'inactive' }]), 'muted'],
    ['ingress filter block', avEndpoint('connected', [{ id: '1', type: 'audio', status: 'sendrecv', ingressFilter: 'block' }]), 'muted'],
    ['endpoint muted-via-focus', avEndpoint('muted-via-focus'), 'muted'],
    ['only video recvonly', avEndpoint('connected', [{ id: '2', type: 'video', status: 'recvonly' }]), 'connected'],
    ['no media listed', avEndpoint('connected', []), 'connected'],
    ['endpoint on hold', avEndpoint('on-hold'), 'none'],
    ['a connected chat endpoint only', { entity: '{C}', sessionType: 'chat', status: 'connected', media: [] }, 'none'],
    ['session-type spelled audiovideo', { ...avEndpoint('connected'), sessionType: 'AudioVideo' }, 'connected'],
  ] satisfies [string, ConfEndpoint, string][])('audio with %s', (_label, endpoint, expected) => {
    expect(audioModality(user(ALICE, [focusEndpoint(ALICE), endpoint]))).toBe(expected);
  });

  it('reads who speaks from sbci:speaking, only in its namespace and only while unmuted', () => {
    const media = (extra: string, status = 'sendrecv'): string =>
      `<?xml version="1.0"?><conference-info xmlns="urn:ietf:params:xml:ns:conference-info" xmlns:msci="http://schemas.microsoft.com/rtc/2005/08/confinfoextensions" xmlns:sbci="urn:x-switchboard:conference-info" xmlns:other="urn:example:other" entity="${FOCUS}" state="full" version="1"><users><user entity="${ALICE}"><endpoint entity="{AV}" msci:session-type="audio-video"><status>connected</status><media id="1"><type>audio</type><status>${status}</status>${extra}</media></endpoint></user></users></conference-info>`;
    const modalitiesOf = (xml: string) => {
      const parsed = parseConferenceInfo(xml);
      if (!parsed.ok) {
        throw new Error(parsed.error);
      }
      const roster = new Roster(FOCUS);
      roster.apply(parsed.info);
      return roster.user(ALICE)?.modalities;
    };
    expect(modalitiesOf(media('<sbci:speaking> true </sbci:speaking>'))).toEqual({ audio: 'connected', im: 'none', speaking: true });
    expect(modalitiesOf(media('<sbci:speaking>false</sbci:speaking>'))).toEqual({ audio: 'connected', im: 'none' });
    expect(modalitiesOf(media('<other:speaking>true</other:speaking>'))).toEqual({ audio: 'connected', im: 'none' });
    expect(modalitiesOf(media('<sbci:speaking>yes</sbci:speaking>'))).toEqual({ audio: 'connected', im: 'none' });
    expect(modalitiesOf(media('<sbci:speaking>true</sbci:speaking>', 'recvonly'))).toEqual({ audio: 'muted', im: 'none' });
  });

  it('prefers an unmuted A/V endpoint over a muted one', () => {
    const muted = { ...avEndpoint('muted-via-focus'), entity: '{AV2}' };
    expect(audioModality(user(ALICE, [muted, avEndpoint('connected')]))).toBe('connected');
  });

  it('shows IM only through a connected chat endpoint', () => {
    const chat = (status: string): ConfEndpoint => ({ entity: '{C}', sessionType: 'chat', status, media: [] });
    expect(imModality(user(ALICE, [chat('connected')]))).toBe('connected');
    expect(imModality(user(ALICE, [chat('disconnected')]))).toBe('none');
    expect(imModality(user(ALICE))).toBe('none');
  });
});

describe('MCU URIs', () => {
  it('prefers conf-uris, matching the purpose case-insensitively in either spelling', () => {
    const listed = 'sip:orgr@example.org;gruu;opaque=app:conf:audiovideo:id:K7QW2ZPD';
    const chat = 'sip:orgr@example.org;gruu;opaque=app:conf:chat:id:K7QW2ZPD';
    for (const purpose of ['audio-video', 'AudioVideo', 'audiovideo']) {
      const roster = new Roster(FOCUS);
      roster.apply(doc(1, 'full', [], { confUris: [{ uri: chat, purpose: 'chat' }, { uri: listed, purpose }] }));
      expect(roster.mcuUri('audio-video')).toBe(listed);
      expect(roster.mcuUri('chat')).toBe(chat);
    }
  });

  it('never takes a conf-uris entry outside the conference: another host, user or conference id', () => {
    const derived = 'sip:orgr@example.org;gruu;opaque=app:conf:audio-video:id:K7QW2ZPD';
    for (const forged of [
      'sip:attacker@evil.example;gruu;opaque=app:conf:audio-video:id:K7QW2ZPD',
      'sip:orgr@evil.example;gruu;opaque=app:conf:audio-video:id:K7QW2ZPD',
      'sip:orgr@example.org;gruu;opaque=app:conf:audio-video:id:OTHER1',
      'sip:orgr@example.org:5099;gruu;opaque=app:conf:audio-video:id:K7QW2ZPD',
      'sips:orgr@example.org;gruu;opaque=app:conf:audio-video:id:K7QW2ZPD',
      'not a uri',
    ]) {
      const roster = new Roster(FOCUS);
      roster.apply(doc(1, 'full', [], { confUris: [{ uri: forged, purpose: 'audio-video' }] }));
      expect(roster.mcuUri('audio-video'), forged).toBe(derived);
    }
    expect(isSameConference(FOCUS, derived)).toBe(true);
  });

  it('keeps at most maxUsers participants and counts the ones it ignored', () => {
    const roster = new Roster(FOCUS, 3);
    roster.apply(doc(1, 'full', ['sip:a@x', 'sip:b@x', 'sip:c@x', 'sip:d@x', 'sip:e@x'].map((e) => user(e))));
    expect(roster.users().map((u) => u.entity)).toEqual(['sip:a@x', 'sip:b@x', 'sip:c@x']);
    expect(roster.droppedUsers).toBe(2);
    roster.apply(doc(2, 'partial', [user('sip:f@x'), { ...user('sip:a@x'), displayText: 'A' }]));
    expect(roster.users()).toHaveLength(3);
    expect(roster.user('sip:a@x')?.displayText).toBe('A');
  });

  it('falls back to deriving from the focus URI', () => {
    const roster = new Roster();
    expect(roster.mcuUri()).toBeUndefined();
    roster.apply(doc(1, 'full', []));
    expect(roster.mcuUri('audio-video')).toBe(AV_URI);
    expect(new Roster(FOCUS).mcuUri()).toBe(AV_URI);
  });

  it('derives by replacing :focus: in the opaque part', () => {
    expect(deriveMcuUri(FOCUS)).toBe(AV_URI);
    expect(deriveMcuUri(FOCUS, 'chat')).toBe('sip:orgr@example.org;gruu;opaque=app:conf:chat:id:K7QW2ZPD');
    expect(deriveMcuUri('sip:o@x;gruu;opaque=app:conf:FOCUS:id:1')).toBe('sip:o@x;gruu;opaque=app:conf:audio-video:id:1');
    expect(deriveMcuUri('sip:someone@example.org')).toBeUndefined();
  });
});
