/**
 * The quoted text of a SIP `Warning` header, made safe from whatever went into it.
 * @packageDocumentation
 */

/**
 * Longest warning text we produce, in code points.
 * @remarks Long enough for "application <50-character name> (<38-character GUID>) is not
 * installed"; short enough that no input can bloat a response header.
 * @public
 */
export const MAX_WARNING_TEXT = 120;

/**
 * Makes text safe as the `warn-text` of a `Warning` header (`Warning: 399 host "text"`).
 * @remarks RFC 3261 §20.43 and §25.1: `warn-text` is a `quoted-string`, in which `"` and `\`
 * would need escaping and control characters are not allowed; they become `'` and a space, so
 * text from a sender (an application name) can never close the quotes or break the header line.
 * Capped at {@link MAX_WARNING_TEXT} code points, cut on a code point boundary.
 * @public
 */
export function toWarningText(text: string): string {
  const chars = Array.from(text, (ch) => (ch === '"' || ch === '\\' ? "'" : isControl(ch) ? ' ' : ch));
  return chars.length > MAX_WARNING_TEXT ? `${chars.slice(0, MAX_WARNING_TEXT - 3).join('')}...` : chars.join('');
}

function isControl(ch: string): boolean {
  const code = ch.codePointAt(0) ?? 0;
  // C0, DEL and C1; also lone surrogates, which cannot be encoded as UTF-8 on the wire.
  return code < 0x20 || (code >= 0x7f && code <= 0x9f) || (code >= 0xd800 && code <= 0xdfff);
}

/**
 * A `Warning` header (RFC 3261 §20.43) with code 399 and agent `switchboard`, its text made safe
 * by {@link toWarningText}.
 * @public
 */
export function warningHeader(text: string): string {
  return `Warning: 399 switchboard "${toWarningText(text)}"`;
}
