/**
 * The size caps on an incoming SIP message (core/sip/message-size.ts), checked against a plain
 * re-implementation, and what sip.js then costs on a message they let through.
 * @packageDocumentation
 */
import { Parser } from 'sip.js/lib/core/messages/parser.js';
import { checkMessageSize, MESSAGE_SIZE_CAPS, sizeRefusal, statusFor, type MessageSizeCaps, type SizeViolation } from '../../core/sip/message-size';
import { expectThat, type FuzzTarget } from '../engine';
import { textTarget } from './text-target';
import { RELAYED_INFO_HEAD } from '../seeds';

const CONTRACT = `checkMessageSize never throws and names exactly the first cap a plain split-and-unfold of the
header section breaks (start line, then the section, then the first header field, continuation lines
included), under small caps (so that mutants cross them) and under LIMITS'; a refusal is undefined or
"SIP/2.0 414|513 ..." whose every header line is a Via/From/To/Call-ID/CSeq field of the request
copied verbatim (To with a tag), a Warning of safe text or Content-Length: 0, ending at its only
empty line, never for an ACK or a response; and a message within LIMITS' caps goes through sip.js's
parser (Parser.parseMessage) within the slow-input threshold.`;

/** Caps small enough for the seeds' mutants to cross them often. */
const SMALL: MessageSizeCaps = { startLineChars: 90, headerLineChars: 70, headerSectionChars: 400 };

const SEEDS = [
  [
    ...RELAYED_INFO_HEAD,
    'Content-Type: application/json',
    'Max-Forwards: 69',
    'Content-Length: 21',
    '',
    '{"call":12,"cseq":7}\n',
  ].join('\r\n'),
  [
    'INVITE sip:agent@lab.local SIP/2.0',
    'v: SIP/2.0/WS a.invalid;branch=z9hG4bKx, SIP/2.0/UDP b;branch=z9hG4bKy',
    'f: <sip:a@b>;tag=1',
    't: "To;tag=x" <sip:agent@lab.local>',
    'i: abc',
    'CSeq: 1 INVITE',
    'Subject: a folded',
    '\tsubject line',
    'Record-Route: <sip:127.0.0.1:5066;transport=ws;r2=on;lr>, <sip:127.0.0.1;r2=on;lr>',
    'l: 0',
    '',
    '',
  ].join('\r\n'),
  'SIP/2.0 200 OK\r\nVia: SIP/2.0/WS x.invalid;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>;tag=2\r\nCall-ID: r\r\nCSeq: 2 REGISTER\r\nContact: <sip:c@d;transport=ws>;expires=600\r\nContent-Length: 0\r\n\r\n',
];

/** The cap `raw` breaks, the plain way: split the section on CRLF, glue continuation lines on. */
function plainViolation(raw: string, caps: MessageSizeCaps): Pick<SizeViolation, 'cap' | 'chars'> | undefined {
  const blank = raw.indexOf('\r\n\r\n');
  const section = blank < 0 ? raw : raw.slice(0, blank);
  const [start = '', ...lines] = section.split('\r\n');
  const fields: string[] = [];
  for (const line of lines) {
    const last = fields.length - 1;
    if (last >= 0 && (line.startsWith(' ') || line.startsWith('\t'))) {
      fields[last] = `${fields[last] ?? ''}\r\n${line}`;
    } else {
      fields.push(line);
    }
  }
  if (start.length > caps.startLineChars) {
    return { cap: 'start-line', chars: start.length };
  }
  if (section.length > caps.headerSectionChars) {
    return { cap: 'header-section', chars: section.length };
  }
  const long = fields.find((field) => field.length > caps.headerLineChars);
  return long === undefined ? undefined : { cap: 'header-line', chars: long.length };
}

const COPIED_NAMES = new Set(['via', 'v', 'from', 'f', 'to', 't', 'call-id', 'i', 'cseq']);
const SAFE_WARNING = /^Warning: 399 switchboard "[^"\\\u0000-\u001f\u007f-\u009f]*"$/;

function checkRefusal(raw: string, violation: SizeViolation, caps: MessageSizeCaps): void {
  const answer = sizeRefusal(raw, violation, 'fuzztag', caps);
  const firstLine = raw.slice(0, Math.max(0, raw.indexOf('\r\n')));
  if (answer === undefined) {
    return;
  }
  expectThat(!firstLine.startsWith('SIP/2.0 ') && !firstLine.startsWith('ACK '), `answered ${JSON.stringify(firstLine.slice(0, 40))}`);
  const { status, reason } = statusFor(violation);
  const end = answer.indexOf('\r\n\r\n');
  expectThat(end === answer.length - 4, 'the answer has an empty line before its end');
  const [head = '', ...lines] = answer.slice(0, end).split(/\r\n(?![ \t])/);
  expectThat(head === `SIP/2.0 ${status} ${reason}`, `status line ${JSON.stringify(head)}`);
  for (const line of lines) {
    const name = line.slice(0, Math.max(0, line.indexOf(':'))).trim().toLowerCase();
    const copied = COPIED_NAMES.has(name) && line.length <= caps.headerLineChars + ';tag=fuzztag'.length;
    // A field of the request: between two line ends, or its last one (a header section with no empty line).
    const inRequest = (field: string): boolean => raw.includes(`\r\n${field}\r\n`) || raw.endsWith(`\r\n${field}`);
    const fromRequest = inRequest(line) || ((name === 'to' || name === 't') && inRequest(line.slice(0, -';tag=fuzztag'.length)));
    expectThat((copied && fromRequest) || SAFE_WARNING.test(line) || line === 'Content-Length: 0', `header line ${JSON.stringify(line.slice(0, 80))}`);
    expectThat(!(name === 'to' || name === 't') || /;\s*tag\s*=/i.test(line), 'a To without a tag');
  }
}

const SILENT = { log: () => undefined, debug: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Parameters<typeof Parser.parseMessage>[1];

/** The `sip-message-size` target. */
export function sipMessageSizeTarget(): FuzzTarget<string> {
  return textTarget('sip-message-size', CONTRACT, SEEDS, (raw) => {
    for (const caps of [SMALL, MESSAGE_SIZE_CAPS]) {
      const violation = checkMessageSize(raw, caps);
      const plain = plainViolation(raw, caps);
      expectThat(violation?.cap === plain?.cap && violation?.chars === plain?.chars, `caps ${caps.startLineChars}: got ${JSON.stringify(violation)}, plainly ${JSON.stringify(plain)}`);
      if (violation !== undefined) {
        checkRefusal(raw, violation, caps);
      }
    }
    if (checkMessageSize(raw) === undefined) {
      // Timed by the engine: what the caps let through must parse within the slow threshold.
      // sip.js's parser throws on some inputs (a response's unparseable CSeq: `parsed.method`
      // of undefined); the transport's dispatch boundary contains that, so it is not ours here.
      try {
        Parser.parseMessage(raw, SILENT);
      } catch {
        // contained by WebSocketTransport's onDispatchError
      }
    }
  });
}
