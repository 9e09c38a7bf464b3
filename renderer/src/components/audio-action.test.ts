import { describe, expect, it } from 'vitest';
import type { Conversation } from '../../../common/desktop-state';
import { audioAction } from './audio-action';

type Media = NonNullable<Conversation['media']>;

const conference = (state: Media['state'] | undefined, extra: Partial<Conversation> = {}): Conversation => ({
  id: 'conv-1',
  kind: 'conference',
  subject: 'Help',
  from: 'sip:boss@lab.local',
  focusUri: 'sip:conf@lab.local',
  state: 'active',
  startedAt: 0,
  roster: [],
  panes: [],
  history: [],
  ...(state && { media: { state, muted: false, packetsSent: 0, packetsReceived: 0 } }),
  ...extra,
});

describe('audioAction', () => {
  it('offers Join audio in a conference joined without audio', () => {
    expect(audioAction(conference('none'))).toBe('join');
  });

  it('offers Reconnect audio once audio failed or the MCU hung up', () => {
    expect(audioAction(conference('failed'))).toBe('reconnect');
    expect(audioAction(conference('closed'))).toBe('reconnect');
  });

  it('offers nothing while audio is up or connecting, before any media state, or once ended or restored', () => {
    for (const state of ['connecting', 'connected', 'interrupted'] as const) {
      expect(audioAction(conference(state))).toBeUndefined();
    }
    expect(audioAction(conference(undefined))).toBeUndefined();
    expect(audioAction(conference('none', { state: 'ended' }))).toBeUndefined();
    expect(audioAction(conference('none', { state: 'joining' }))).toBeUndefined();
    expect(audioAction(conference('closed', { restored: true }))).toBeUndefined();
  });
});
