import { describe, expect, it } from 'vitest';
import { silentLogger } from '../ports/logger';
import { FakeClock } from '../../test/support/fake-clock';
import { ImSession, type ImReport, type ImResponse } from './im-session';

function rig(conference = false) {
  const clock = new FakeClock();
  const sent: { method: string; contentType: string; body: string; answer: (r: ImResponse) => void }[] = [];
  const reports: ImReport[] = [];
  const session = new ImSession({
    port: { request: (method, contentType, body) => new Promise((answer) => sent.push({ method, contentType, body, answer })), bye: () => undefined },
    clock,
    logger: silentLogger,
    peer: 'sip:mcu@lab.local',
    conference,
    report: (r) => reports.push(r),
  });
  const answer = async (r: ImResponse): Promise<void> => {
    sent.shift()?.answer(r);
    await new Promise((done) => setTimeout(done, 0));
  };
  return { clock, sent, reports, session, answer };
}

describe('ImSession (im-presence §1.3–§2.4, open question 26)', () => {
  it('sends one MESSAGE at a time, in order', async () => {
    const { sent, reports, session, answer } = rig();
    session.send('m1', 'one');
    session.send('m2', 'two');
    expect(sent.map((s) => s.body)).toEqual(['one']);
    expect(sent[0]?.contentType).toBe('text/plain; charset=UTF-8');
    await answer({ status: 200, reason: 'OK' });
    expect(sent.map((s) => s.body)).toEqual(['two']);
    await answer({ status: 200, reason: 'OK' });
    expect(reports).toEqual([
      { kind: 'delivery', messageId: 'm1', state: 'delivered' },
      { kind: 'delivery', messageId: 'm2', state: 'delivered' },
    ]);
  });

  it('202 + Message-Id: sent, then delivered after 10 s, or failed when a report names recipients', async () => {
    const { clock, reports, session, answer } = rig(true);
    session.send('m1', 'hello all');
    await answer({ status: 202, reason: 'Accepted', messageId: '7' });
    session.send('m2', 'again');
    await answer({ status: 202, reason: 'Accepted', messageId: '8' });
    session.deliveryReport('<imdn xmlns="http://schemas.microsoft.com/rtc/2005/08/imdn"><message-id>8</message-id><recipient uri="sip:sup@lab.local"><status>480</status></recipient></imdn>');
    clock.advance(10_000);
    expect(reports).toEqual([
      { kind: 'delivery', messageId: 'm1', state: 'sent' },
      { kind: 'delivery', messageId: 'm2', state: 'sent' },
      { kind: 'delivery', messageId: 'm2', state: 'failed', failed: [{ uri: 'sip:sup@lab.local', status: 480 }] },
      { kind: 'delivery', messageId: 'm1', state: 'delivered' },
    ]);
  });

  it('481 fails the message and reports the dialog dead; close fails the rest', async () => {
    const { reports, session, answer } = rig();
    session.send('m1', 'a');
    session.send('m2', 'b');
    await answer({ status: 481, reason: 'Call/Transaction Does Not Exist' });
    session.close('closed again');
    expect(reports).toEqual([
      { kind: 'delivery', messageId: 'm1', state: 'failed', reason: '481 Call/Transaction Does Not Exist' },
      { kind: 'dead', status: 481 },
      { kind: 'delivery', messageId: 'm2', state: 'failed', reason: 'the dialog is gone (481)' },
    ]);
    expect(session.send('m3', 'c')).toBe(false);
  });

  it('shows received text by Ms-Sender, refuses what it cannot show, and tracks typing', () => {
    const { clock, reports, session } = rig(true);
    expect(session.receiveMessage({ contentType: 'text/plain', body: 'Please take it', sender: 'sip:sup3@lab.local' })).toEqual({ status: 200, reason: 'OK' });
    expect(session.receiveMessage({ contentType: 'text/rtf', body: '{\\rtf1}' })).toMatchObject({ status: 415 });
    const typing = '<KeyboardActivity><status status="type"/></KeyboardActivity>';
    session.receiveInfo({ contentType: 'application/xml', body: typing, sender: 'sip:sup3@lab.local' });
    session.receiveInfo({ contentType: 'application/xml', body: typing, sender: 'sip:sup3@lab.local' });
    clock.advance(10_000);
    session.receiveMessage({ contentType: 'application/im-iscomposing+xml', body: '<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>active</state></isComposing>' });
    session.receiveMessage({ contentType: 'text/html', body: '<b>hi</b>' });
    expect(reports).toEqual([
      { kind: 'message', from: 'sip:sup3@lab.local', contentType: 'text/plain', text: 'Please take it' },
      { kind: 'typing', from: 'sip:sup3@lab.local', typing: true },
      { kind: 'typing', from: 'sip:sup3@lab.local', typing: false },
      { kind: 'typing', from: 'sip:mcu@lab.local', typing: true },
      { kind: 'typing', from: 'sip:mcu@lab.local', typing: false },
      { kind: 'message', from: 'sip:mcu@lab.local', contentType: 'text/html', text: 'hi' },
    ]);
  });

  it('sends typing INFO to a two-party peer at most every 4 s, and none into a conference', () => {
    const two = rig();
    two.session.typing(true);
    two.session.typing(true);
    two.clock.advance(4_000);
    two.session.typing(true);
    expect(two.sent.map((s) => [s.method, s.body.includes('status="type"')])).toEqual([['INFO', true], ['INFO', true]]);
    const conf = rig(true);
    conf.session.typing(true);
    expect(conf.sent).toHaveLength(0);
  });
});

describe('ImSession held', () => {
  it('queues until released, then sends in order', async () => {
    const clock = new FakeClock();
    const sent: string[] = [];
    const session = new ImSession({
      port: { request: (_m, _t, body) => (sent.push(body), Promise.resolve({ status: 200, reason: 'OK' })), bye: () => undefined },
      clock,
      logger: silentLogger,
      peer: 'sip:p@lab.local',
      conference: false,
      report: () => undefined,
      held: true,
    });
    session.send('a', 'one');
    session.send('b', 'two');
    await new Promise((r) => setTimeout(r, 0));
    expect(sent).toEqual([]);
    session.release();
    await new Promise((r) => setTimeout(r, 0));
    expect(sent).toEqual(['one', 'two']);
  });
});

describe('ImSession delivery report before its 202', () => {
  it('keeps the report and applies it when the 202 comes', async () => {
    const { clock, reports, session, answer } = rig(true);
    session.send('m1', 'hello');
    session.deliveryReport('<imdn xmlns="http://schemas.microsoft.com/rtc/2005/08/imdn"><message-id>9</message-id><recipient uri="sip:x@lab.local"><status>480</status></recipient></imdn>');
    await answer({ status: 202, reason: 'Accepted', messageId: '9' });
    clock.advance(10_000);
    expect(reports).toEqual([
      { kind: 'delivery', messageId: 'm1', state: 'sent' },
      { kind: 'delivery', messageId: 'm1', state: 'failed', failed: [{ uri: 'sip:x@lab.local', status: 480 }] },
    ]);
  });
});
