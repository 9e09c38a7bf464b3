/**
 * `application/conference-info+xml` (RFC 4575 with the Microsoft extensions): the conference
 * roster documents the focus sends. The lab's focus writes them with
 * `lab/conference/conference-info-builder.ts`.
 * @packageDocumentation
 */
import type { XmlElement } from '../xml/safe-xml';
import { attr, child, children, parseXml, textOf } from '../xml/safe-xml';
import { xmlTrim } from '../xml/xml-text';
import { NS_CONFERENCE_INFO, NS_SBCI } from './namespaces';

/** How a document or element relates to earlier state. @remarks RFC 4575 §5.1 `state-type`. @public */
export type ConfState = 'full' | 'partial' | 'deleted';

/** Client→MCU media filter. @remarks [MS-CONFAV] 2.2.2.1.2.1 `media-ingress-filter`. @public */
export type IngressFilter = 'block' | 'unblock';

/**
 * One media stream of an endpoint.
 * @remarks RFC 4575 §5.7 (`id`, `type`, `label`, `status`: sendrecv|sendonly|recvonly|inactive)
 * and [MS-CONFAV] 2.2.2.1.2.1 for `ingressFilter`.
 * @public
 */
export type ConfMedia = {
  readonly id?: string;
  readonly type?: string;
  readonly status?: string;
  readonly label?: string;
  readonly ingressFilter?: IngressFilter;
  /** Whether the MCU hears this stream's participant talk (Switchboard's `sbci:speaking`). */
  readonly speaking?: boolean;
};

/**
 * One endpoint of a user: a signalling leg to the focus or to one MCU.
 * @remarks RFC 4575 §5.6 (`status`: pending … connected, muted-via-focus … disconnected);
 * `sessionType` is the msci `session-type` attribute naming the MCU: focus, chat, audio-video,
 * applicationsharing ([MS-CONFBAS] 2.2.2.2).
 * @public
 */
export type ConfEndpoint = {
  readonly entity: string;
  readonly state?: ConfState;
  readonly sessionType?: string;
  readonly status?: string;
  readonly media: readonly ConfMedia[];
};

/** A conference participant. @remarks RFC 4575 §5.5. @public */
export type ConfUser = {
  readonly entity: string;
  readonly state?: ConfState;
  readonly displayText?: string;
  readonly roles: readonly string[];
  readonly endpoints: readonly ConfEndpoint[];
};

/**
 * A conference URI, such as an MCU's, identified by its purpose.
 * @remarks RFC 4575 §5.3.1 (`conf-uris/entry`); [MS-CONFAS] 3.2.5.1.1 finds MCUs by `purpose`.
 * @public
 */
export type ConfUri = { readonly uri: string; readonly purpose: string; readonly displayText?: string };

/**
 * A parsed conference-info document. `subject` is absent when the document has none, which in
 * a partial document means "unchanged"; an empty `confUris` means the same.
 * @remarks RFC 4575 §5.1 (root attributes) and §5.3 (conference-description).
 * @public
 */
export type ConferenceInfo = {
  readonly entity: string;
  readonly state: ConfState;
  readonly version: number;
  readonly subject?: string;
  readonly confUris: readonly ConfUri[];
  readonly users: readonly ConfUser[];
};

/** Outcome of {@link parseConferenceInfo}. @public */
export type ConferenceInfoResult = { readonly ok: true; readonly info: ConferenceInfo } | { readonly ok: false; readonly error: string };

const STATES: readonly ConfState[] = ['full', 'partial', 'deleted'];
/**
 * Largest `version` of a conference-info document: an `unsignedInt` (RFC 4575 §5.1).
 * @public
 */
export const MAX_CONFERENCE_INFO_VERSION = 0xffffffff;

/** Thrown by the readers below and caught by {@link parseConferenceInfo} only. */
class Invalid extends Error {}

/**
 * Parses a conference-info document.
 * @remarks RFC 4575 §5: root `conference-info` in `urn:ietf:params:xml:ns:conference-info`
 * with a required `entity` (the focus URI), `state` (default `full`) and an unsignedInt
 * `version` (required here: ordering documents depends on it, RFC 4575 §4.6). Elements of the
 * base schema are matched in its namespace only; the Microsoft extensions (`session-type`,
 * `media-ingress-filter`) whatever their prefix ([MS-CONFBAS] 2.2.2.2). A user, endpoint or
 * conf-uris entry lacking its key (entity, uri) is skipped rather than failing the whole
 * roster; an unknown `state` fails it, since merging would be guesswork. Text values are
 * trimmed, and empty role entries dropped.
 * @public
 */
export function parseConferenceInfo(body: string): ConferenceInfoResult {
  const xml = parseXml(body);
  if (!xml.ok) {
    return { ok: false, error: `unreadable conference-info (${xml.rule}): ${xml.message}` };
  }
  const root = xml.root;
  if (root.name !== 'conference-info' || root.ns !== NS_CONFERENCE_INFO) {
    return { ok: false, error: `root must be conference-info in ${NS_CONFERENCE_INFO}, got {${root.ns}}${root.name}` };
  }
  try {
    return { ok: true, info: readDocument(root) };
  } catch (error) {
    if (error instanceof Invalid) {
      return { ok: false, error: error.message };
    }
    throw error;
  }
}

