/**
 * `application/ms-session-invite+xml`: the body of a conversation context channel INVITE.
 * @packageDocumentation
 */
import type { XmlElement } from '../xml/safe-xml';
import { child, children, parseXml, textOf } from '../xml/safe-xml';
import { utf8ByteLength, xmlTrim } from '../xml/xml-text';
import { normalizeAppId } from '../../common/extension-manifest';
import { decodeBase64 } from '../codecs/base64';
import { checkLink } from './link';
import { decodeUtf8 } from '../codecs/utf8';
import { toWarningText } from './warning-text';

/**
 * Content type of a context channel INVITE.
 * @remarks UCMA-CCC; protocol notes section 1.4.
 * @public
 */
export const MIME_SESSION_INVITE = 'application/ms-session-invite+xml';

/**
 * The limits of UCMA-CCC (protocol notes section 4), each with its exact boundary.
 * @remarks
 * - `bodyBytes`: the payload must be *under* 4 KB, so a body of 4096 UTF-8 bytes or more is
 *   refused and 4095 is the largest accepted;
 * - `dataChars`: `data` is at most 4 KB "after encoding": 4096 base64 characters pass, 4097 do
 *   not. The body limit is the tighter one in practice (the markup around `data` takes bytes
 *   too), so a whole body never reaches this limit; it still guards the builder and any later
 *   change of `bodyBytes`;
 * - `nameChars`: ApplicationName, at most 50 characters (also `%AppName%` in LYNC-REG);
 * - `toastChars`: customToast, at most 80 characters.
 *
 * Characters are Unicode code points, counted after trimming: the sources say "characters"
 * without naming a unit, and code points are what a user sees as characters far more often
 * than UTF-16 units are (an emoji is one, not two).
 * @public
 */
export const SESSION_INVITE_LIMITS = { bodyBytes: 4096, dataChars: 4096, nameChars: 50, toastChars: 80 } as const;

/**
 * Why a session invite was refused (parse) or not written (build, `lab/channels/session-invite-builder.ts`).
 * @remarks `too-large`, `empty`, `doctype`, `entity` and `malformed` come from reading the
 * XML; `duplicate` is a repeated `application-id` or known entry, refused because two readers
 * could disagree on which one counts.
 * @public
 */
export type SessionInviteRule =
  | 'too-large'
  | 'empty'
  | 'doctype'
  | 'entity'
  | 'malformed'
  | 'wrong-root'
  | 'no-application-id'
  | 'bad-application-id'
  | 'duplicate'
  | 'data-too-long'
  | 'data-not-base64'
  | 'name-too-long'
  | 'toast-too-long'
  | 'bad-link'
  | 'bad-entry-name';

/**
 * The initial context data (UCMA ContextualData), base64 on the wire.
 * @remarks `text` is present when the bytes are well-formed UTF-8 (what Lync's
 * `GetApplicationData` hands an app for string data); binary data has only `decoded`.
 * @public
 */
export type SessionInviteData = {
  readonly text?: string;
  /** The base64 as received, white space removed. */
  readonly bytesBase64: string;
  readonly decoded: Uint8Array;
};

/**
 * A validated context channel invitation.
 * @remarks Protocol notes section 1.4. Optional fields are absent when the entry is missing or
 * blank. `other` keeps unknown entries by trimmed name, first one winning; it has no prototype,
 * so a name such as `constructor` cannot be mistaken for an entry.
 * @public
 */
export type SessionInvite = {
  /** `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}`, see `normalizeAppId` (common/extension-manifest.ts). */
  readonly appId: string;
  /** The `application-id` text exactly as received. */
  readonly rawAppId: string;
  readonly data: SessionInviteData | undefined;
  readonly name?: string;
  readonly customToast?: string;
  readonly simpleLink?: string;
  readonly installLink?: string;
  readonly other: Readonly<Record<string, string>>;
};

/**
 * Outcome of {@link parseSessionInvite}. On failure, answer `400 Bad Request` (RFC 3261
 * §21.4.1) with `Warning: 399 <host> "<warning>"`.
 * @remarks `warning` is safe as a `quoted-string` (RFC 3261 §20.43) and names the rule; it never
 * contains text from the body, only fixed messages and, for `malformed`, a line number.
 * @public
 */
export type SessionInviteResult =
  | { readonly ok: true; readonly invite: SessionInvite }
  | { readonly ok: false; readonly status: 400; readonly rule: SessionInviteRule; readonly warning: string };

/** Outcome of {@link parseSessionData}. @public */
export type SessionDataResult =
  | { readonly ok: true; readonly data: SessionInviteData | undefined }
  | { readonly ok: false; readonly rule: 'data-too-long' | 'data-not-base64' };

/**
 * Root element of a session invite (protocol notes 1.4).
 * @public
 */
export const SESSION_INVITE_ROOT = 'session';

const KNOWN_ENTRIES = ['data', 'name', 'customToast', 'simpleLink', 'installLink'] as const;

/**
 * The `additional-properties` entries with a meaning of their own (UCMA-CCC; protocol notes
 * 1.4); any other name is kept in `other`.
 * @public
 */
