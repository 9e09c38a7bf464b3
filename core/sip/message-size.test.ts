import { Grammar } from 'sip.js';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../agent/limits';
import { checkMessageSize, MESSAGE_SIZE_CAPS, sizeRefusal, type MessageSizeCaps } from './message-size';

const CAPS: MessageSizeCaps = { startLineChars: 100, headerLineChars: 80, headerSectionChars: 400 };

const info = (ruri = 'sip:agent@127.0.0.1;transport=ws', extra: readonly string[] = []): string =>
  [
    `INFO ${ruri} SIP/2.0`,
    'Via: SIP/2.0/WS 127.0.0.1:5066;branch=z9hG4bK1.0',
    'v: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-2',
    'From: <sip:sipp1@lab.local>;tag=abc',
    't: <sip:agent@lab.local>',
    'Call-ID: 12@127.0.0.1',
    'CSeq: 7 INFO',
    ...extra,
    'Content-Length: 2',
    '',
    'hi',
  ].join('\r\n');

describe('checkMessageSize', () => {
  it('lets a message within every cap through, its body not counted', () => {
    expect(checkMessageSize(info(), CAPS)).toBeUndefined();
    expect(checkMessageSize(`${info()}${'x'.repeat(10_000)}`, CAPS)).toBeUndefined();
  });

  it('names the request line over its cap', () => {
    const raw = info(`sip:${'a'.repeat(120)}@h`);
    expect(checkMessageSize(raw, CAPS)).toEqual({ cap: 'start-line', chars: raw.indexOf('\r\n'), limit: 100 });
  });

  it('names a header field over its cap, its folded lines counted together (RFC 3261 §7.3.1)', () => {
    expect(checkMessageSize(info(undefined, [`X-Long: ${'b'.repeat(80)}`]), CAPS)).toMatchObject({ cap: 'header-line', chars: 88, header: 'X-Long' });
    const folded = info(undefined, [`Subject: ${'c'.repeat(40)}`, ` ${'d'.repeat(40)}`]);
    expect(checkMessageSize(folded, CAPS)).toMatchObject({ cap: 'header-line', chars: 9 + 40 + 2 + 41, header: 'Subject' });
  });

  it('names the header section over its cap, also when the empty line never comes', () => {
    const many = Array.from({ length: 6 }, (_, i) => `X-${i}: ${'e'.repeat(60)}`);
    expect(checkMessageSize(info(undefined, many), CAPS)).toMatchObject({ cap: 'header-section', limit: 400 });
    expect(checkMessageSize(`INFO sip:a@b SIP/2.0\r\n${'X: y\r\n'.repeat(100)}`, CAPS)).toMatchObject({ cap: 'header-section' });
  });

  it('uses the caps of LIMITS by default', () => {
    expect(MESSAGE_SIZE_CAPS).toEqual({ startLineChars: LIMITS.sipStartLineChars, headerLineChars: LIMITS.sipHeaderLineChars, headerSectionChars: LIMITS.sipHeaderSectionChars });
    expect(checkMessageSize(info(`sip:${'a'.repeat(18_000)}@h`))).toMatchObject({ cap: 'start-line', chars: 'INFO sip:@h SIP/2.0'.length + 18_000 });
  });
});

describe('sizeRefusal', () => {
  it('answers 414 to a long request line with Via, From, To (tagged), Call-ID and CSeq copied, parseable by sip.js', () => {
    const raw = info(`sip:${'a'.repeat(120)}@h`);
    const violation = checkMessageSize(raw, CAPS);
    const answer = violation && sizeRefusal(raw, violation, 'tag1', CAPS);
    expect(answer?.split('\r\n')).toEqual([
      'SIP/2.0 414 Request-URI Too Long',
      'Via: SIP/2.0/WS 127.0.0.1:5066;branch=z9hG4bK1.0',
      'v: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-2',
      'From: <sip:sipp1@lab.local>;tag=abc',
      't: <sip:agent@lab.local>;tag=tag1',
      'Call-ID: 12@127.0.0.1',
      'CSeq: 7 INFO',
      `Warning: 399 switchboard "request line of ${raw.indexOf('\r\n')} characters, over the 100 this agent reads"`,
      'Content-Length: 0',
      '',
      '',
    ]);
    expect(Grammar.parse(answer?.split('\r\n')[0] ?? '', 'Request_Response')).toMatchObject({ status_code: 414 });
  });

  it('answers 513 to a long header and keeps a To tag the request had', () => {
    const raw = info(undefined, [`X-Long: ${'b'.repeat(80)}`]).replace('t: <sip:agent@lab.local>', 'To: "A;tag=no" <sip:agent@lab.local>;tag=xyz');
    const violation = checkMessageSize(raw, CAPS);
    const answer = violation && sizeRefusal(raw, violation, 'tag1', CAPS);
    expect(answer).toMatch(/^SIP\/2\.0 513 Message Too Large\r\n/);
    expect(answer).toContain('\r\nTo: "A;tag=no" <sip:agent@lab.local>;tag=xyz\r\n');
    expect(answer).toContain('"header field X-Long of 88 characters, over the 80 this agent reads"');
  });

  it('answers nothing to a response, an ACK, or a request whose dialog headers cannot be copied', () => {
    const long = `X-Long: ${'b'.repeat(80)}`;
    const refusal = (raw: string): string | undefined => {
      const violation = checkMessageSize(raw, CAPS);
      return violation && sizeRefusal(raw, violation, 't', CAPS);
    };
    expect(refusal(info(undefined, [long]))).toBeDefined();
    expect(refusal(`SIP/2.0 200 OK\r\n${long}\r\n\r\n`)).toBeUndefined();
    expect(refusal(info(undefined, [long]).replace('INFO ', 'ACK '))).toBeUndefined();
    expect(refusal(info(undefined, [long]).replace('Call-ID: 12@127.0.0.1\r\n', ''))).toBeUndefined();
    expect(refusal(info(undefined, [long, 'CSeq: 8 INFO']))).toBeUndefined();
    expect(refusal(info(undefined, [long]).replace('Call-ID: 12', `Call-ID: ${'9'.repeat(90)}`))).toBeUndefined();
    expect(refusal(info(undefined, [long]).replace('INFO sip:', 'INFO  sip:'))).toBeUndefined();
  });

  it('never lets a header name from the peer break the Warning header', () => {
    const raw = info(undefined, [`X"\\\u0001: ${'b'.repeat(80)}`]);
    const violation = checkMessageSize(raw, CAPS);
    const warning = (violation && sizeRefusal(raw, violation, 't', CAPS))?.split('\r\n').find((l) => l.startsWith('Warning:'));
    expect(warning).toBe(`Warning: 399 switchboard "header field X''  of 86 characters, over the 80 this agent reads"`);
  });
});
