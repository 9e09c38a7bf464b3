import { describe, expect, it } from 'vitest';
import { availabilityOfNumber, AVAILABILITIES, type PresenceState } from './availability';
import { buildPresenceDocument, parsePresenceDocument } from './pidf';

const entity = 'sip:agent7@lab.local';

describe('presence documents (RFC 3863, RFC 4480, im-presence §3.4)', () => {
  it('round-trips every chosen state with its Lync number', () => {
    for (const availability of AVAILABILITIES) {
      const body = buildPresenceDocument({ entity, deviceId: 'd1', state: { availability } });
      const parsed = parsePresenceDocument(body);
      expect(parsed).toMatchObject({ ok: true, state: { availability } });
    }
  });

  it('writes the in-a-conference example: open, on-the-phone + meeting, 7000', () => {
    const body = buildPresenceDocument({ entity, deviceId: 'd1', state: { availability: 'busy', activity: 'in-a-conference', note: 'In a conference' } });
    expect(body).toContain('<basic>open</basic>');
    expect(body).toContain('<rpid:activities><rpid:on-the-phone/><rpid:meeting/></rpid:activities>');
    expect(body).toContain('<sb:availability>7000</sb:availability><sb:activity>in-a-conference</sb:activity><dm:note>In a conference</dm:note>');
    expect(body).toContain('<tuple id="t-d1">');
    expect(body).toContain('<dm:person id="p-d1">');
    expect(parsePresenceDocument(body)).toEqual({ ok: true, state: { availability: 'busy', lyncAvailability: 7000, activity: 'in-a-conference', note: 'In a conference' } });
  });

  it("reads Kamailio's made-up document for a presentity that never published as unknown, not Available", () => {
    // presence_xml's PRESENCE_EMPTY_BODY (force_dummy_presence), as the lab's Kamailio sent it.
    const placeholder = `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" xmlns:c="urn:ietf:params:xml:ns:pidf:cipid" entity="cc-ann">
  <tuple xmlns="urn:ietf:params:xml:ns:pidf" id="615293b33c62dec073e05d9421e9f48b"><status><basic>open</basic></status></tuple>
  <note xmlns="urn:ietf:params:xml:ns:pidf">Available</note>
  <dm:person xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" id="1"><rpid:activities/><dm:note>Available</dm:note></dm:person>
</presence>`;
    expect(parsePresenceDocument(placeholder)).toEqual({ ok: true, state: 'unknown' });
  });

  it('publishes offline as a closed tuple', () => {
    expect(buildPresenceDocument({ entity, deviceId: 'd', state: { availability: 'offline' } })).toContain('<basic>closed</basic>');
  });

  it('escapes and flattens the note, and caps it', () => {
    const body = buildPresenceDocument({ entity, deviceId: 'd', state: { availability: 'available', note: `a<b>&\n${'x'.repeat(400)}` } });
    expect(body).toContain('a&lt;b&gt;&amp; x');
    const parsed = parsePresenceDocument(body);
    expect(parsed.ok && parsed.state !== 'unknown' && parsed.state.note?.length).toBe(256);
  });

  it('maps Lync bands to states', () => {
    expect([3500, 4500, 5999, 6000, 7000, 8999, 9000, 12000, 15000, 18000, 99999].map(availabilityOfNumber)).toEqual([
      'available', 'available', 'available', 'busy', 'busy', 'busy', 'dnd', 'brb', 'away', 'offline', 'offline',
    ]);
    expect(availabilityOfNumber(Number.NaN)).toBeUndefined();
    expect(availabilityOfNumber(-1)).toBeUndefined();
  });

  it('reads a watcher document without our extension from RPID', () => {
    const doc = (activities: string, basic = 'open'): string =>
      `<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="${entity}"><tuple id="t"><status><basic>${basic}</basic></status></tuple><dm:person id="p">${activities}</dm:person></presence>`;
    const state = (body: string): PresenceState | 'unknown' | undefined => {
      const parsed = parsePresenceDocument(body);
      return parsed.ok ? parsed.state : undefined;
    };
    expect(state(doc('<rpid:activities><rpid:on-the-phone/></rpid:activities>'))).toEqual({ availability: 'busy' });
    expect(state(doc('<rpid:activities><rpid:vacation/></rpid:activities>'))).toEqual({ availability: 'away' });
    expect(state(doc(''))).toEqual({ availability: 'available' });
    expect(state(doc('', 'closed'))).toEqual({ availability: 'offline' });
  });

  it('combines two devices: the most engaged non-offline one wins', () => {
    const a = buildPresenceDocument({ entity, deviceId: 'laptop', state: { availability: 'away' } });
    const b = buildPresenceDocument({ entity, deviceId: 'phone', state: { availability: 'busy', activity: 'on-the-phone' } });
    // Kamailio concatenates both tuples and persons into one document (im-presence §3.3).
    const merged = a.replace('</presence>', b.slice(b.indexOf('<tuple'), b.indexOf('</presence>')) + '</presence>');
    const parsed = parsePresenceDocument(merged);
    expect(parsed).toMatchObject({ ok: true, state: { availability: 'away' } });
    const offline = buildPresenceDocument({ entity, deviceId: 'old', state: { availability: 'offline' } });
    const both = offline.replace('</presence>', b.slice(b.indexOf('<tuple'), b.indexOf('</presence>')) + '</presence>');
    expect(parsePresenceDocument(both)).toMatchObject({ ok: true, state: { availability: 'busy', activity: 'on-the-phone' } });
  });

  it('says unknown for an empty body or a document with no status, and refuses non-PIDF', () => {
    expect(parsePresenceDocument('')).toEqual({ ok: true, state: 'unknown' });
    expect(parsePresenceDocument(`<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${entity}"/>`)).toEqual({ ok: true, state: 'unknown' });
    expect(parsePresenceDocument('<presence/>')).toMatchObject({ ok: false });
    expect(parsePresenceDocument('<!DOCTYPE x [<!ENTITY a "b">]><presence xmlns="urn:ietf:params:xml:ns:pidf"/>')).toMatchObject({ ok: false });
    expect(parsePresenceDocument(`<presence xmlns="urn:ietf:params:xml:ns:pidf">${'<x/>'.repeat(20000)}</presence>`)).toMatchObject({ ok: false });
  });

  it('ignores a bogus extension number and falls back to RPID', () => {
    const body = `<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:sb="urn:x-switchboard:presence"><tuple id="t"><status><basic>open</basic></status></tuple><dm:person id="p"><sb:availability>lots</sb:availability><sb:activity>napping</sb:activity></dm:person></presence>`;
    expect(parsePresenceDocument(body)).toEqual({ ok: true, state: { availability: 'available' } });
  });
});