export type SessionInviteEntry = (typeof KNOWN_ENTRIES)[number];

const MESSAGES: Readonly<Record<SessionInviteRule, string>> = {
  'too-large': `body must be under ${SESSION_INVITE_LIMITS.bodyBytes} bytes`,
  empty: 'empty body',
  doctype: 'document type declarations are not accepted',
  entity: 'entity declarations and references are not accepted',
  malformed: 'body is not well-formed XML',
  'wrong-root': `root element must be ${SESSION_INVITE_ROOT}`,
  'no-application-id': 'missing application-id',
  'bad-application-id': 'application-id is not a GUID',
  duplicate: 'application-id or an entry appears more than once',
  'data-too-long': `data exceeds ${SESSION_INVITE_LIMITS.dataChars} characters`,
  'data-not-base64': 'data is not padded standard base64',
  'name-too-long': `name exceeds ${SESSION_INVITE_LIMITS.nameChars} characters`,
  'toast-too-long': `customToast exceeds ${SESSION_INVITE_LIMITS.toastChars} characters`,
  'bad-link': 'simpleLink and installLink must be https URLs',
  'bad-entry-name': 'entry names must be non-blank and not a known name',
};

/** A refusal on its way out of the small readers below. */
type Refusal = { readonly refused: SessionInviteRule; readonly line?: number };

function isRefusal(value: unknown): value is Refusal {
  return typeof value === 'object' && value !== null && 'refused' in value;
}

/**
 * Parses and validates a context channel INVITE body.
 * @remarks Protocol notes sections 1.4 and 4, open question 7. Checks run in this order and the
 * first failure wins: body size (before any parsing), XML safety and well-formedness
 * (`parseXml`: no DOCTYPE, no entities, so no XXE or "billion laughs"), root `session` (any
 * namespace), `application-id`, duplicate entries, `data`, `name`, `customToast`, links.
 * Tolerant elsewhere, as the notes advise for Microsoft's own broken sample: elements match by
 * local name in any namespace, unknown elements are ignored, every value is trimmed, entry
 * names of the known keys match case-insensitively, entries without a name are skipped, and
 * `additional-properties` may repeat. Not tolerant of non-base64 `data`, although the notes
 * suggest a raw fallback: the issue decides "not base64: 400", and a raw fallback would let the
 * same bytes mean two things. White space inside `data` is removed before decoding, as MIME
 * line wrapping (RFC 2045 §6.8) and .NET's `Convert.FromBase64String` allow, and the
 * 4096-character limit counts the base64 characters without it.
 * @param body - the INVITE body
 * @public
 */
export function parseSessionInvite(body: string): SessionInviteResult {
  const { bodyBytes } = SESSION_INVITE_LIMITS;
  if (utf8ByteLength(body, bodyBytes) >= bodyBytes) {
    return refuse({ refused: 'too-large' });
  }
  const xml = parseXml(body, { maxBytes: bodyBytes - 1 });
  if (!xml.ok) {
    return refuse(xml.line === undefined ? { refused: xml.rule } : { refused: xml.rule, line: xml.line });
  }
  const invite = readInvite(xml.root);
  return isRefusal(invite) ? refuse(invite) : { ok: true, invite };
}

function refuse({ refused, line }: Refusal): SessionInviteResult {
  const where = line === undefined ? '' : ` (line ${line})`;
  return { ok: false, status: 400, rule: refused, warning: toWarningText(`invalid session invite, ${refused}: ${MESSAGES[refused]}${where}`) };
}

function readInvite(root: XmlElement): SessionInvite | Refusal {
  if (root.name !== SESSION_INVITE_ROOT) {
    return { refused: 'wrong-root' };
  }
  const appId = readAppId(root);
  if (isRefusal(appId)) {
    return appId;
  }
  const entries = readEntries(root);
  if (isRefusal(entries)) {
    return entries;
  }
  const fields = readKnownFields(entries.known);
  return isRefusal(fields) ? fields : { ...appId, ...fields, other: entries.other };
}

function readAppId(root: XmlElement): { appId: string; rawAppId: string } | Refusal {
  const elements = children(root, 'application-id');
  const [first] = elements;
  if (first === undefined || xmlTrim(first.text) === '') {
    return { refused: 'no-application-id' };
  }
  if (elements.length > 1) {
    return { refused: 'duplicate' };
  }
  const appId = normalizeAppId(first.text);
  return appId === undefined ? { refused: 'bad-application-id' } : { appId, rawAppId: first.text };
}

type Entries = { readonly known: ReadonlyMap<SessionInviteEntry, string>; readonly other: Readonly<Record<string, string>> };

function readEntries(root: XmlElement): Entries | Refusal {
  const known = new Map<SessionInviteEntry, string>();
  const other = new Map<string, string>();
  const entries = children(root, 'additional-properties').flatMap((props) => children(props, 'entry'));
  for (const entry of entries) {
    const name = xmlTrim(textOf(entry, 'name') ?? '');
    const value = child(entry, 'value')?.text ?? '';
    const key = knownEntry(name);
    if (key !== undefined && known.has(key)) {
      return { refused: 'duplicate' };
    }
    if (key !== undefined) {
      known.set(key, value);
    } else if (name !== '' && !other.has(name)) {
      other.set(name, xmlTrim(value));
    }
  }
  return { known, other: nullPrototype(other) };
}

