import { describe, expect, it } from 'vitest';
import { summarizeSipMessage } from './message-summary';
import { SipTrace } from './sip-trace';

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
