import { describe, expect, it } from 'vitest';
import { escapeXml } from '../xml/safe-xml';
import type { ChannelInviteFacts } from './channel-decision';
import { INVITE_ACCEPT, UNTRUSTED_SENDER_REASON, decideChannelInvite } from './channel-decision';

const APP = '{8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01}';
const CC = 'sip:cc@example.org';

type Registration = { readonly name: string; readonly url: string };
const TICKET_PANE: Registration = { name: 'Ticket Pane (local)', url: 'https://panes.example.org/ticket' };

function body(appId: string, entries: readonly (readonly [string, string])[] = []): string {
  const items = entries.map(([name, value]) => `<entry><name>${escapeXml(name)}</name><value>${escapeXml(value)}</value></entry>`).join('');
  return `<session><application-id>${escapeXml(appId)}</application-id><additional-properties>${items}</additional-properties></session>`;
}

const VALID = body(APP.toLowerCase(), [['name', 'Ticket Pane'], ['installLink', 'https://crm.example.org/install'], ['data', 'eyJ0aWNrZXQiOjQ3MTF9']]);

function facts(overrides: Partial<ChannelInviteFacts<Registration>> = {}): ChannelInviteFacts<Registration> {
  return {
    contentType: 'application/ms-session-invite+xml',
    body: VALID,
    fromUri: CC,
    inConference: false,
    trustList: [CC],
    isRegistered: (appId) => (appId === APP ? TICKET_PANE : undefined),
    autoAccept: false,
    ...overrides,
  };
}

describe('decideChannelInvite: outcomes', () => {
  it('asks the user about a valid invitation for an installed application', () => {
    const decision = decideChannelInvite(facts());
    expect(decision).toMatchObject({ kind: 'ask', registration: TICKET_PANE, invite: { appId: APP, name: 'Ticket Pane' } });
  });

  it('accepts without asking when autoAccept is set and the sender is trusted', () => {
    expect(decideChannelInvite(facts({ autoAccept: true }))).toMatchObject({ kind: 'accept', registration: TICKET_PANE, invite: { appId: APP } });
  });

  it('asks, even with autoAccept, when the sender is not on the trust list', () => {
    expect(decideChannelInvite(facts({ autoAccept: true, trustList: [] })).kind).toBe('ask');
    expect(decideChannelInvite(facts({ autoAccept: true, fromUri: 'sip:stranger@example.org' })).kind).toBe('ask');
  });

  it('opens the pane without asking when the trusted sender is the one whose invitation the agent accepted here (open question 35)', () => {
    expect(decideChannelInvite(facts({ inConference: true, acceptedPeer: CC })).kind).toBe('accept');
    expect(decideChannelInvite(facts({ inConference: true, acceptedPeer: 'SIP:CC@EXAMPLE.ORG', fromUri: '"Contact center" <sip:cc@example.org>;tag=1' })).kind).toBe('accept');
  });

  it('still asks when another trusted sender opens a pane in the accepted conversation', () => {
    const other = 'sip:survey@example.org';
    expect(decideChannelInvite(facts({ inConference: true, acceptedPeer: CC, fromUri: other, trustList: [CC, other] })).kind).toBe('ask');
  });

  it('never lets the accepted peer bypass the trust list, the body rules or the installed check', () => {
    expect(decideChannelInvite(facts({ inConference: true, acceptedPeer: CC, trustList: [] }))).toMatchObject({ kind: 'refuse', status: 403 });
    expect(decideChannelInvite(facts({ acceptedPeer: CC, trustList: [] })).kind).toBe('ask');
    expect(decideChannelInvite(facts({ acceptedPeer: CC, body: '<session/>' }))).toMatchObject({ kind: 'refuse', status: 400 });
    expect(decideChannelInvite(facts({ acceptedPeer: CC, isRegistered: () => undefined }))).toMatchObject({ kind: 'refuse', status: 488 });
  });

  it('looks the application up by its normalised id', () => {
    const asked: string[] = [];
    decideChannelInvite(facts({ isRegistered: (appId) => (asked.push(appId), undefined) }));
    expect(asked).toEqual([APP]);
  });

  it.each([undefined, '', 'application/sdp', 'text/plain', 'application/ms-conf-invite+xml', 'application/ms-session-invite+json', 'application/xml'])(
    'refuses content type %j with 415 and an Accept list',
    (contentType) => {
      expect(decideChannelInvite(facts({ contentType }))).toEqual({ kind: 'refuse', status: 415, accept: INVITE_ACCEPT });
    },
  );

  it('takes the content type with parameters and in any case', () => {
    expect(decideChannelInvite(facts({ contentType: ' Application/MS-Session-Invite+XML ; charset=utf-8' })).kind).toBe('ask');
  });

  it('lists what the agent takes in the Accept list (protocol notes open question 7)', () => {
    expect(INVITE_ACCEPT).toEqual(['application/sdp', 'application/ms-conf-invite+xml', 'application/ms-session-invite+xml']);
  });

  it('refuses a bad body with 400 and the parser warning', () => {
    expect(decideChannelInvite(facts({ body: body(APP, [['name', 'n'.repeat(51)]]) }))).toEqual({
      kind: 'refuse',
      status: 400,
      rule: 'name-too-long',
      warning: 'invalid session invite, name-too-long: name exceeds 50 characters',
    });
    expect(decideChannelInvite(facts({ body: '<!DOCTYPE x [<!ENTITY a "b">]><session/>' }))).toMatchObject({ status: 400, rule: 'doctype' });
  });

  it('refuses an application that is not installed with 488, naming it, with the install notice', () => {
    expect(decideChannelInvite(facts({ isRegistered: () => undefined }))).toEqual({
      kind: 'refuse',
      status: 488,
      appId: APP,
      warning: `application Ticket Pane (${APP}) is not installed`,
      install: { name: 'Ticket Pane', link: 'https://crm.example.org/install' },
    });
  });

  it('names the application by its id alone when the invitation has no name', () => {
    expect(decideChannelInvite(facts({ body: body(APP), isRegistered: () => undefined }))).toEqual({
      kind: 'refuse',
      status: 488,
      appId: APP,
      warning: `application ${APP} is not installed`,
      install: { name: undefined, link: undefined },
    });
  });

  it('keeps a hostile application name out of the Warning quoting', () => {
    const hostile = body(APP, [['name', 'x" 399 evil "\\ pwn\tme']]);
    const decision = decideChannelInvite(facts({ body: hostile, isRegistered: () => undefined }));
    expect(decision).toMatchObject({ status: 488, install: { name: 'x" 399 evil "\\ pwn\tme' } });
    expect(decision.kind === 'refuse' && decision.status === 488 && decision.warning).toBe(`application x' 399 evil '' pwn me (${APP}) is not installed`);
  });

  it('refuses an untrusted sender inside a conference with 403', () => {
    expect(decideChannelInvite(facts({ inConference: true, fromUri: 'sip:mallory@example.org' }))).toEqual({ kind: 'refuse', status: 403, reason: UNTRUSTED_SENDER_REASON });
  });

  it('accepts a trusted sender inside a conference, matched by address-of-record', () => {
    const fromUri = '"Contact Center" <SIP:CC@Example.org;gruu;opaque=srvr:ContactCenter:AbCd>';
    expect(decideChannelInvite(facts({ inConference: true, fromUri })).kind).toBe('ask');
    expect(decideChannelInvite(facts({ inConference: true, fromUri, autoAccept: true })).kind).toBe('accept');
  });

  it('does not trust a server GRUU by its shape (open question 15 decision)', () => {
    const spoofed = 'sip:mallory@example.org;gruu;opaque=srvr:ContactCenter:AbCd';
    expect(decideChannelInvite(facts({ inConference: true, fromUri: spoofed }))).toMatchObject({ status: 403 });
    expect(decideChannelInvite(facts({ inConference: true, fromUri: 'sip:app@example.org;gruu;opaque=app:conf:focus:id:X' }))).toMatchObject({ status: 403 });
  });

  it('refuses everyone inside a conference when the trust list is empty, and no one outside', () => {
    expect(decideChannelInvite(facts({ inConference: true, trustList: [] }))).toMatchObject({ status: 403 });
    expect(decideChannelInvite(facts({ inConference: false, trustList: [], fromUri: 'sip:anyone@example.org' })).kind).toBe('ask');
  });

  it('refuses an unreadable sender inside a conference', () => {
    expect(decideChannelInvite(facts({ inConference: true, fromUri: '' }))).toMatchObject({ status: 403 });
    expect(decideChannelInvite(facts({ inConference: true, fromUri: 'tel:+15551234', trustList: ['tel:+15551234'] }))).toMatchObject({ status: 403 });
  });
});

