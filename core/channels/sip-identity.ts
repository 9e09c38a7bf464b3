/**
 * Comparing the sender of a request with configured SIP identities (the channel trust list).
 * @packageDocumentation
 */

const SCHEME = /^sips?:/i;
// RFC 3261 §25.1 `hostport`, ASCII only: a name or IPv4 address, or an IPv6 reference.
const HOSTPORT = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?$/;
// `user`: printable ASCII without white space; the first '@' already ended it.
const USER = /^[\x21-\x7e]+$/;

/**
 * The address-of-record of a SIP URI, in a form that compares with `===`, or `undefined`.
 * @remarks Takes a bare URI or a name-addr (`"Name" <sip:…>`, RFC 3261 §20.20), keeps the scheme
 * (`sip:` and `sips:` are never equivalent, §19.1.4), `user@hostport`, and drops URI parameters
 * and headers, so a trust-list entry matches the sender whatever `;gruu`, `;opaque` or `;transport`
 * it carries. The whole result is lower-cased: §19.1.4 treats the user part as case-sensitive,
 * but directory identities (Lync SIP addresses) are not, and for an allow list a mismatch only
 * means refusing. Escaped octets are compared as written, for the same reason.
 * @param raw - a From URI or a trust-list entry
 * @public
 */
export function normalizeSipAor(raw: string): string | undefined {
  const uri = unwrapNameAddr(raw.trim());
  const scheme = uri === undefined ? null : SCHEME.exec(uri);
  if (uri === undefined || scheme === null) {
    return undefined;
  }
  const rest = uri.slice(scheme[0].length).toLowerCase();
  const at = rest.indexOf('@');
  const user = at === -1 ? '' : rest.slice(0, at);
  const hostport = (at === -1 ? rest : rest.slice(at + 1)).split(/[;?]/, 1)[0] ?? '';
  if (!HOSTPORT.test(hostport) || (at !== -1 && !USER.test(user))) {
    return undefined;
  }
  return `${scheme[0].toLowerCase()}${at === -1 ? '' : `${user}@`}${hostport}`;
}

function unwrapNameAddr(text: string): string | undefined {
  const open = text.lastIndexOf('<');
  if (open === -1) {
    return text;
  }
  const close = text.indexOf('>', open);
  return close === -1 ? undefined : text.slice(open + 1, close).trim();
}

/**
 * Whether `uri` names the same address-of-record as one of `list`.
 * @remarks See {@link normalizeSipAor}; unreadable entries match nothing.
 * @public
 */
export function isListedSipAor(uri: string, list: readonly string[]): boolean {
  const aor = normalizeSipAor(uri);
  return aor !== undefined && list.some((entry) => normalizeSipAor(entry) === aor);
}
