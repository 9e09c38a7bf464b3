import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IDLE_AFTER_MS, IdleTracker } from './idle-tracker';

describe('IdleTracker', () => {
  let reports: boolean[];
  let tracker: IdleTracker;

  beforeEach(() => {
    vi.useFakeTimers();
    reports = [];
    tracker = new IdleTracker((idle) => reports.push(idle));
  });
  afterEach(() => {
    tracker.stop();
    vi.useRealTimers();
  });

  it('reports idle after the idle time without input, and back at the next input', () => {
    vi.advanceTimersByTime(IDLE_AFTER_MS - 1);
    expect(reports).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(reports).toEqual([true]);
    vi.advanceTimersByTime(IDLE_AFTER_MS * 4);
    expect(reports).toEqual([true]);
    tracker.input();
    tracker.input();
    expect(reports).toEqual([true, false]);
    vi.advanceTimersByTime(IDLE_AFTER_MS);
    expect(reports).toEqual([true, false, true]);
  });

  it('counts the idle time from the last input and says nothing while input goes on', () => {
    for (let minute = 0; minute < 30; minute += 1) {
      vi.advanceTimersByTime(60_000);
      tracker.input();
    }
    expect(reports).toEqual([]);
    vi.advanceTimersByTime(IDLE_AFTER_MS - 10);
    expect(reports).toEqual([]);
    vi.advanceTimersByTime(10);
    expect(reports).toEqual([true]);
  });

  it('keeps one timer whatever the input rate', () => {
    for (let i = 0; i < 1000; i += 1) {
      tracker.input();
    }
    expect(vi.getTimerCount()).toBe(1);
  });
});
