/**
 * Links a context-channel INVITE asks the agent to show: `simpleLink` and `installLink`.
 * @packageDocumentation
 */
import { xmlTrim } from '../xml/xml-text';

/**
 * Schemes a link may use: `https:` only.
 * @remarks Decision (protocol notes section 4 is silent on schemes). `installLink` leads the
 * agent to download and run an installer, and `simpleLink` opens a browser on data about the
 * customer; over plain `http:` anyone on the path could swap the installer or read the page, so
 * `http:` is refused along with `javascript:`, `data:`, `file:` and the rest. One rule for both
 * links keeps the check explainable. The cost: an intranet CRM still on `http:` must move to TLS.
 * @public
 */
export const LINK_SCHEMES: readonly string[] = ['https'];

// RFC 3986 §3.3 `pchar`: the alternatives start with disjoint characters, so matching is linear.
const PCHAR = "(?:[A-Za-z0-9\\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})";
// A registered name of dot-separated ASCII labels (IDNs must arrive as punycode), or an IP literal.
const HOST = '(?:[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*|\\[[0-9A-Fa-f:.]+\\])';
const AFTER_SCHEME = new RegExp(
  `^//${HOST}(?::[0-9]{1,5})?(?:/(?:${PCHAR}|/)*)?(?:\\?(?:${PCHAR}|[/?])*)?(?:#(?:${PCHAR}|[/?])*)?$`,
);

/**
 * Validates a link, returning it trimmed, or `undefined` when it must not be shown.
 * @remarks An absolute URI (RFC 3986 §4.3) whose scheme is in {@link LINK_SCHEMES} (compared
 * case-insensitively, §3.1), with a host and no user information: `https://bank.example@evil.example`
 * would show one host and open another (§7.6). Only the characters RFC 3986 allows unescaped, so
 * no white space, quotes, angle brackets or non-ASCII characters, which could break out of
 * wherever the UI puts the link.
 * @param raw - the entry value as received
 * @public
 */
export function checkLink(raw: string): string | undefined {
  const link = xmlTrim(raw);
  const colon = link.indexOf(':');
  const scheme = colon === -1 ? '' : link.slice(0, colon).toLowerCase();
  return LINK_SCHEMES.includes(scheme) && AFTER_SCHEME.test(link.slice(colon + 1)) ? link : undefined;
}
