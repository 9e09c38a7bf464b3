/**
 * What the trace needs of a SIP message, read without a full parse.
 * @remarks The sip.js parser is most of the CPU per message (lab-notes: ~65%), so the trace
 * scans only the start line and the few headers it shows, in one pass over the header block.
 * Compact header forms (RFC 3261 §7.3.3: `i` for Call-ID, `f`, `t`) are recognised.
 * @public
 */
export type MessageSummary = {
  /** `INVITE sip:x SIP/2.0` or `SIP/2.0 200 OK`. */
  readonly startLine: string;
  /** Request method, or the CSeq method for a response. */
  readonly method: string;
  /** Response status code; undefined for requests. */
  readonly status: number | undefined;
  readonly callId: string;
  readonly cseq: string;
  readonly fromTag: string | undefined;
  readonly toTag: string | undefined;
  readonly contentType: string | undefined;
};

type SummaryHeader = 'callId' | 'cseq' | 'from' | 'to' | 'contentType';

const HEADER_NAMES: Readonly<Record<string, SummaryHeader>> = {
  'call-id': 'callId',
  i: 'callId',
  cseq: 'cseq',
  from: 'from',
  f: 'from',
  to: 'to',
  t: 'to',
  'content-type': 'contentType',
  c: 'contentType',
};

function tagOf(value: string | undefined): string | undefined {
  if (!value) {
    return undefined;
  }
  const match = /;\s*tag=([^;>\s]+)/i.exec(value);
  return match?.[1];
}

/** Lower-case first letters of the names in {@link HEADER_NAMES}. */
const FIRST_LETTERS = new Set(['c', 'f', 't', 'i'].map((letter) => letter.charCodeAt(0)));

/**
 * Whether a header line cannot be one the summary reads, known from its first character: an
 * ASCII letter (never trimmed away) that starts none of the names. Most lines of a message
 * (Via, Max-Forwards, Record-Route, Route, Supported...) end here without a slice or a
 * lower-casing, which were the trace's cost per message in the channel-info profile.
 */
function cannotMatch(head: string, at: number): boolean {
  const code = head.charCodeAt(at) | 0x20;
  return code >= 0x61 && code <= 0x7a && !FIRST_LETTERS.has(code);
}

/** Summarises a raw SIP message (RFC 3261 §7); unknown shapes give empty fields, never throw. */
export function summarizeSipMessage(raw: string): MessageSummary {
  const headerEnd = raw.indexOf('\r\n\r\n');
  const head = headerEnd === -1 ? raw : raw.slice(0, headerEnd);
  const firstEnd = head.indexOf('\r\n');
  const startLine = firstEnd === -1 ? head : head.slice(0, firstEnd);
  const found: Partial<Record<SummaryHeader, string>> = {};
  let missing = 5;
  for (let at = firstEnd === -1 ? head.length : firstEnd + 2; at < head.length && missing > 0; ) {
    const next = head.indexOf('\r\n', at);
    const end = next === -1 ? head.length : next;
    if (!cannotMatch(head, at)) {
      const line = head.slice(at, end);
      const colon = line.indexOf(':');
      const key = colon <= 0 ? undefined : HEADER_NAMES[line.slice(0, colon).trim().toLowerCase()];
      if (key && found[key] === undefined) {
        found[key] = line.slice(colon + 1).trim();
        missing -= 1;
      }
    }
    at = end + 2;
  }
  const cseq = found.cseq ?? '';
  const isResponse = startLine.startsWith('SIP/2.0 ');
  const status = isResponse ? Number.parseInt(startLine.slice(8, 11), 10) : undefined;
  const method = isResponse ? (cseq.split(/\s+/)[1] ?? '') : (startLine.split(' ')[0] ?? '');
  return {
    startLine,
    method,
    status: Number.isNaN(status) ? undefined : status,
    callId: found.callId ?? '',
    cseq,
    fromTag: tagOf(found.from),
    toTag: tagOf(found.to),
    contentType: found.contentType,
  };
}
