/**
 * Checks shared by the targets' contracts.
 * @packageDocumentation
 */
import type { RosterUpdate, RosterUserView } from '../core/conference/roster';
import type { XmlElement } from '../core/xml/safe-xml';
import { MAX_XML_DEPTH } from '../core/xml/safe-xml';
import { expectThat } from './engine';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const NON_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** A string is any JS string; on the wire it must be well-formed UTF-16 (no lone surrogate). */
export function expectString(value: unknown, what: string): asserts value is string {
  expectThat(typeof value === 'string', `${what} is ${typeof value}, not a string`);
}

/** Non-empty, and trimmed of XML white space as the parsers promise. */
export function expectTrimmedNonEmpty(value: unknown, what: string): void {
  expectString(value, what);
  expectThat(value !== '' && !/^[ \t\r\n]|[ \t\r\n]$/.test(value), `${what} is empty or untrimmed: ${JSON.stringify(value)}`);
}

/**
 * Text that goes into a SIP header's quoted-string (RFC 3261 §25.1 `quoted-string`, §20.43):
 * no `"`, `\`, C0 control or DEL, no lone surrogate (it cannot be encoded as UTF-8), at most
 * `max` characters; with `forbidC1`, no C1 control either (the channel warnings promise that).
 */
export function expectHeaderSafe(value: unknown, max: number, what: string, forbidC1 = false): void {
  expectString(value, what);
  expectThat(!/["\\\u0000-\u001F\u007F]/.test(value), `${what} has a quote, backslash or control: ${JSON.stringify(value)}`);
  expectThat(!forbidC1 || !/[\u0080-\u009F]/.test(value), `${what} has a C1 control: ${JSON.stringify(value)}`);
  expectThat(!LONE_SURROGATE.test(value), `${what} has a lone surrogate: ${JSON.stringify(value)}`);
  expectThat(Array.from(value).length <= max, `${what} is longer than ${max} characters`);
}

/** One of a closed set of values. */
export function expectOneOf<T>(value: unknown, allowed: readonly T[], what: string): asserts value is T {
  expectThat(allowed.includes(value as T), `${what} is ${JSON.stringify(value)}, not one of ${allowed.join('|')}`);
}

/**
 * A tree as `parseXml` promises it: local names without a prefix, namespace URIs as strings,
 * attributes as own string properties of a plain object without `xmlns` declarations, text of
 * XML characters only (references decoded to allowed characters), nesting within the cap.
 */
export function expectXmlTree(el: XmlElement, depth = 1): void {
  expectThat(depth <= MAX_XML_DEPTH, `element nesting ${depth} exceeds MAX_XML_DEPTH ${MAX_XML_DEPTH}`);
  expectThat(typeof el.name === 'string' && el.name !== '' && !el.name.includes(':'), `bad local name ${JSON.stringify(el.name)}`);
  expectString(el.ns, 'namespace');
  expectString(el.text, 'text');
  expectThat(!NON_XML_CHAR.test(el.text), `text of ${el.name} has a character XML forbids`);
  expectThat(Object.getPrototypeOf(el.attrs) === Object.prototype, `attrs of ${el.name} is not a plain object`);
  for (const [name, value] of Object.entries(el.attrs)) {
    expectThat(name !== '' && !name.includes(':') && name !== 'xmlns', `bad attribute name ${JSON.stringify(name)}`);
    expectString(value, `attribute ${name}`);
    expectThat(!NON_XML_CHAR.test(value), `attribute ${name} has a character XML forbids`);
  }
  expectThat(Array.isArray(el.children), 'children is not an array');
  for (const c of el.children) {
    expectXmlTree(c, depth + 1);
  }
}

const AUDIO = ['none', 'connected', 'muted'] as const;
const IM = ['none', 'connected'] as const;

/** Participants as the UI gets them: unique non-empty entities, known modality states. */
export function expectRosterUsers(users: readonly RosterUserView[]): void {
  const seen = new Set<string>();
  for (const user of users) {
    expectThat(typeof user.entity === 'string' && user.entity !== '', 'roster user without entity');
    expectThat(!seen.has(user.entity), `roster lists ${user.entity} twice`);
    seen.add(user.entity);
    expectOneOf(user.modalities.audio, AUDIO, 'audio modality');
    expectOneOf(user.modalities.im, IM, 'im modality');
    expectThat(user.roles.every((r) => typeof r === 'string' && r !== ''), 'empty or non-string role');
    const endpoints = new Set(user.endpoints.map((e) => e.entity));
    expectThat(endpoints.size === user.endpoints.length, `endpoints of ${user.entity} repeat an entity`);
  }
}

/** What one `Roster.apply` may do, given the version before and the document's version and state. */
export function expectRosterUpdate(update: RosterUpdate, before: number | undefined, after: number | undefined, doc: { version: number; state: string }): void {
  expectOneOf(update.kind, ['applied', 'stale', 'resync'] as const, 'roster update');
  expectThat(update.resync === (update.kind === 'resync'), 'resync flag disagrees with kind');
  if (update.kind === 'applied') {
    expectThat(after === doc.version, `applied version ${doc.version} but roster is at ${after}`);
    expectThat(before === undefined || doc.version > before, `applied version ${doc.version} not above ${before}`);
  } else {
    expectThat(after === before, `${update.kind} changed the version from ${before} to ${after}`);
  }
  if (update.kind === 'stale') {
    expectThat(before !== undefined && doc.version <= before, `stale although ${doc.version} > ${before}`);
  }
}
