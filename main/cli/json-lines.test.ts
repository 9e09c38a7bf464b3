import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { writeEvent } from './json-lines';

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
  it('sends a burst of events in one write, in order, at the end of the tick', async () => {
    const { out, calls } = recorder();
    writeEvent(out, { type: 'registered', aor: 'sip:a@b', expires: 600 });
    writeEvent(out, { type: 'unregistered', aor: 'sip:a@b' });
    expect(calls).toEqual([]);
    await new Promise((resolve) => process.nextTick(resolve));
    expect(calls).toEqual([['{"type":"registered","aor":"sip:a@b","expires":600}\n', '{"type":"unregistered","aor":"sip:a@b"}\n']]);
  });

  it('keeps order with other writes and calls their callback after the burst', async () => {
    const { out, calls } = recorder();
    writeEvent(out, { type: 'unregistered', aor: 'sip:a@b' });
    const flushed = new Promise<number>((resolve) => out.write('', () => resolve(calls.length)));
    expect(await flushed).toBe(1);
    expect(calls[0]?.[0]).toBe('{"type":"unregistered","aor":"sip:a@b"}\n');
    writeEvent(out, { type: 'unregistered', aor: 'sip:a@b' });
    await new Promise((resolve) => process.nextTick(resolve));
    expect(calls.length).toBe(2);
  });
});
