import { describe, expect, it } from 'vitest';
import type { Conversation } from '../../../common/desktop-state';
import { incomingBucket, LEVEL_BUCKETS, levelBucket, levelWords } from './audio-level';

const conference = (media: Conversation['media'], state: Conversation['state'] = 'active'): Conversation => ({
  id: 'conv-1',
  kind: 'conference',
  subject: 'Help',
  from: 'sip:boss@lab.local',
  focusUri: 'sip:conf@lab.local',
  state,
  startedAt: 0,
  roster: [],
  panes: [],
  history: [],
  ...(media && { media }),
});

describe('levelBucket', () => {
  it('steps in decibels: silence, then -54, -40, -26 and -12 dBFS', () => {
    expect([0, 0.0019, 0.002, 0.009, 0.0224, 0.0316, 0.2, 0.25, 1].map(levelBucket)).toEqual([0, 0, 1, 1, 2, 2, 3, 4, 4]);
    expect(levelBucket(1)).toBe(LEVEL_BUCKETS);
  });

  it('says what the agent hears', () => {
    expect(levelWords(0)).toBe('silence');
    expect(levelWords(2)).toBe('hearing audio');
    expect(levelWords(9)).toBe('hearing very loud audio');
  });
});

describe('incomingBucket', () => {
  it('shows a level only while the audio is up and a level is known', () => {
    const media = { state: 'connected' as const, muted: false, packetsSent: 1, packetsReceived: 1 };
    expect(incomingBucket(conference({ ...media, level: 0.03 }))).toBe(2);
    expect(incomingBucket(conference({ ...media, level: 0 }))).toBe(0);
    expect(incomingBucket(conference({ ...media, state: 'interrupted', level: 0 }))).toBe(0);
    expect(incomingBucket(conference(media))).toBeUndefined();
    expect(incomingBucket(conference({ ...media, state: 'closed', level: 0.03 }))).toBeUndefined();
    expect(incomingBucket(conference({ ...media, level: 0.03 }, 'ended'))).toBeUndefined();
    expect(incomingBucket(conference(undefined))).toBeUndefined();
  });
});
