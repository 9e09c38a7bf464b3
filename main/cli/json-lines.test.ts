import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FLUSH_DELAY_MS, MAX_CORKED_BYTES, writeEvent } from './json-lines';

/** A stream that records each write(v) call it gets, as the lines it carried. */
function recorder(): { out: Writable; calls: string[][] } {
  const calls: string[][] = [];
  const out = new Writable({
    decodeStrings: false,
    write(chunk: string, _encoding, done) {
      calls.push([chunk]);
      done();
    },
    writev(chunks, done) {
      calls.push(chunks.map((c) => String(c.chunk)));
      done();
    },
  });
  return { out, calls };
}

describe('writeEvent', () => {
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  it('sends the events of one flush delay in one write, in order, even across ticks', async () => {
    const { out, calls } = recorder();
    writeEvent(out, { type: 'registered', aor: 'sip:a@b', expires: 600 });
    await new Promise((resolve) => process.nextTick(resolve));
    writeEvent(out, { type: 'unregistered', aor: 'sip:a@b' });
    expect(calls).toEqual([]);
    await sleep(FLUSH_DELAY_MS + 5);
    expect(calls).toEqual([['{"type":"registered","aor":"sip:a@b","expires":600}\n', '{"type":"unregistered","aor":"sip:a@b"}\n']]);
  });

  it('keeps order with other writes and calls their callback after the burst', async () => {
    const { out, calls } = recorder();
    writeEvent(out, { type: 'unregistered', aor: 'sip:a@b' });
    const flushed = new Promise<number>((resolve) => out.write('', () => resolve(calls.length)));
    expect(await flushed).toBe(1);
    expect(calls[0]?.[0]).toBe('{"type":"unregistered","aor":"sip:a@b"}\n');
    writeEvent(out, { type: 'unregistered', aor: 'sip:a@b' });
    await sleep(FLUSH_DELAY_MS + 5);
    expect(calls.length).toBe(2);
  });

  it('lets a burst out at once when it reaches MAX_CORKED_BYTES', () => {
    const { out, calls } = recorder();
    const big = { type: 'message', from: 'sip:a@b', contentType: 'text/plain', body: 'x'.repeat(MAX_CORKED_BYTES / 2) } as const;
    writeEvent(out, big);
    expect(calls).toEqual([]);
    writeEvent(out, big);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toHaveLength(2);
  });
});
