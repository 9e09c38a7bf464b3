import { describe, expect, it } from 'vitest';
import { isDtmfDigit, readTelephoneEvent, telephoneEventPackets, TelephoneEventReceiver } from './telephone-event';

describe('RFC 4733 telephone-events', () => {
  it('encodes a digit: growing durations, the marker first, the end packet three times', () => {
    const packets = telephoneEventPackets('#', 160, 3);
    expect(packets.map((p) => p.marker)).toEqual([true, false, false, false, false, false]);
    expect(packets.map((p) => readTelephoneEvent(p.payload))).toEqual([
      { digit: '#', end: false, duration: 160 },
      { digit: '#', end: false, duration: 320 },
      { digit: '#', end: false, duration: 480 },
      { digit: '#', end: true, duration: 480 },
      { digit: '#', end: true, duration: 480 },
      { digit: '#', end: true, duration: 480 },
    ]);
    expect([...(packets[0]?.payload ?? [])]).toEqual([11, 10, 0, 160]);
    expect(() => telephoneEventPackets('x', 160)).toThrow(RangeError);
    expect(isDtmfDigit('a')).toBe(true);
    expect(isDtmfDigit('E')).toBe(false);
  });

  it('reads each event once, by timestamp, and one whose end was lost when the next starts', () => {
    const receiver = new TelephoneEventReceiver();
    const got: string[] = [];
    const feed = (timestamp: number, digit: string): void => telephoneEventPackets(digit, 160).forEach((p) => got.push(...receiver.receive(timestamp, p.payload)));
    feed(1000, '1');
    feed(5000, '2');
    // An event without its end packets, then another.
    got.push(...receiver.receive(9000, telephoneEventPackets('3', 160)[0]?.payload ?? new Uint8Array()));
    feed(12_000, '4');
    expect(got).toEqual(['1', '2', '3', '4']);
    expect(receiver.receive(13_000, new Uint8Array([200, 0, 0, 0]))).toEqual([]);
    expect(receiver.receive(13_000, new Uint8Array([1]))).toEqual([]);
  });
});