function readDocument(root: XmlElement): ConferenceInfo {
  const entity = trimmedAttr(root, 'entity');
  if (entity === undefined || entity === '') {
    throw new Invalid('conference-info needs an entity');
  }
  const description = ciChild(root, 'conference-description');
  const users = ciChild(root, 'users');
  return compact({
    entity,
    state: readState(root) ?? 'full',
    version: readVersion(root),
    subject: description === undefined ? undefined : trimmedText(description, 'subject'),
    confUris: description === undefined ? [] : readConfUris(description),
    users: users === undefined ? [] : keyed(ciChildren(users, 'user').map(readUser)),
  });
}

function readVersion(root: XmlElement): number {
  const raw = trimmedAttr(root, 'version');
  const version = raw !== undefined && /^[0-9]{1,10}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(version <= MAX_CONFERENCE_INFO_VERSION)) {
    throw new Invalid(`version must be an unsigned 32-bit integer, got ${raw === undefined ? 'none' : `'${raw}'`}`);
  }
  return version;
}

function readState(el: XmlElement): ConfState | undefined {
  const raw = trimmedAttr(el, 'state');
  if (raw === undefined) {
    return undefined;
  }
  const state = STATES.find((s) => s === raw);
  if (state === undefined) {
    throw new Invalid(`unknown state '${raw}' on ${el.name}`);
  }
  return state;
}

function readConfUris(description: XmlElement): ConfUri[] {
  const list = ciChild(description, 'conf-uris');
  const entries = list === undefined ? [] : ciChildren(list, 'entry');
  return entries.flatMap((entry) => {
    const uri = trimmedText(entry, 'uri');
    const displayText = trimmedText(entry, 'display-text');
    if (uri === undefined || uri === '') {
      return [];
    }
    return [compact({ uri, purpose: trimmedText(entry, 'purpose') ?? '', displayText })];
  });
}

function readUser(el: XmlElement): ConfUser | undefined {
  const entity = trimmedAttr(el, 'entity');
  if (entity === undefined || entity === '') {
    return undefined;
  }
  const roles = ciChild(el, 'roles');
  return compact({
    entity,
    state: readState(el),
    displayText: trimmedText(el, 'display-text'),
    roles: roles === undefined ? [] : ciChildren(roles, 'entry').map((e) => xmlTrim(e.text)).filter((r) => r !== ''),
    endpoints: keyed(ciChildren(el, 'endpoint').map(readEndpoint)),
  });
}

function readEndpoint(el: XmlElement): ConfEndpoint | undefined {
  const entity = trimmedAttr(el, 'entity');
  if (entity === undefined || entity === '') {
    return undefined;
  }
  return compact({
    entity,
    state: readState(el),
    sessionType: trimmedAttr(el, 'session-type'),
    status: trimmedText(el, 'status'),
    media: ciChildren(el, 'media').map(readMedia),
  });
}

function readMedia(el: XmlElement): ConfMedia {
  return compact({
    id: trimmedAttr(el, 'id'),
    type: trimmedText(el, 'type'),
    status: trimmedText(el, 'status'),
    label: trimmedText(el, 'label'),
    ingressFilter: readIngressFilter(el),
    speaking: readSpeaking(el),
  });
}

function readSpeaking(media: XmlElement): boolean | undefined {
  const el = child(media, 'speaking', NS_SBCI);
  const value = el === undefined ? '' : xmlTrim(el.text).toLowerCase();
  return value === 'true' ? true : value === 'false' ? false : undefined;
}

/** Drops keys whose value is `undefined`, so results compare and serialise without noise. */
function compact<T extends object>(value: T): T {
  const copy = { ...value };
  for (const key of Object.keys(copy) as (keyof T)[]) {
    if (copy[key] === undefined) {
      delete copy[key];
    }
  }
  return copy;
}

function readIngressFilter(media: XmlElement): IngressFilter | undefined {
  // Any namespace: the filter is an msci element, but senders vary in how they declare it.
  const el = child(media, 'media-ingress-filter');
  const value = el === undefined ? '' : xmlTrim(el.text).toLowerCase();
  return value === 'block' || value === 'unblock' ? value : undefined;
}

function keyed<T>(items: readonly (T | undefined)[]): T[] {
  return items.filter((item): item is T => item !== undefined);
}

function ciChild(el: XmlElement, name: string): XmlElement | undefined {
  return child(el, name, NS_CONFERENCE_INFO);
}

function ciChildren(el: XmlElement, name: string): XmlElement[] {
  return children(el, name, NS_CONFERENCE_INFO);
}

function trimmedText(el: XmlElement, name: string): string | undefined {
  const text = textOf(el, name, NS_CONFERENCE_INFO);
  return text === undefined ? undefined : xmlTrim(text);
}

function trimmedAttr(el: XmlElement, name: string): string | undefined {
  const value = attr(el, name);
  return value === undefined ? undefined : xmlTrim(value);
}
