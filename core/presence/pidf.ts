/**
 * `application/pidf+xml`: the presence document we publish and the ones watchers receive.
 * @packageDocumentation
 */
import type { XmlElement } from '../xml/safe-xml';
import { attr, child, children, parseXml } from '../xml/safe-xml';
import { replaceNonXmlChars, xmlTrim } from '../xml/xml-text';
import { writeXml, type XmlWriteNode } from '../xml/xml-writer';
import {
  availabilityOfNumber,
  availabilityOfRpid,
  isLyncActivity,
  LYNC_AVAILABILITY,
  LYNC_IN_A_CONFERENCE,
  MAX_NOTE_CHARS,
  presenceRank,
  rpidActivitiesOf,
  type PresenceState,
} from './availability';

/** RFC 3863 §4.1 (PIDF). @public */
export const PIDF_NS = 'urn:ietf:params:xml:ns:pidf';
/** RFC 4479 §4 (the data model's `person`). @public */
export const DATA_MODEL_NS = 'urn:ietf:params:xml:ns:pidf:data-model';
/** RFC 4480 §3 (RPID). @public */
export const RPID_NS = 'urn:ietf:params:xml:ns:pidf:rpid';
/**
 * Our extension inside `dm:person`: Lync's availability number and activity token.
 * @remarks Open question 27: one namespace of our own, two elements; readers skip what they do
 * not know (RFC 3863 §4.1.5), so other watchers see the RPID part only.
 * @public
 */
export const SWITCHBOARD_PRESENCE_NS = 'urn:x-switchboard:presence';

/** Content type of a presence document (RFC 3863 §7). @public */
export const MIME_PIDF = 'application/pidf+xml';

/**
 * The tuple id of the document Kamailio's presence_xml makes up, with `force_dummy_presence`,
 * for a presentity that has never published (`PRESENCE_EMPTY_BODY` in its notify_body.c): open
 * and "Available" although nobody signed in. Measured with the lab's Kamailio: a contact center
 * subscribing to agents who had not signed in yet saw them all Available.
 */
const KAMAILIO_PLACEHOLDER_TUPLE = '615293b33c62dec073e05d9421e9f48b';

/** Largest presence document we read: several devices' persons fit easily. */
const MAX_PIDF_BYTES = 32 * 1024;

/**
 * Inputs of {@link buildPresenceDocument}.
 * @public
 */
export type PresenceDocumentInput = {
  /** The presentity, our AOR (RFC 3863 §4.1.1 `entity`). */
  readonly entity: string;
  /** Unique per device (open question 28), e.g. derived from the instance id. */
  readonly deviceId: string;
  readonly state: PresenceState;
};

/**
 * Writes our presence: one tuple (`basic` open unless offline) and one `dm:person` with the RPID
 * activities, our extension and the note.
 * @remarks im-presence §3.4 (the example "what the agent publishes while in a call"); ids are
 * `t-<device>` and `p-<device>` so two devices of one agent never replace each other (§3.3,
 * [LAB]). RPID's `activities` must hold at least one activity (RFC 4480 §3.2), so it is left out
 * when there is none.
 * @public
 */
export function buildPresenceDocument(input: PresenceDocumentInput): string {
  const { state } = input;
  const activities = rpidActivitiesOf(state);
  const note = state.note === undefined ? undefined : cleanNote(state.note);
  const person: XmlWriteNode[] = [
    ...(activities.length > 0 ? [{ name: 'rpid:activities', children: activities.map((name) => ({ name: `rpid:${name}` })) }] : []),
    { name: 'sb:availability', text: String(state.lyncAvailability ?? defaultNumber(state)) },
    ...(state.activity !== undefined ? [{ name: 'sb:activity', text: state.activity }] : []),
    ...(note !== undefined && note !== '' ? [{ name: 'dm:note', text: note }] : []),
  ];
  return writeXml({
    name: 'presence',
    attrs: { xmlns: PIDF_NS, 'xmlns:dm': DATA_MODEL_NS, 'xmlns:rpid': RPID_NS, 'xmlns:sb': SWITCHBOARD_PRESENCE_NS, entity: input.entity },
    children: [
      { name: 'tuple', attrs: { id: `t-${input.deviceId}` }, children: [{ name: 'status', children: [{ name: 'basic', text: state.availability === 'offline' ? 'closed' : 'open' }] }] },
      { name: 'dm:person', attrs: { id: `p-${input.deviceId}` }, children: person },
    ],
  });
}

