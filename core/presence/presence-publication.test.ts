import { describe, expect, it } from 'vitest';
import { silentLogger } from '../ports/logger';
import { FakeClock } from '../../test/support/fake-clock';
import type { PresenceState } from './availability';
import { PresencePublication, type PublicationOutcome, type PublishRequest, type PublishResponse } from './presence-publication';

const available: PresenceState = { availability: 'available' };
const busy: PresenceState = { availability: 'busy', activity: 'in-a-conference' };

/** A fake server: each PUBLISH waits until the test answers it. */
function rig(expiresSec = 600) {
  const clock = new FakeClock();
  const sent: { request: PublishRequest; answer: (r: PublishResponse) => void }[] = [];
  const outcomes: PublicationOutcome[] = [];
  const publication = new PresencePublication({
    send: (request) => new Promise((answer) => sent.push({ request, answer })),
    clock,
    logger: silentLogger,
    onOutcome: (o) => outcomes.push(o),
    expiresSec,
    random: () => 0,
  });
  const answer = async (response: PublishResponse): Promise<void> => {
    const next = sent.shift();
    if (!next) {
      throw new Error('no PUBLISH in flight');
    }
    next.answer(response);
    await new Promise((r) => setTimeout(r, 0));
  };
  return { clock, sent, outcomes, publication, answer };
}

describe('PresencePublication (RFC 3903)', () => {
  it('publishes, refreshes at 90 % with If-Match and no body, modifies, then removes with Expires 0', async () => {
    const { clock, sent, outcomes, publication, answer } = rig();
    publication.set(available);
    expect(sent[0]?.request).toEqual({ expires: 600, state: available });
    await answer({ status: 200, reason: 'OK', etag: 'e1', expires: 300 });
    expect(outcomes).toEqual([{ ok: true, state: available }]);
    clock.advance(269_000);
    expect(sent).toHaveLength(0);
    clock.advance(1_000);
    expect(sent[0]?.request).toEqual({ etag: 'e1', expires: 600 });
    await answer({ status: 200, reason: 'OK', etag: 'e2', expires: 600 });
    expect(outcomes).toHaveLength(1);
    publication.set(busy);
    expect(sent[0]?.request).toEqual({ etag: 'e2', expires: 600, state: busy });
    await answer({ status: 200, reason: 'OK', etag: 'e3', expires: 600 });
    expect(outcomes.at(-1)).toEqual({ ok: true, state: busy });
    const removed = publication.remove();
    expect(sent[0]?.request).toEqual({ etag: 'e3', expires: 0 });
    await answer({ status: 200, reason: 'OK', expires: 0 });
    await removed;
    expect(publication.state).toBe('removed');
    expect(clock.pending).toBe(0);
    publication.set(available);
    expect(sent).toHaveLength(0);
  });

  it('sends one request at a time: a change during a PUBLISH follows with the new ETag', async () => {
    const { sent, publication, answer, outcomes } = rig();
    publication.set(available);
    publication.set(busy);
    expect(sent).toHaveLength(1);
    await answer({ status: 200, reason: 'OK', etag: 'e1' });
    expect(sent[0]?.request).toEqual({ etag: 'e1', expires: 600, state: busy });
    await answer({ status: 200, reason: 'OK', etag: 'e2' });
    expect(outcomes.map((o) => o.state.availability)).toEqual(['available', 'busy']);
  });

  it('starts over on 412 and takes Min-Expires from 423', async () => {
    const { sent, publication, answer } = rig(60);
    publication.set(available);
    await answer({ status: 423, reason: 'Interval Too Brief', minExpires: 120 });
    expect(sent[0]?.request).toEqual({ expires: 120, state: available });
    await answer({ status: 200, reason: 'OK', etag: 'e1', expires: 120 });
    publication.set(busy);
    await answer({ status: 412, reason: 'Conditional Request Failed' });
    expect(sent[0]?.request).toEqual({ expires: 120, state: busy });
    await answer({ status: 200, reason: 'OK', etag: 'e9' });
    expect(publication.state).toBe('published');
    expect(publication.current).toBe(busy);
  });

  it('reports a refusal once and retries with backoff; a success is reported again', async () => {
    const { clock, sent, publication, answer, outcomes } = rig();
    publication.set(available);
    await answer({ status: 489, reason: 'Bad Event' });
    expect(outcomes).toEqual([{ ok: false, state: available, error: 'PUBLISH refused: 489 Bad Event' }]);
    expect(publication.state).toBe('waiting');
    clock.advance(299_999);
    expect(sent).toHaveLength(0);
    clock.advance(1);
    await answer({ status: 408, reason: 'Request Timeout' });
    clock.advance(4_999);
    expect(sent).toHaveLength(0);
    clock.advance(1);
    await answer({ status: 0, reason: 'no transport' });
    expect(outcomes).toHaveLength(1);
    clock.advance(10_000);
    expect(sent).toHaveLength(1);
    await answer({ status: 200, reason: 'OK', etag: 'e1' });
    expect(outcomes.at(-1)).toEqual({ ok: true, state: available });
  });

  it('after a reconnection tries the old ETag first', async () => {
    const { clock, sent, publication, answer } = rig();
    publication.set(available);
    await answer({ status: 200, reason: 'OK', etag: 'e1' });
    publication.suspend();
    expect(clock.pending).toBe(0);
    publication.set(busy);
    expect(sent).toHaveLength(0);
    publication.resume();
    expect(sent[0]?.request).toEqual({ etag: 'e1', expires: 600, state: busy });
  });

  it('removal with nothing published sends nothing', async () => {
    const { sent, publication } = rig();
    await publication.remove();
    expect(sent).toHaveLength(0);
    expect(publication.state).toBe('removed');
  });
});
