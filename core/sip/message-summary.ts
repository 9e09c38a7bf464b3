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

const HEADER_NAMES: Readonly<Record<string, 'callId' | 'cseq' | 'from' | 'to' | 'contentType'>> = {
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

/** Summarises a raw SIP message (RFC 3261 §7); unknown shapes give empty fields, never throw. */
export function summarizeSipMessage(raw: string): MessageSummary {
  const headerEnd = raw.indexOf('\r\n\r\n');
  const head = headerEnd === -1 ? raw : raw.slice(0, headerEnd);
  const lines = head.split(/\r\n/);
  const startLine = lines[0] ?? '';
  const found: Partial<Record<'callId' | 'cseq' | 'from' | 'to' | 'contentType', string>> = {};
  for (let i = 1; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    const colon = line.indexOf(':');
    if (colon <= 0) {
      continue;
    }
    const key = HEADER_NAMES[line.slice(0, colon).trim().toLowerCase()];
    if (key && found[key] === undefined) {
      found[key] = line.slice(colon + 1).trim();
    }
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
