import type { IncomingResponse, OutgoingRequestDelegate, RequestOptions, Session } from 'sip.js/lib/core/index.js';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock';
import { INFO_BUSY, InfoSender, type InfoOutcome } from './info-sender';

const hooks = { onDialogGone: () => undefined };

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
    const sender = new InfoSender(session, new FakeClock(), hooks);
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

  it('holds an INFO while paused (transport lost), spends no retry, and resumes with it first', async () => {
    const { session, sent, answer } = fakeSession();
    const clock = new FakeClock();
    const sender = new InfoSender(session, clock, hooks);
    const first = sender.send('text/plain', 'a');
    void sender.send('text/plain', 'b');
    sender.pause();
    answer(0, 503);
    clock.advance(10 * 60_000); // an outage of any length: nothing is sent, nothing given up
    expect(sent).toHaveLength(1);
    expect(clock.pending).toBe(0);
    sender.resume();
    expect(sent.map((s) => [s.body, s.seq])).toEqual([['a', '1'], ['a', '1']]);
    answer(0, 200); // the superseded first try answers late: ignored
    expect(sent).toHaveLength(2);
    answer(1, 200);
    expect(await first).toMatchObject({ ok: true, seq: 1 });
    expect(sent.map((s) => s.body)).toEqual(['a', 'a', 'b']);
  });

  it('retries one INFO answered 408/500/503 with backoff, without pausing the rest of the channel', () => {
    const { session, sent, answer } = fakeSession();
    const clock = new FakeClock();
    const gone: number[] = [];
    const sender = new InfoSender(session, clock, { onDialogGone: (s) => gone.push(s) });
    void sender.send('text/plain', 'a');
    answer(0, 408);
    clock.advance(499);
    expect(sent).toHaveLength(1);
    clock.advance(1);
    expect(sent).toHaveLength(2);
    answer(1, 500);
    clock.advance(1000);
    expect(sent).toHaveLength(3);
    answer(2, 200);
    expect(gone).toEqual([]);
    expect(sender.pending).toBe(0);
  });

  it('fails an INFO explicitly after its retries and sends the next in order', async () => {
    const { session, sent, answer } = fakeSession();
    const clock = new FakeClock();
    const sender = new InfoSender(session, clock, hooks);
    const first = sender.send('text/plain', 'a');
    void sender.send('text/plain', 'b');
    for (let i = 0; i < 6; i += 1) {
      answer(i, 503);
      clock.advance(8000);
    }
    expect(await first).toMatchObject({ ok: false, status: 503, seq: 1 });
    expect(sent.at(-1)?.body).toBe('b');
    expect(sent.filter((s) => s.body === 'a')).toHaveLength(6);
  });

  it('tells the channel its dialog is gone on 481, and refuses sends past the queue cap as busy', async () => {
    const { session, answer } = fakeSession();
    const gone: number[] = [];
    const sender = new InfoSender(session, new FakeClock(), { onDialogGone: (s) => gone.push(s) }, { maxQueued: 3, maxQueuedChars: 1000 });
    const outcomes = ['a', 'b', 'c', 'd'].map((body) => sender.send('text/plain', body));
    expect(await outcomes[3]).toMatchObject({ ok: false, reason: INFO_BUSY });
    answer(0, 481);
    expect(gone).toEqual([481]);
    expect(await outcomes[0]).toMatchObject({ ok: false, status: 481 });
  });

  it('refuses a send past the queued-characters cap as busy, and takes it again once room is made', async () => {
    const { session, answer } = fakeSession();
    const sender = new InfoSender(session, new FakeClock(), hooks, { maxQueued: 10, maxQueuedChars: 10 });
    void sender.send('text/plain', '123456');
    expect(await sender.send('text/plain', '12345')).toMatchObject({ ok: false, reason: INFO_BUSY });
    answer(0, 200);
    expect(sender.pending).toBe(0);
    const again = sender.send('text/plain', '1234567890');
    answer(1, 200);
    expect(await again).toMatchObject({ ok: true });
  });

  it('fails an INFO the peer refused (final answers) and moves on', async () => {
    const { session, sent, answer } = fakeSession();
    const sender = new InfoSender(session, new FakeClock(), hooks);
    const first = sender.send('text/plain', 'a');
    void sender.send('text/plain', 'b');
    answer(0, 415);
    expect(await first).toMatchObject({ ok: false, status: 415 });
    expect(sent.map((s) => s.body)).toEqual(['a', 'b']);
  });

  it('fails everything queued when closed, and refuses new sends', async () => {
    const { session } = fakeSession();
    const sender = new InfoSender(session, new FakeClock(), hooks);
    const a = sender.send('text/plain', 'a');
    const b = sender.send('text/plain', 'b');
    sender.close('bye');
    expect(await a).toMatchObject({ ok: false, reason: 'bye' });
    expect(await b).toMatchObject({ ok: false, reason: 'bye' });
    expect(await sender.send('text/plain', 'c')).toMatchObject({ ok: false, reason: 'channel closed' });
  });
});
