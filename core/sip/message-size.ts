import { LIMITS } from '../agent/limits';
import { warningHeader } from '../channels/warning-text';

/**
 * Caps on the start line and header section of an incoming SIP message, checked on the raw
 * text before sip.js parses it, and the stateless answer to a request that breaks them.
 *
 * @remarks
 * sip.js parses the start line and about a dozen headers with a generated PEG interpreter at
 * a few microseconds per character: an 18 KB first line cost about 40 ms (found by the
 * `sip-grammar-memo` fuzz target), so a peer could buy a core with a few large messages a
 * second. The frame cap of the socket (1 MiB) is far above that. These caps are checked in one
 * pass of `indexOf` over the header section, before any grammar runs; the body is not looked at
 * (its own caps apply where it is read, e.g. {@link LIMITS}.infoBodyChars).
 *
 * The answer follows RFC 3261: 414 Request-URI Too Long (§21.4.12) when the request line is
 * over its cap (the Request-URI is what makes it long), 513 Message Too Large (§21.5.7: "the
 * message length exceeded its capabilities") when a header field or the whole header section
 * is; built without a parser as §8.2.6.2 asks (Via, From, To with a tag, Call-ID and CSeq
 * copied), and sent statelessly (§8.2.7). A response over the caps, an ACK (§17.1.1.3: never
 * answered) or a request whose Via, From, To, Call-ID or CSeq cannot be copied within the
 * caps gets no answer: it is dropped, and logged either way.
 * @packageDocumentation
 */

/** The caps, in UTF-16 code units of the text as the socket delivered it. */
export type MessageSizeCaps = {
  readonly startLineChars: number;
  readonly headerLineChars: number;
  readonly headerSectionChars: number;
};

/** The caps from {@link LIMITS}. */
export const MESSAGE_SIZE_CAPS: MessageSizeCaps = {
  startLineChars: LIMITS.sipStartLineChars,
  headerLineChars: LIMITS.sipHeaderLineChars,
  headerSectionChars: LIMITS.sipHeaderSectionChars,
};

/** Which cap a message broke, with the offending length, for the log line and the Warning. */
export type SizeViolation = {
  readonly cap: 'start-line' | 'header-line' | 'header-section';
  readonly chars: number;
  readonly limit: number;
  /** The header's name for `header-line`, at most 32 characters. */
  readonly header?: string;
};

/**
 * The first cap `raw` breaks, or undefined when it is within all of them.
 * @remarks A header field folded over several lines (RFC 3261 §7.3.1: a continuation starts
 * with a space or tab) counts as one, as sip.js reads it. Without the empty line that ends the
 * headers, the whole message counts as the header section. Linear in the header section.
 */
export function checkMessageSize(raw: string, caps: MessageSizeCaps = MESSAGE_SIZE_CAPS): SizeViolation | undefined {
  const blank = raw.indexOf('\r\n\r\n');
  const sectionEnd = blank < 0 ? raw.length : blank;
  const firstEnd = raw.indexOf('\r\n');
  const startLine = firstEnd < 0 || firstEnd > sectionEnd ? sectionEnd : firstEnd;
  if (startLine > caps.startLineChars) {
    return { cap: 'start-line', chars: startLine, limit: caps.startLineChars };
  }
  if (sectionEnd > caps.headerSectionChars) {
    return { cap: 'header-section', chars: sectionEnd, limit: caps.headerSectionChars };
  }
  let start = startLine + 2;
  while (start < sectionEnd) {
    const end = fieldEnd(raw, start, sectionEnd);
    if (end - start > caps.headerLineChars) {
      return { cap: 'header-line', chars: end - start, limit: caps.headerLineChars, header: raw.slice(start, Math.min(start + 32, raw.indexOf(':', start) >>> 0)) };
    }
    start = end + 2;
  }
  return undefined;
}

/** End (the CRLF's index) of the header field starting at `start`, continuation lines included. */
function fieldEnd(raw: string, start: number, sectionEnd: number): number {
  let end = raw.indexOf('\r\n', start);
  while (end >= 0 && end < sectionEnd && (raw[end + 2] === ' ' || raw[end + 2] === '\t')) {
    end = raw.indexOf('\r\n', end + 2);
  }
  return end < 0 || end > sectionEnd ? sectionEnd : end;
}

