import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { summarizeSipMessage, type MessageSummary } from './message-summary';

/** The summary as first written (split every line, trim and lower-case every name): the reference. */
function reference(raw: string): MessageSummary {
  const names: Record<string, 'callId' | 'cseq' | 'from' | 'to' | 'contentType'> = {
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
  const tagOf = (value: string | undefined): string | undefined => (value ? /;\s*tag=([^;>\s]+)/i.exec(value)?.[1] : undefined);
  const headerEnd = raw.indexOf('\r\n\r\n');
  const lines = (headerEnd === -1 ? raw : raw.slice(0, headerEnd)).split(/\r\n/);
  const startLine = lines[0] ?? '';
  const found: Partial<Record<string, string>> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const key = colon <= 0 ? undefined : names[line.slice(0, colon).trim().toLowerCase()];
    if (key && found[key] === undefined) {
      found[key] = line.slice(colon + 1).trim();
    }
  }
  const cseq = found['cseq'] ?? '';
  const isResponse = startLine.startsWith('SIP/2.0 ');
  const status = isResponse ? Number.parseInt(startLine.slice(8, 11), 10) : undefined;
  return {
    startLine,
    method: isResponse ? (cseq.split(/\s+/)[1] ?? '') : (startLine.split(' ')[0] ?? ''),
    status: Number.isNaN(status) ? undefined : status,
    callId: found['callId'] ?? '',
    cseq,
    fromTag: tagOf(found['from']),
    toTag: tagOf(found['to']),
    contentType: found['contentType'],
  };
}

const LINES = [
  'INFO sip:agent@127.0.0.1:40001;transport=ws SIP/2.0',
  'SIP/2.0 200 OK',
  'Via: SIP/2.0/WS 127.0.0.1:5066;branch=z9hG4bK1',
  'From: <sip:a@h>;tag=1',
  'f: <sip:b@h>;tag=2',
  ' From : <sip:c@h>;tag=3',
  '\u00a0to:<sip:d@h>;tag=4',
  'To: <sip:e@h>',
  'TO: <sip:e@h>;tag=5',
  'Call-ID: 12@h',
  'i: 13@h',
  'CSeq: 7 INFO',
  'cseq: 8 BYE',
  'Content-Type: application/json',
  'c: text/plain',
  'Contact: <sip:x@y>',
  'Max-Forwards: 70',
  ':no name',
  'Tx: 1',
  '\tfolded',
  '',
];

describe('summarizeSipMessage, as fast as the trace needs', () => {
  it('reads what the straightforward version reads, on any mix of lines', () => {
    const line = fc.oneof(fc.constantFrom(...LINES), fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 12 }));
    const message = fc
      .tuple(fc.array(line, { maxLength: 14 }), fc.constantFrom('', '\r\n', '\r\n\r\n'), fc.string({ maxLength: 8 }))
      .map(([lines, end, body]) => lines.join('\r\n') + end + body);
    fc.assert(
      fc.property(message, (raw) => {
        expect(summarizeSipMessage(raw)).toStrictEqual(reference(raw));
      }),
      { numRuns: 5000 },
    );
  });
});
