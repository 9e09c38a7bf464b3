import { describe, expect, it } from 'vitest';
import { summarizeSipMessage } from './message-summary';
import { redactCredentials, SipTrace } from './sip-trace';

const invite = [
  'INVITE sip:agent@lab.local SIP/2.0',
  'Via: SIP/2.0/WS x.invalid;branch=z9hG4bK1',
  'f: <sip:boss@lab.local>;tag=abc',
  't: <sip:agent@lab.local>',
  'i: call-1@lab',
  'CSeq: 1 INVITE',
  'c: application/ms-conf-invite+xml',
  'Content-Length: 0',
  '',
  '',
].join('\r\n');
const ok = ['SIP/2.0 200 OK', 'Call-ID: call-1@lab', 'CSeq: 1 INVITE', 'To: <sip:agent@lab.local>;tag=xyz', '', ''].join('\r\n');

describe('summarizeSipMessage', () => {
  it('reads requests, including compact header forms (RFC 3261 §7.3.3)', () => {
    const s = summarizeSipMessage(invite);
    expect(s).toMatchObject({
      method: 'INVITE',
      status: undefined,
      callId: 'call-1@lab',
      cseq: '1 INVITE',
      fromTag: 'abc',
      toTag: undefined,
      contentType: 'application/ms-conf-invite+xml',
    });
  });

  it('reads responses, taking the method from CSeq', () => {
    expect(summarizeSipMessage(ok)).toMatchObject({ method: 'INVITE', status: 200, toTag: 'xyz' });
  });

  it('never throws on garbage', () => {
    expect(summarizeSipMessage('garbage')).toMatchObject({ startLine: 'garbage', callId: '' });
    expect(summarizeSipMessage('')).toMatchObject({ startLine: '', method: '' });
  });
});

describe('SipTrace', () => {
  it('records direction, time and dialog, and groups dialogs in order', () => {
    let now = 1000;
    const trace = new SipTrace(() => now);
    trace.record('in', invite);
    now = 1005;
    trace.record('out', ok);
    trace.record('out', invite.replace(/call-1@lab/g, 'call-2@lab'));
    expect(trace.entries().map((e) => [e.seq, e.direction, e.dialog, e.at])).toEqual([
      [1, 'in', 'call-1@lab', 1000],
      [2, 'out', 'call-1@lab', 1005],
      [3, 'out', 'call-2@lab', 1005],
    ]);
    expect(trace.dialogs()).toEqual([
      { dialog: 'call-1@lab', methods: ['INVITE'] },
      { dialog: 'call-2@lab', methods: ['INVITE'] },
    ]);
    expect(trace.entries({ dialog: 'call-2@lab' })).toHaveLength(1);
    // Every summary field of an entry reads as the summary of its (redacted) text.
    for (const entry of trace.entries()) {
      const summary = summarizeSipMessage(entry.raw);
      const { startLine, method, status, callId, cseq, fromTag, toTag, contentType } = entry;
      expect({ startLine, method, status, callId, cseq, fromTag, toTag, contentType }).toEqual(summary);
      expect(entry.dialog).toBe(summary.callId);
    }
  });

  it('stays within its bounds and says how many messages it dropped', () => {
    const trace = new SipTrace(() => 0, { maxEntries: 2 });
    trace.record('in', invite);
    trace.record('in', invite);
    trace.record('in', invite);
    expect(trace.entries().map((e) => e.seq)).toEqual([2, 3]);
    expect(trace.exportText()).toMatch(/^\(1 older messages dropped\)/);
  });

  it('exports text with one block per message', () => {
    const trace = new SipTrace(() => Date.UTC(2026, 10, 20, 12, 0, 0));
    trace.record('in', invite);
    const text = trace.exportText();
    expect(text).toContain('#1 2026-11-20T12:00:00.000Z <<< IN dialog=call-1@lab');
    expect(text).toContain('INVITE sip:agent@lab.local SIP/2.0\nVia:');
  });

  it('notifies subscribers of each new entry until they unsubscribe', () => {
    const trace = new SipTrace(() => 0);
    const seen: number[] = [];
    const off = trace.subscribe((e) => seen.push(e.seq));
    trace.record('in', invite);
    off();
    trace.record('in', invite);
    expect(seen).toEqual([1]);
  });
});

