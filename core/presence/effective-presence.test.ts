import { describe, expect, it } from 'vitest';
import { effectivePresence, IN_A_CONFERENCE_NOTE } from './effective-presence';

const quiet = { inConference: false, idle: false };

describe('effectivePresence (open question 29)', () => {
  it('publishes the choice when nothing happens', () => {
    expect(effectivePresence({ availability: 'brb', note: 'coffee' }, quiet)).toEqual({ availability: 'brb', note: 'coffee' });
  });
  it('is Busy / in-a-conference while audio is up, over Available, Away and Be right back', () => {
    for (const availability of ['available', 'busy', 'brb', 'away'] as const) {
      expect(effectivePresence({ availability }, { inConference: true, idle: true })).toEqual({ availability: 'busy', activity: 'in-a-conference', note: IN_A_CONFERENCE_NOTE });
    }
  });
  it('never overrides Do not disturb or Offline', () => {
    expect(effectivePresence({ availability: 'dnd' }, { inConference: true, idle: true })).toEqual({ availability: 'dnd' });
    expect(effectivePresence({ availability: 'offline' }, { inConference: true, idle: false })).toEqual({ availability: 'offline' });
  });
  it('turns Available into Away while idle, keeping the note', () => {
    expect(effectivePresence({ availability: 'available', note: 'queue 4' }, { inConference: false, idle: true })).toEqual({ availability: 'away', note: 'queue 4' });
    expect(effectivePresence({ availability: 'busy' }, { inConference: false, idle: true })).toEqual({ availability: 'busy' });
  });
});