/** The status and reason phrase for a request that broke `violation`. */
export function statusFor(violation: SizeViolation): { readonly status: 414 | 513; readonly reason: string } {
  return violation.cap === 'start-line' ? { status: 414, reason: 'Request-URI Too Long' } : { status: 513, reason: 'Message Too Large' };
}

/** What the Warning and the log line say about `violation`. */
export function describeViolation(violation: SizeViolation): string {
  const what = violation.cap === 'start-line' ? 'request line' : violation.cap === 'header-section' ? 'header section' : `header field ${violation.header ?? ''}`.trimEnd();
  return `${what} of ${violation.chars} characters, over the ${violation.limit} this agent reads`;
}

/** Header names copied into the answer (long and compact forms, RFC 3261 §7.3.3). */
const COPIED: Readonly<Record<string, 'via' | 'from' | 'to' | 'call-id' | 'cseq'>> = {
  via: 'via',
  v: 'via',
  from: 'from',
  f: 'from',
  to: 'to',
  t: 'to',
  'call-id': 'call-id',
  i: 'call-id',
  cseq: 'cseq',
};

/** A request line: method, a space, a URI without spaces, ` SIP/2.0`. */
const REQUEST_LINE = /^([A-Za-z0-9.!%*_+`'~-]+) [^ \r\n]+ SIP\/2\.0$/;

/** A tag parameter in a To value, outside any quoted display name or angle brackets. */
const TO_TAG = /;\s*tag\s*=/i;

/**
 * The stateless answer to the request `raw` that broke `violation`, or undefined when it gets
 * none: not a request (a response, or no request line), an ACK, or one of Via, From, To,
 * Call-ID, CSeq missing, repeated (but Via) or itself over the header line cap.
 * @param toTag the To tag to add when the request has none (RFC 3261 §8.2.6.2)
 */
export function sizeRefusal(raw: string, violation: SizeViolation, toTag: string, caps: MessageSizeCaps = MESSAGE_SIZE_CAPS): string | undefined {
  const firstEnd = raw.indexOf('\r\n');
  if (firstEnd < 0) {
    return undefined;
  }
  // Anchored, and each part a run of one character class: linear even over a 1 MiB line.
  const method = REQUEST_LINE.exec(raw.slice(0, firstEnd))?.[1];
  if (method === undefined || method === 'ACK') {
    return undefined;
  }
  const fields = copiedFields(raw, firstEnd + 2, caps);
  if (fields === undefined) {
    return undefined;
  }
  const to = fields.to[0] ?? '';
  const { status, reason } = statusFor(violation);
  return [
    `SIP/2.0 ${status} ${reason}`,
    ...fields.via,
    fields.from[0] ?? '',
    TO_TAG.test(to.slice(to.lastIndexOf('>') + 1)) ? to : `${to};tag=${toTag}`,
    fields['call-id'][0] ?? '',
    fields.cseq[0] ?? '',
    warningHeader(describeViolation(violation)),
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

type CopiedFields = Record<'via' | 'from' | 'to' | 'call-id' | 'cseq', string[]>;

/** Via, From, To, Call-ID and CSeq of the header section from `start`, each field unfolded as it came. */
function copiedFields(raw: string, start: number, caps: MessageSizeCaps): CopiedFields | undefined {
  const fields: CopiedFields = { via: [], from: [], to: [], 'call-id': [], cseq: [] };
  const blank = raw.indexOf('\r\n\r\n');
  const sectionEnd = blank < 0 ? raw.length : blank;
  let at = start;
  while (at < sectionEnd) {
    const end = fieldEnd(raw, at, sectionEnd);
    const colon = raw.indexOf(':', at);
    const name = colon < 0 || colon > end || colon - at > 32 ? undefined : COPIED[raw.slice(at, colon).trim().toLowerCase()];
    if (name !== undefined) {
      if (end - at > caps.headerLineChars) {
        return undefined;
      }
      fields[name].push(raw.slice(at, end));
    }
    at = end + 2;
  }
  const single = (['from', 'to', 'call-id', 'cseq'] as const).every((name) => fields[name].length === 1);
  return single && fields.via.length > 0 ? fields : undefined;
}
