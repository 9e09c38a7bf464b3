import { describe, expect, it } from 'vitest';
import { parseConferenceInfo } from '../../core/conference/conference-info';
import { buildConferenceInfo } from './conference-info-builder';
import { Roster } from '../../core/conference/roster';
import { LabConference } from './lab-conference';

const apply = (roster: Roster, doc: ReturnType<LabConference['fullDocument']>) => {
  const parsed = parseConferenceInfo(buildConferenceInfo(doc));
  if (!parsed.ok) {
    throw new Error(parsed.error);
  }
  return roster.apply(parsed.info);
};

describe('LabConference documents, as the agent reads them', () => {
  it('follows the mixer: talking, muted by the user, muted by the conference', () => {
    const conf = new LabConference('ID2', 'sip:conf@lab.local;gruu;opaque=app:conf:focus:id:ID2', 'sip:conf@lab.local;gruu;opaque=app:conf:audio-video:id:ID2', 'Subject', 'sip:organizer@lab.local');
    const roster = new Roster(conf.focusUri);
    const agent = 'sip:agent@lab.local';
    apply(roster, conf.fullDocument());
    conf.addUser(agent, 'attendee', '{E1}');
    expect(conf.setMixState(agent, { talking: true })).toBe(false);
    conf.connectAv(agent, 'av1', '1');
    apply(roster, conf.userDocument(agent));

    expect(conf.setMixState(agent, { talking: true })).toBe(true);
    expect(conf.setMixState(agent, { talking: true })).toBe(false);
    apply(roster, conf.userDocument(agent));
    expect(roster.user(agent)?.modalities).toEqual({ audio: 'connected', im: 'none', speaking: true });

    expect(conf.setMixState(agent, { muted: true, byModerator: false })).toBe(true);
    apply(roster, conf.userDocument(agent));
    expect(roster.user(agent)?.modalities).toEqual({ audio: 'muted', im: 'none' });

    expect(conf.setMixState(agent, { muted: true, byModerator: true })).toBe(true);
    apply(roster, conf.userDocument(agent));
    expect(roster.user(agent)?.modalities).toEqual({ audio: 'muted', im: 'none', mutedByFocus: true });
    expect(roster.user(agent)?.endpoints.find((e) => e.sessionType === 'audio-video')?.status).toBe('muted-via-focus');

    conf.setMixState(agent, { muted: false, byModerator: false });
    apply(roster, conf.userDocument(agent));
    expect(roster.user(agent)?.modalities).toEqual({ audio: 'connected', im: 'none', speaking: true });
  });

  it('walks a user through joined, audio connected, muted and gone, one version at a time', () => {
    const conf = new LabConference('ID1', 'sip:conf@lab.local;gruu;opaque=app:conf:focus:id:ID1', 'sip:conf@lab.local;gruu;opaque=app:conf:audio-video:id:ID1', 'Subject', 'sip:organizer@lab.local');
    const roster = new Roster(conf.focusUri);
    expect(apply(roster, conf.fullDocument()).kind).toBe('applied');
    expect(roster.mcuUri()).toBe(conf.mcuUri);

    expect(conf.addUser('sip:agent@lab.local', 'presenter', '{E1}')).toBe('attendee');
    expect(apply(roster, conf.userDocument('sip:agent@lab.local')).kind).toBe('applied');
    expect(roster.user('sip:agent@lab.local')?.modalities.audio).toBe('none');

    conf.connectAv('sip:agent@lab.local', 'av1', '1');
    apply(roster, conf.userDocument('sip:agent@lab.local'));
    expect(roster.user('sip:agent@lab.local')?.modalities.audio).toBe('connected');

    expect(conf.setMuted('sip:agent@lab.local', 'av1', true)).toBe(true);
    expect(conf.setMuted('sip:agent@lab.local', 'someone-else', true)).toBe(false);
    apply(roster, conf.userDocument('sip:agent@lab.local'));
    expect(roster.user('sip:agent@lab.local')?.modalities.audio).toBe('muted');

    conf.removeUser('sip:agent@lab.local');
    apply(roster, conf.userDocument('sip:agent@lab.local'));
    expect(roster.users()).toEqual([]);
    expect(roster.version).toBe(5);
  });

  it('grants the organizer the presenter role and says when the conference is over', () => {
    const conf = new LabConference('ID2', 'sip:conf@lab.local;gruu;opaque=app:conf:focus:id:ID2', 'sip:conf@lab.local;gruu;opaque=app:conf:audio-video:id:ID2', 'S', 'sip:organizer@lab.local');
    expect(conf.addUser('sip:Organizer@lab.local', 'attendee', '{E2}')).toBe('presenter');
    const roster = new Roster(conf.focusUri);
    apply(roster, conf.fullDocument());
    conf.end();
    apply(roster, conf.endedDocument());
    expect(roster.ended).toBe(true);
  });
});