/**
 * Outcome of {@link parsePresenceDocument}: a state, `unknown` for a document that says nothing
 * (an empty NOTIFY of a pending subscription: open question 30 says "unknown", not offline), or
 * an error for a body that is not PIDF.
 * @public
 */
export type PresenceDocumentResult =
  | { readonly ok: true; readonly state: PresenceState | 'unknown' }
  | { readonly ok: false; readonly error: string };

/**
 * Reads a presence document, combining several devices' persons into one state.
 * @remarks RFC 3863 (tuples), RFC 4479 (persons), RFC 4480 (activities), our extension first
 * when present. Kamailio merges the publications of several devices into one NOTIFY (im-presence
 * §3.3 [LAB]); the most engaged non-offline person wins ({@link presenceRank}). With no person,
 * any open tuple means available, all closed means offline. Unknown elements are ignored.
 * Kamailio's placeholder for a presentity that never published reads as `unknown`: it says
 * "Available" on nobody's behalf.
 * @public
 */
export function parsePresenceDocument(body: string): PresenceDocumentResult {
  if (xmlTrim(body) === '') {
    return { ok: true, state: 'unknown' };
  }
  const xml = parseXml(body, { maxBytes: MAX_PIDF_BYTES });
  if (!xml.ok) {
    return { ok: false, error: `unreadable presence document (${xml.rule}): ${xml.message}` };
  }
  if (xml.root.name !== 'presence' || xml.root.ns !== PIDF_NS) {
    return { ok: false, error: `not a PIDF document (root ${xml.root.name})` };
  }
  if (children(xml.root, 'tuple', PIDF_NS).some((tuple) => attr(tuple, 'id') === KAMAILIO_PLACEHOLDER_TUPLE)) {
    return { ok: true, state: 'unknown' };
  }
  const tuples = children(xml.root, 'tuple', PIDF_NS).map(basicOf);
  const open = tuples.includes('open') ? true : tuples.includes('closed') ? false : undefined;
  const persons = children(xml.root, 'person', DATA_MODEL_NS).map((person) => personState(person, open));
  if (persons.length === 0) {
    return open === undefined ? { ok: true, state: 'unknown' } : { ok: true, state: { availability: open ? 'available' : 'offline', ...noteOf(xml.root) } };
  }
  const best = persons.reduce((a, b) => (presenceRank(b) > presenceRank(a) ? b : a));
  return { ok: true, state: best };
}

function personState(person: XmlElement, open: boolean | undefined): PresenceState {
  const number = Number(xmlTrim(child(person, 'availability', SWITCHBOARD_PRESENCE_NS)?.text ?? ''));
  const fromNumber = child(person, 'availability', SWITCHBOARD_PRESENCE_NS) === undefined ? undefined : availabilityOfNumber(number);
  const activityText = xmlTrim(child(person, 'activity', SWITCHBOARD_PRESENCE_NS)?.text ?? '');
  const activity = isLyncActivity(activityText) ? activityText : undefined;
  const rpid = (child(person, 'activities', RPID_NS)?.children ?? []).filter((el) => el.ns === RPID_NS).map((el) => el.name);
  const availability = fromNumber ?? availabilityOfRpid(rpid, open);
  return {
    availability,
    ...(fromNumber !== undefined && { lyncAvailability: number }),
    ...(activity !== undefined && { activity }),
    ...noteOf(person),
  };
}

function basicOf(tuple: XmlElement): string {
  const status = child(tuple, 'status', PIDF_NS);
  return xmlTrim((status && child(status, 'basic', PIDF_NS)?.text) ?? '').toLowerCase();
}

/** The first note of an element: `dm:note` in a person, PIDF `note` at the top level. */
function noteOf(el: XmlElement): { note?: string } {
  const note = el.children.find((c) => c.name === 'note' && (c.ns === DATA_MODEL_NS || c.ns === PIDF_NS));
  const text = note === undefined ? '' : cleanNote(note.text);
  return text === '' ? {} : { note: text };
}

/** One line of printable text, at most {@link MAX_NOTE_CHARS}: a note is shown beside a name. */
function cleanNote(text: string): string {
  const flat = xmlTrim(replaceNonXmlChars(text).replace(/[\u0000-\u001f\u007f]+/g, ' '));
  return [...flat].slice(0, MAX_NOTE_CHARS).join('');
}

function defaultNumber(state: PresenceState): number {
  return state.activity === 'in-a-conference' ? LYNC_IN_A_CONFERENCE : LYNC_AVAILABILITY[state.availability];
}
