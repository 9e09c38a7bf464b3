import { describe, expect, it } from 'vitest';
import { RingBuffer } from './ring-buffer';

describe('RingBuffer', () => {
  it('keeps the newest items up to its capacity', () => {
    const ring = new RingBuffer<number>(3);
    for (let i = 1; i <= 5; i += 1) {
      ring.push(i);
    }
    expect(ring.toArray()).toEqual([3, 4, 5]);
    expect(ring.droppedCount).toBe(2);
  });

  it('evicts the oldest items to stay under its weight bound, but keeps the newest', () => {
    const ring = new RingBuffer<string>(100, 10, (s) => s.length);
    ring.push('aaaa');
    ring.push('bbbb');
    ring.push('cccc');
    expect(ring.toArray()).toEqual(['bbbb', 'cccc']);
    ring.push('x'.repeat(50));
    expect(ring.toArray()).toEqual(['x'.repeat(50)]);
  });

  it('rejects a capacity below one', () => {
    expect(() => new RingBuffer<number>(0)).toThrow(RangeError);
  });
});
