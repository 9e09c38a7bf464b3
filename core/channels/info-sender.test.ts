import type { IncomingResponse, OutgoingRequestDelegate, RequestOptions, Session } from 'sip.js/lib/core/index.js';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock';
import { InfoSender, type InfoOutcome } from './info-sender';

/** A session whose INFOs wait until the test answers them, in the order sent. */
function fakeSession() {
  const sent: { body: string; seq: string; delegate: OutgoingRequestDelegate }[] = [];
  const session = {
    info(delegate: OutgoingRequestDelegate, options: RequestOptions) {
      const seq = (options.extraHeaders ?? []).find((h) => h.startsWith('X-Switchboard-Seq:'))?.split(':')[1]?.trim() ?? '';
      sent.push({ body: (options.body as { content: string }).content, seq, delegate });
    },
  } as unknown as Session;
  const answer = (index: number, status: number) => {
    const response = { message: { statusCode: status, reasonPhrase: `R${status}` } } as unknown as IncomingResponse;
    const d = sent[index]?.delegate;
    (status < 300 ? d?.onAccept : d?.onReject)?.(response);
  };
  return { session, sent, answer };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('InfoSender', () => {
  it('keeps one INFO in flight, numbers them, and sends the next only after the answer', async () => {
    const { session, sent, answer } = fakeSession();
    const sender = new InfoSender(session, new FakeClock(), () => undefined);
    const outcomes: InfoOutcome[] = [];
    for (const body of ['a', 'b', 'c']) {
      void sender.send('text/plain', body).then((o) => outcomes.push(o));
    }
    expect(sent.map((s) => s.body)).toEqual(['a']);
    answer(0, 200);
    expect(sent.map((s) => [s.body, s.seq])).toEqual([['a', '1'], ['b', '2']]);
    answer(1, 200);
    answer(2, 200);
    await settle();
    expect(outcomes.map((o) => [o.seq, o.ok])).toEqual([[1, true], [2, true], [3, true]]);
  });

  it('holds an INFO the path lost, and resumes with it (same sequence number) before the rest', async () => {
    const { session, sent, answer } = fakeSession();
    const failures: number[] = [];
    const sender = new InfoSender(session, new FakeClock(), (status) => failures.push(status));
    void sender.send('text/plain', 'a');
    void sender.send('text/plain', 'b');
    answer(0, 503);
    expect(failures).toEqual([503]);
    expect(sent).toHaveLength(1);
    sender.resume();
    expect(sent.map((s) => [s.body, s.seq])).toEqual([['a', '1'], ['a', '1']]);
    answer(0, 200); // the superseded first try answers late: ignored
    expect(sent).toHaveLength(2);
    answer(1, 200);
    expect(sent.map((s) => s.body)).toEqual(['a', 'a', 'b']);
  });

  it('retries a held INFO on its own with backoff when no recovery signal comes', () => {
    const { session, sent, answer } = fakeSession();
    const clock = new FakeClock();
    const sender = new InfoSender(session, clock, () => undefined);
    void sender.send('text/plain', 'a');
    answer(0, 408);
    clock.advance(499);
    expect(sent).toHaveLength(1);
    clock.advance(1);
    expect(sent).toHaveLength(2);
    answer(1, 477);
    clock.advance(1000);
    expect(sent).toHaveLength(3);
  });

  it('fails an INFO the peer refused (final answers) and moves on', async () => {
    const { session, sent, answer } = fakeSession();
    const sender = new InfoSender(session, new FakeClock(), () => undefined);
    const first = sender.send('text/plain', 'a');
    void sender.send('text/plain', 'b');
    answer(0, 415);
    expect(await first).toMatchObject({ ok: false, status: 415 });
    expect(sent.map((s) => s.body)).toEqual(['a', 'b']);
  });

  it('fails everything queued when closed, and refuses new sends', async () => {
    const { session } = fakeSession();
    const sender = new InfoSender(session, new FakeClock(), () => undefined);
    const a = sender.send('text/plain', 'a');
    const b = sender.send('text/plain', 'b');
    sender.close('bye');
    expect(await a).toMatchObject({ ok: false, reason: 'bye' });
    expect(await b).toMatchObject({ ok: false, reason: 'bye' });
    expect(await sender.send('text/plain', 'c')).toMatchObject({ ok: false, reason: 'channel closed' });
  });
});
