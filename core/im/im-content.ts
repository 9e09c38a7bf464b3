/**
 * The bodies of instant messages: what we accept, and how we turn them into text to show.
 * @packageDocumentation
 */
import { mediaTypeOf } from '../sip/invite-router';

/**
 * The body types we render, in the order we advertise them in `a=accept-types`.
 * @remarks Open question 20, decided: plain text, HTML (shown as sanitized text) and
 * `multipart/alternative` (from which we take the plain or HTML part), plus Lync's delivery
 * reports; not `text/rtf` (no RTF reader), never `text/x-msmsgsinvite`.
 * `application/im-iscomposing+xml` is listed because we read RFC 3994 typing notices.
 * @public
 */
export const IM_ACCEPT_TYPES = ['text/plain', 'text/html', 'multipart/alternative', 'application/ms-imdn+xml', 'application/im-iscomposing+xml'] as const;

/** Longest text we keep of one message, in UTF-16 code units; the rest is cut with a mark. @public */
export const MAX_IM_TEXT_CHARS = 16_384;

/**
 * A received message turned into text, or why it cannot be shown.
 * @public
 */
export type ImTextResult =
  | { readonly ok: true; readonly text: string; readonly contentType: 'text/plain' | 'text/html' }
  | { readonly ok: false; readonly status: 415; readonly reason: string };

/**
 * Turns a message body into the text we show.
 * @remarks im-presence §1.4 and §2.3: `text/plain` as it is; `text/html` as sanitized text (no
 * markup survives: open question 20); `multipart/alternative` (RFC 2046 §5.1.4), whose plain
 * part we prefer, as the sender's own words, then its HTML part. Anything else gets 415
 * (RFC 3428 §7), with `Accept` listing {@link IM_ACCEPT_TYPES}.
 * @param contentType - the Content-Type header, parameters included
 * @public
 */
export function imTextOf(contentType: string, body: string): ImTextResult {
  const type = mediaTypeOf(contentType);
  if (type === 'text/plain') {
    return { ok: true, text: cap(body), contentType: 'text/plain' };
  }
  if (type === 'text/html') {
    return { ok: true, text: cap(htmlToText(body)), contentType: 'text/html' };
  }
  if (type === 'multipart/alternative') {
    const boundary = parameter(contentType, 'boundary');
    const parts = boundary === undefined ? [] : multipartParts(body, boundary);
    const chosen = parts.find((p) => mediaTypeOf(p.contentType) === 'text/plain') ?? parts.find((p) => mediaTypeOf(p.contentType) === 'text/html');
    if (chosen) {
      return imTextOf(chosen.contentType, chosen.body);
    }
    return { ok: false, status: 415, reason: 'multipart/alternative without a text/plain or text/html part' };
  }
  return { ok: false, status: 415, reason: `cannot show ${type === '' ? 'a message without a content type' : type}` };
}

/** One parameter of a Content-Type value (RFC 2045 §5.1), unquoted. @public */
export function parameter(contentType: string, name: string): string | undefined {
  for (const piece of contentType.split(';').slice(1)) {
    const eq = piece.indexOf('=');
    if (eq > 0 && piece.slice(0, eq).trim().toLowerCase() === name) {
      const value = piece.slice(eq + 1).trim();
      return value.startsWith('"') && value.endsWith('"') && value.length >= 2 ? value.slice(1, -1) : value;
    }
  }
  return undefined;
}

/** The parts of a multipart body (RFC 2046 §5.1.1), each with its Content-Type (default text/plain). */
function multipartParts(body: string, boundary: string): { contentType: string; body: string }[] {
  const delimiter = `--${boundary}`;
  const pieces = body.split(delimiter).slice(1, 33);
  const parts: { contentType: string; body: string }[] = [];
  for (const piece of pieces) {
    if (piece.startsWith('--')) {
      break;
    }
    const text = piece.replace(/^\r?\n/, '');
    const split = /\r?\n\r?\n/.exec(text);
    const head = split ? text.slice(0, split.index) : '';
    const content = split ? text.slice(split.index + split[0].length) : text;
    const typeLine = head.split(/\r?\n/).find((line) => /^content-type\s*:/i.test(line));
    parts.push({ contentType: typeLine ? typeLine.slice(typeLine.indexOf(':') + 1).trim() : 'text/plain', body: content.replace(/\r?\n$/, '') });
  }
  return parts;
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/**
 * HTML as plain text: scripts and styles dropped with their content, line breaks kept, every
 * tag removed, character references decoded; a link shows as its text.
 * @remarks Open question 20: HTML is never rendered, so nothing in it can run or load; the
 * result is text that the window escapes like any other.
 * @public
 */
export function htmlToText(html: string): string {
  // One pass with indexOf, no backtracking regular expression: a peer's `<<<<…` of 64 KB must
  // cost linear time, not quadratic.
  const lower = html.toLowerCase();
  let out = '';
  let at = 0;
  while (at < html.length) {
    const open = html.indexOf('<', at);
    if (open === -1) {
      out += html.slice(at);
      break;
    }
    out += html.slice(at, open);
    at = skipMarkup(html, lower, open, (text) => (out += text));
  }
  const decoded = decodeReferences(out);
  const lines = decoded.split('\n').map((line) => line.trimEnd());
  return lines.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

/** Skips the markup at `open` (a tag, a comment, or a script or style element with its content); returns where text resumes. */
function skipMarkup(html: string, lower: string, open: number, emit: (text: string) => void): number {
  if (lower.startsWith('<!--', open)) {
    const close = html.indexOf('-->', open + 4);
    return close === -1 ? html.length : close + 3;
  }
  const close = html.indexOf('>', open + 1);
  if (close === -1) {
    return html.length;
  }
  const name = /^<\/?\s*([a-z0-9]+)/.exec(lower.slice(open, Math.min(close, open + 32)))?.[1] ?? '';
  const closing = lower.charAt(open + 1) === '/';
  if (!closing && (name === 'script' || name === 'style')) {
    const end = lower.indexOf(`</${name}`, close + 1);
    const endClose = end === -1 ? -1 : html.indexOf('>', end);
    return endClose === -1 ? html.length : endClose + 1;
  }
  if (name === 'br' || (closing && BLOCKS.has(name))) {
    emit('\n');
  }
  return close + 1;
}

const BLOCKS = new Set(['p', 'div', 'li', 'tr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6']);

function decodeReferences(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,6});/gi, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : '\ufffd';
    }
    return NAMED_ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

function cap(text: string): string {
  return text.length <= MAX_IM_TEXT_CHARS ? text : `${text.slice(0, MAX_IM_TEXT_CHARS)}… [message cut at ${MAX_IM_TEXT_CHARS} characters]`;
}