describe('decideChannelInvite: order of the checks', () => {
  const untrusted = { inConference: true, fromUri: 'sip:mallory@example.org' } as const;

  it('answers 415 before anything else', () => {
    expect(decideChannelInvite(facts({ ...untrusted, contentType: 'text/plain', body: 'garbage' }))).toMatchObject({ status: 415 });
  });

  it('answers 403 before reading the body: an untrusted sender learns nothing of the parser', () => {
    expect(decideChannelInvite(facts({ ...untrusted, body: 'garbage' }))).toMatchObject({ status: 403 });
    expect(decideChannelInvite(facts({ ...untrusted, body: 'x'.repeat(10_000) }))).toMatchObject({ status: 403 });
  });

  it('answers 403 the same whether or not the application is installed: no probing from a conference', () => {
    let lookedUp = false;
    const isRegistered = (): undefined => {
      lookedUp = true;
      return undefined;
    };
    const installed = decideChannelInvite(facts(untrusted));
    const missing = decideChannelInvite(facts({ ...untrusted, isRegistered }));
    expect(missing).toEqual(installed);
    expect(lookedUp).toBe(false);
  });

  it('answers 400 before 488: a bad body is refused without a registry lookup', () => {
    let lookedUp = false;
    const decision = decideChannelInvite(
      facts({
        body: body(APP, [['customToast', 't'.repeat(81)]]),
        isRegistered: () => {
          lookedUp = true;
          return undefined;
        },
      }),
    );
    expect(decision).toMatchObject({ status: 400, rule: 'toast-too-long' });
    expect(lookedUp).toBe(false);
  });

  it('answers 488 before accepting, even with autoAccept', () => {
    expect(decideChannelInvite(facts({ autoAccept: true, isRegistered: () => undefined }))).toMatchObject({ status: 488 });
  });
});
