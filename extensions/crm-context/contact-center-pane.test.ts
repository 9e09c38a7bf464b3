import { describe, expect, it } from 'vitest';
import { sinceRequest } from './contact-center-pane';

describe('sinceRequest', () => {
  it('says how long before the chat a page was seen, in seconds under a minute and minutes after', () => {
    expect(sinceRequest(10_000, 10_000)).toBe('0 s before the chat');
    expect(sinceRequest(1_000, 43_000)).toBe('42 s before the chat');
    expect(sinceRequest(0, 150_000)).toBe('3 min before the chat');
  });

  it('never says a page was seen after the chat began (clocks of two machines)', () => {
    expect(sinceRequest(20_000, 10_000)).toBe('0 s before the chat');
  });
});
