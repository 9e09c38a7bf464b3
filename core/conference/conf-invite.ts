/**
 * `application/ms-conf-invite+xml`: the body of an invitation to join a conference.
 * @packageDocumentation
 */
import { toWarningText } from '../channels/warning-text';
import type { XmlElement } from '../xml/safe-xml';
import { attr, child, parseXml, textOf } from '../xml/safe-xml';
import { xmlTrim } from '../xml/xml-text';

/**
 * What an app-INVITE offers.
 * @remarks Protocol notes section 1.1. `audio` and `im` are hints only; the joiner needs
 * nothing but `focusUri`.
 * @public
 */
export type ConfInvite = {
  readonly focusUri: string;
  readonly subject: string;
  readonly audio: boolean;
  readonly im: boolean;
  /**
   * Present (true) when the invitation says audio is not available: `audio` has an `available`
   * attribute other than `true` (the [MS-SIPRE] 3.9.5.1 test). The agent then joins without
   * dialling the A/V MCU (protocol notes §1.1, open question 35). Absent when audio is offered,
   * and when the invitation does not say (no `audio` element, or one without `available`, as
   * older servers send): the agent dials the MCU as it always did.
   */
  readonly audioUnavailable?: true;
};

/**
 * Outcome of {@link parseConfInvite}. On failure, answer `status` with a `Warning` header whose
 * quoted text is `warning`, e.g. `Warning: 399 switchboard "missing focus-uri"`.
 * @remarks RFC 3261 §20.43: `warning` is already safe inside a quoted-string (no `"` or `\`,
 * no control characters) and never echoes the sender's URI back.
 * @public
 */
export type ConfInviteResult =
  | { readonly ok: true; readonly invite: ConfInvite }
  | { readonly ok: false; readonly status: 400; readonly warning: string };

/** Outcome of {@link parseFocusUri}. @public */
export type FocusUriResult = { readonly ok: true; readonly uri: string } | { readonly ok: false; readonly reason: string };

/**
 * Root element of an app-INVITE body (protocol notes 1.1).
 * @public
 */
export const CONF_INVITE_ROOT = 'Conferencing';

/**
 * Parses an app-INVITE body tolerantly.
 * @remarks There is no published schema (protocol notes open question 1), so: the root is
 * `Conferencing` in any namespace or none; children are matched by local name in any namespace;
 * unknown elements are ignored. Only a missing or unusable `focus-uri` (see
 * {@link parseFocusUri}) or unreadable XML fails, with 400 as the notes recommend.
 * `audio` is offered only by `audio/@available="true"` (case-insensitive), the exact test
 * [MS-SIPRE] 3.9.5.1 applies for an "audio app-invite". `im` is offered by
 * `im/@available="true"`, and also by an `im` element without `available`: pidgin-sipe always
 * sends `im available="true"` and joins the IM conference regardless, so an `im` element is read
 * as an offer unless it says `false`. Any other value (`yes`, `1`) means not offered.
 * `audioUnavailable` tells "says audio is not available" apart from "says nothing about audio".
 * @param body - the INVITE body
 * @public
 */
export function parseConfInvite(body: string): ConfInviteResult {
  const xml = parseXml(body);
  if (!xml.ok) {
    return fail(`unreadable conference invitation (${xml.rule}): ${xml.message}`);
  }
  const root = xml.root;
  if (root.name !== CONF_INVITE_ROOT) {
    return fail(`root element is ${root.name}, expected ${CONF_INVITE_ROOT}`);
  }
  const rawFocus = textOf(root, 'focus-uri');
  if (rawFocus === undefined || xmlTrim(rawFocus) === '') {
    return fail('missing focus-uri');
  }
  const focus = parseFocusUri(rawFocus);
  if (!focus.ok) {
    return fail(focus.reason);
  }
  const audio = readAvailable(root, 'audio');
  return {
    ok: true,
    invite: {
      focusUri: focus.uri,
      subject: xmlTrim(textOf(root, 'subject') ?? ''),
      audio: audio === true,
      im: readAvailable(root, 'im') ?? child(root, 'im') !== undefined,
      ...(audio === false && { audioUnavailable: true }),
    },
  };
}

/** `true`/`false` from `available`, or `undefined` when the element or attribute is absent. */
function readAvailable(root: XmlElement, name: string): boolean | undefined {
  const el = child(root, name);
  const value = el === undefined ? undefined : attr(el, 'available');
  return value === undefined ? undefined : xmlTrim(value).toLowerCase() === 'true';
}

function fail(warning: string): ConfInviteResult {
  // The channel warnings' sanitiser: it also replaces the lone surrogates fast-xml-parser puts in
  // its messages when it quotes half of an astral character, and cuts on a code point boundary.
  return { ok: false, status: 400, warning: toWarningText(warning) };
}

/**
 * Validates and normalises a conference focus URI.
 * @remarks Follows pidgin-sipe's `parse_ocs_focus_uri` (protocol notes 1.1): trims it, drops
 * everything from `?` (a join URL's conference key), requires the `sip:` scheme (checked
 * case-insensitively, written lower-case; `sips:`, `tel:`, `http:` are refused) and refuses `%`.
 * Refusing `%` costs nothing real, since server-issued focus URIs are an AOR plus an
 * alphanumeric conference id ([MS-SIPRE] 2.2.3), and it keeps escaped octets from smuggling
 * separators past later URI handling. Characters outside printable ASCII, and `<`, `>`, `"`,
 * `\`, are refused: a SIP URI carries them only %-escaped (RFC 3261 §25.1).
 * @param raw - the `focus-uri` text or a URI from a join link
 * @public
 */
export function parseFocusUri(raw: string): FocusUriResult {
  const trimmed = xmlTrim(raw);
  const query = trimmed.indexOf('?');
  const uri = query === -1 ? trimmed : trimmed.slice(0, query);
  if (!/^sip:/i.test(uri)) {
    return { ok: false, reason: 'focus-uri is not a sip: URI' };
  }
  const rest = uri.slice('sip:'.length);
  if (rest === '') {
    return { ok: false, reason: 'focus-uri has no address' };
  }
  if (rest.includes('%')) {
    return { ok: false, reason: "focus-uri contains '%'" };
  }
  if (!/^[\x21-\x7e]+$/.test(rest) || /[<>"\\]/.test(rest)) {
    return { ok: false, reason: 'focus-uri contains characters not allowed in a SIP URI' };
  }
  return { ok: true, uri: `sip:${rest}` };
}