const RESPONSE = '6629fae49393a05397450978507c4ef1';
const register = (authorization: string): string =>
  ['REGISTER sip:lab.local SIP/2.0', 'Via: SIP/2.0/WSS x.invalid;branch=z9hG4bK2', 'From: <sip:agent@lab.local>;tag=1', 'To: <sip:agent@lab.local>', 'Call-ID: reg-1', 'CSeq: 2 REGISTER', authorization, 'Content-Length: 0', '', ''].join('\r\n');
const digest = `Digest username="agent", realm="lab.local", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="sip:lab.local", response="${RESPONSE}", algorithm=MD5, cnonce="0a4f113b", qop=auth, nc=00000001`;

describe('redactCredentials', () => {
  it('keeps the scheme, username and realm of a digest and drops its response, nonce and cnonce', () => {
    const redacted = redactCredentials(register(`Authorization: ${digest}`));
    expect(redacted).toContain('\r\nAuthorization: Digest username="agent", realm="lab.local", <redacted>\r\n');
    expect(redacted).not.toContain(RESPONSE);
    expect(redacted).not.toMatch(/nonce|qop|nc=/);
  });

  it('redacts Proxy-Authorization, any case, spaces before the colon, and folded values', () => {
    for (const header of [`Proxy-Authorization: ${digest}`, `AUTHORIZATION: ${digest}`, `proxy-authorization   :${digest}`, `Authorization: Digest username="agent",\r\n realm="lab.local",\r\n\tresponse="${RESPONSE}"`]) {
      const redacted = redactCredentials(register(header));
      expect(redacted, header).not.toContain(RESPONSE);
      expect(redacted, header).toMatch(/\r\n(proxy-)?authorization: Digest username="agent", realm="lab.local", <redacted>\r\nContent-Length: 0\r\n/i);
    }
  });

  it('keeps only the scheme of other credentials (Basic, Bearer)', () => {
    expect(redactCredentials(register('Authorization: Basic YWdlbnQ6c2VjcmV0'))).toContain('\r\nAuthorization: Basic <redacted>\r\n');
    expect(redactCredentials(register('Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.x'))).not.toContain('eyJ');
  });

  it('leaves messages without credentials, challenges and bodies untouched', () => {
    expect(redactCredentials(invite)).toBe(invite);
    const challenge = ['SIP/2.0 401 Unauthorized', 'WWW-Authenticate: Digest realm="lab.local", nonce="abc"', 'Call-ID: reg-1', '', ''].join('\r\n');
    expect(redactCredentials(challenge)).toBe(challenge);
    const withBody = `${register(`Authorization: ${digest}`)}Authorization: in the body stays`;
    expect(redactCredentials(withBody).endsWith('\r\n\r\nAuthorization: in the body stays')).toBe(true);
  });
});

describe('SipTrace credentials', () => {
  it('never holds, lists or exports a digest response', () => {
    const trace = new SipTrace(() => 0);
    const seen: string[] = [];
    trace.subscribe((e) => seen.push(e.raw));
    const entry = trace.record('out', register(`Authorization: ${digest}`));
    trace.record('out', register(`Proxy-Authorization: ${digest}`));
    expect(entry).toMatchObject({ method: 'REGISTER', dialog: 'reg-1', cseq: '2 REGISTER' });
    for (const text of [...seen, ...trace.entries().map((e) => e.raw), trace.exportText()]) {
      expect(text).not.toContain(RESPONSE);
    }
    expect(trace.exportText()).toContain('Proxy-Authorization: Digest username="agent", realm="lab.local", <redacted>');
  });
});
