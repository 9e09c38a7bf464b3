import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock';
import { MediaWatch } from './media-watch';

describe('MediaWatch', () => {
  it('says interrupted after 5 s without a new packet while connected, and connected again when packets come', () => {
    const clock = new FakeClock();
    const watch = new MediaWatch(clock);
    expect(watch.observe('connecting', 0)).toBe('connecting');
    expect(watch.observe('connected', 0)).toBe('connected');
    clock.advance(4999);
    expect(watch.observe('connected', 0)).toBe('connected');
    clock.advance(1);
    expect(watch.observe('connected', 0)).toBe('interrupted');
    expect(watch.observe('connected', 0)).toBe('interrupted');
    expect(watch.observe('connected', 1)).toBe('connected');
    clock.advance(3000);
    expect(watch.observe('connected', 150)).toBe('connected');
    clock.advance(5000);
    expect(watch.observe('connected', 150)).toBe('interrupted');
  });

  it('gives a reconnected engine the full time again, and maps the engine states', () => {
    const clock = new FakeClock();
    const watch = new MediaWatch(clock);
    watch.observe('connected', 10);
    clock.advance(6000);
    expect(watch.observe('disconnected', 10)).toBe('interrupted');
    expect(watch.observe('connected', 10)).toBe('connected');
    expect(watch.observe('failed', 10)).toBe('failed');
    expect(watch.observe('closed', 10)).toBe('closed');
    expect(watch.observe('new', 0)).toBe('connecting');
  });
});