/** The known entry `name` denotes, compared ASCII-case-insensitively (no Unicode folding). */
function knownEntry(name: string): SessionInviteEntry | undefined {
  const lower = asciiLower(name);
  return KNOWN_ENTRIES.find((known) => asciiLower(known) === lower);
}

function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (ch) => ch.toLowerCase());
}

function nullPrototype(entries: ReadonlyMap<string, string>): Readonly<Record<string, string>> {
  const record: Record<string, string> = Object.setPrototypeOf(Object.fromEntries(entries), null);
  return Object.freeze(record);
}

type KnownFields = Omit<SessionInvite, 'appId' | 'rawAppId' | 'other'>;

function readKnownFields(known: ReadonlyMap<SessionInviteEntry, string>): KnownFields | Refusal {
  const data = parseSessionData(known.get('data') ?? '');
  if (!data.ok) {
    return { refused: data.rule };
  }
  const name = checkLength(known.get('name'), SESSION_INVITE_LIMITS.nameChars);
  const customToast = checkLength(known.get('customToast'), SESSION_INVITE_LIMITS.toastChars);
  const simpleLink = readLink(known.get('simpleLink'));
  const installLink = readLink(known.get('installLink'));
  if (name === false || customToast === false) {
    return { refused: name === false ? 'name-too-long' : 'toast-too-long' };
  }
  if (simpleLink === false || installLink === false) {
    return { refused: 'bad-link' };
  }
  return {
    data: data.data,
    ...(name === undefined ? {} : { name }),
    ...(customToast === undefined ? {} : { customToast }),
    ...(simpleLink === undefined ? {} : { simpleLink }),
    ...(installLink === undefined ? {} : { installLink }),
  };
}

/** The trimmed value, `undefined` when blank, or `false` when over `max` code points. */
function checkLength(raw: string | undefined, max: number): string | undefined | false {
  const value = xmlTrim(raw ?? '');
  if (value === '') {
    return undefined;
  }
  return countCodePoints(value, max) > max ? false : value;
}

function readLink(raw: string | undefined): string | undefined | false {
  if (raw === undefined || xmlTrim(raw) === '') {
    return undefined;
  }
  return checkLink(raw) ?? false;
}

/** Code points in `text`, counting stops once above `stopAbove`. */
function countCodePoints(text: string, stopAbove: number): number {
  let count = 0;
  for (let i = 0; i < text.length && count <= stopAbove; i += 1) {
    const unit = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      i += 1;
    }
    count += 1;
  }
  return count;
}

/**
 * Validates and decodes the value of a `data` entry on its own.
 * @remarks The `data` rule of {@link parseSessionInvite}: XML white space removed, then at most
 * {@link SESSION_INVITE_LIMITS}`.dataChars` characters of strict padded standard base64
 * (RFC 4648 §4, see `decodeBase64`). A blank value means no data. Exported so the 4096/4097
 * boundary can be tested, which a whole body under 4096 bytes cannot reach.
 * @param value - the entry value as received
 * @public
 */
export function parseSessionData(value: string): SessionDataResult {
  // Only XML white space: it is what line wrapping inserts, and all a parser could normalise.
  const bytesBase64 = value.replace(/[ \t\r\n]+/g, '');
  if (bytesBase64 === '') {
    return { ok: true, data: undefined };
  }
  if (bytesBase64.length > SESSION_INVITE_LIMITS.dataChars) {
    return { ok: false, rule: 'data-too-long' };
  }
  const decoded = decodeBase64(bytesBase64);
  if (!decoded.ok) {
    return { ok: false, rule: 'data-not-base64' };
  }
  const text = decodeUtf8(decoded.bytes);
  const data = { bytesBase64, decoded: decoded.bytes };
  return { ok: true, data: text === undefined ? data : { text, ...data } };
}

/**
 * The fixed text of a rule, as warnings and the lab's builder word it (never text from a body).
 * @public
 */
export function sessionInviteMessage(rule: SessionInviteRule): string {
  return MESSAGES[rule];
}

/**
 * Whether `name` is a known entry, compared as the parser compares it: ASCII-case-insensitively.
 * @public
 */
export function isSessionInviteEntry(name: string): boolean {
  return knownEntry(name) !== undefined;
}

/**
 * Checks the known entries' values by the rules and in the order {@link parseSessionInvite}
 * applies them (data, name, customToast, links), so the lab's builder refuses exactly what the
 * agent would.
 * @returns the first rule broken, or `undefined` when the values pass
 * @public
 */
export function checkSessionInviteEntries(known: ReadonlyMap<SessionInviteEntry, string>): SessionInviteRule | undefined {
  const fields = readKnownFields(known);
  return isRefusal(fields) ? fields.refused : undefined;
}
