import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TYPING_IDLE_MS, TYPING_REPEAT_MS, TypingNotifier } from './typing-notifier';

describe('TypingNotifier', () => {
  let said: boolean[];
  let notifier: TypingNotifier;

  beforeEach(() => {
    vi.useFakeTimers();
    said = [];
    notifier = new TypingNotifier((typing) => said.push(typing));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('says typing at the first edit, not at every keystroke, and again while edits go on', () => {
    notifier.edited('H');
    notifier.edited('He');
    notifier.edited('Hel');
    expect(said).toEqual([true]);
    vi.advanceTimersByTime(TYPING_REPEAT_MS - 1000);
    notifier.edited('Hell');
    expect(said).toEqual([true]);
    vi.advanceTimersByTime(1000);
    notifier.edited('Hello');
    expect(said).toEqual([true, true]);
  });

  it('says stopped after the idle time without an edit, once', () => {
    notifier.edited('Hi');
    vi.advanceTimersByTime(TYPING_IDLE_MS - 1);
    expect(said).toEqual([true]);
    vi.advanceTimersByTime(1);
    expect(said).toEqual([true, false]);
    vi.advanceTimersByTime(TYPING_IDLE_MS * 3);
    expect(said).toEqual([true, false]);
  });

  it('says stopped when the message is sent or the box emptied, and nothing when it was not typing', () => {
    notifier.stop();
    expect(said).toEqual([]);
    notifier.edited('Hi');
    notifier.stop();
    expect(said).toEqual([true, false]);
    notifier.edited('Again');
    notifier.edited('  ');
    expect(said).toEqual([true, false, true, false]);
    vi.advanceTimersByTime(TYPING_IDLE_MS);
    expect(said).toEqual([true, false, true, false]);
  });
});
