import { describe, expect, it } from 'vitest';
import { effectivePresence, IN_A_CALL_NOTE, IN_A_CONFERENCE_NOTE } from './effective-presence';

const quiet = { inConference: false, idle: false };

describe('effectivePresence (open question 29)', () => {
  it('publishes the choice when nothing happens', () => {
    expect(effectivePresence({ availability: 'brb', note: 'coffee' }, quiet)).toEqual({ availability: 'brb', note: 'coffee' });
  });
  it('is Busy / on-the-phone (In a call) while a call is up; a conference wins; DND and Offline stay', () => {
    expect(effectivePresence({ availability: 'available' }, { inConference: false, inCall: true, idle: false })).toEqual({ availability: 'busy', activity: 'on-the-phone', note: IN_A_CALL_NOTE });
    expect(effectivePresence({ availability: 'away', note: 'Queue 4' }, { inConference: false, inCall: true, idle: true })).toEqual({ availability: 'busy', activity: 'on-the-phone', note: 'Queue 4' });
    expect(effectivePresence({ availability: 'available' }, { inConference: true, inCall: true, idle: false })).toMatchObject({ activity: 'in-a-conference' });
    expect(effectivePresence({ availability: 'dnd' }, { inConference: false, inCall: true, idle: false })).toEqual({ availability: 'dnd' });
    expect(effectivePresence({ availability: 'offline' }, { inConference: false, inCall: true, idle: false })).toEqual({ availability: 'offline' });
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
