/**
 * The wire pieces of call transfer: the `Replaces` header (RFC 3891) and the `message/sipfrag`
 * bodies of a REFER's NOTIFYs (RFC 3515 §2.4.5, RFC 3420).
 * @packageDocumentation
 */

/** Content type of a REFER progress body (RFC 3515 §2.4.5). @public */
export const MIME_SIPFRAG = 'message/sipfrag';

/** A dialog as a `Replaces` header names it (RFC 3891 §6.1). @public */
export type ReplacesTarget = { readonly callId: string; readonly toTag: string; readonly fromTag: string; readonly earlyOnly: boolean };

/**
 * Reads a `Replaces` header value: `call-id;to-tag=…;from-tag=…[;early-only]`.
 * @returns undefined when a part is missing or the value is absurdly long
 * @public
 */
export function parseReplaces(value: string | undefined): ReplacesTarget | undefined {
  if (value === undefined || value.length > 1024) {
    return undefined;
  }
  const [callId, ...params] = value.split(';').map((part) => part.trim());
  const read = (name: string): string | undefined =>
    params
      .find((p) => p.toLowerCase().startsWith(`${name}=`))
      ?.slice(name.length + 1)
      .trim();
  const toTag = read('to-tag');
  const fromTag = read('from-tag');
  if (!callId || !toTag || !fromTag) {
    return undefined;
  }
  return { callId, toTag, fromTag, earlyOnly: params.some((p) => p.toLowerCase() === 'early-only') };
}

/**
 * The `Refer-To` URI of a consultative transfer (RFC 5589 §7): the target's URI with the dialog
 * we hold with it as an escaped `Replaces` header, where `to-tag` is the target's tag (our
 * remote tag) and `from-tag` ours, as the target compares them with its local and remote tags
 * (RFC 3891 §3).
 * @public
 */
export function referToWithReplaces(target: string, dialog: { readonly callId: string; readonly localTag: string; readonly remoteTag: string }): string {
  const replaces = `${dialog.callId};to-tag=${dialog.remoteTag};from-tag=${dialog.localTag}`;
  return `${target}?Replaces=${encodeURIComponent(replaces)}`;
}

/**
 * The status line of a sipfrag body (`SIP/2.0 200 OK`): the status code, or undefined when the
 * body does not start with one.
 * @public
 */
export function sipfragStatus(body: string): number | undefined {
  const match = /^SIP\/2\.0[ \t]+([1-9]\d\d)\b/.exec(body.trimStart());
  return match ? Number(match[1]) : undefined;
}

/**
 * Splits a `Refer-To` value into the URI to call and the `Replaces` it carries, if any
 * (RFC 3515 §2.1; RFC 3891 §3 for the escaped header).
 * @public
 */
export function readReferTo(value: string): { readonly uri: string; readonly replaces?: string } | undefined {
  if (value.length > 2048) {
    return undefined;
  }
  // indexOf, not a regular expression: `<<<<…` would make /<([^>]*)>/ quadratic (found by fuzzing).
  const open = value.indexOf('<');
  const close = open < 0 ? -1 : value.indexOf('>', open + 1);
  const inner = open >= 0 && close > open ? value.slice(open + 1, close) : value.trim();
  const [uri, headers] = inner.split('?', 2);
  if (!uri || !/^sips?:/i.test(uri)) {
    return undefined;
  }
  const escaped = headers
    ?.split('&')
    .find((h) => h.toLowerCase().startsWith('replaces='))
    ?.slice('replaces='.length);
  if (escaped === undefined) {
    return { uri };
  }
  const replaces = unescape(escaped);
  return replaces === undefined ? undefined : { uri, replaces };
}

/** RFC 3986 §2.1 percent-decoding; undefined for a malformed escape (the peer's error, not ours to throw on). */
function unescape(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
