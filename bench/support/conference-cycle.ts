import type { AgentEvent, AgentEventOf } from '../../common/agent-events';
import type { InvitationOutcome } from '../../lab/conference/conference-invitation';
import type { LabConference } from '../../lab/conference/lab-conference';
import type { Lab } from '../../lab/lab';
import type { AgentChild, Recording, TimedEvent } from './agent-child';
import { pollUntil } from './event-log';
import { AGENT_AOR } from './proxied-lab';

// One conference join of the headless agent (the lab invites, the agent auto-accepts its
// trusted inviter) and its leave, as the recovery and soak benches both do them, with the
// moments of each step as the bench saw the agent's events.

/** When each step of a join reached the bench (`performance.now()`). */
export type JoinTimes = {
  readonly invitedAt: number;
  /** `invitation.accepted`: the agent's decision; the cold join starts here. */
  readonly acceptedAt: number;
  /** `conference.state` joined: the focus accepted the C3P addUser (emitted just before `conference.joined`). */
  readonly stateJoinedAt: number;
  /** `conference.joined`. */
  readonly joinedAt: number;
  /** First `media` event with state `connected`. */
  readonly mediaAt: number;
};

/** A conference the agent is in. */
export type JoinedConference = {
  readonly conference: LabConference;
  readonly focusUri: string;
  /** The inviter's transaction; settled before the conference is ended. */
  readonly outcome: Promise<InvitationOutcome>;
  readonly times: JoinTimes;
};

const sameUri = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

function about(focusUri: string): (e: AgentEvent) => boolean {
  return (e) => 'focusUri' in e && typeof e.focusUri === 'string' && sameUri(e.focusUri, focusUri);
}

/**
 * The lab invites the agent to a new conference; resolves once the agent's audio is connected.
 * @throws Error naming the step that did not come within `timeoutMs` (each step's own bound).
 */
export async function joinConference(agent: AgentChild, lab: Lab, subject: string, timeoutMs = 10_000): Promise<JoinedConference> {
  const recording = agent.record();
  try {
    const invitedAt = performance.now();
    const { conference, outcome } = await lab.invite(AGENT_AOR, subject);
    const mine = about(conference.focusUri);
    const step = async <T extends AgentEvent['type']>(type: T, extra: (e: AgentEventOf<T>) => boolean = () => true): Promise<TimedEvent<AgentEventOf<T>>> => {
      const found = await recording.waitFor((e): e is AgentEventOf<T> => e.type === type && mine(e) && extra(e as AgentEventOf<T>), timeoutMs);
      if (found === undefined) {
        throw new Error(`no ${type} within ${timeoutMs} ms (${describeRecording(recording)})`);
      }
      return found;
    };
    const accepted = await step('invitation.accepted');
    const stateJoined = await step('conference.state', (e) => e.state === 'joined');
    const joined = await step('conference.joined');
    const media = await step('media', (e) => e.state === 'connected');
    return {
      conference,
      focusUri: conference.focusUri,
      outcome,
      times: { invitedAt, acceptedAt: accepted.at, stateJoinedAt: stateJoined.at, joinedAt: joined.at, mediaAt: media.at },
    };
  } finally {
    recording.dispose();
  }
}

/**
 * The agent leaves; once the lab holds none of its dialogs the lab ends the conference and the
 * invitation's transaction settles.
 * @returns what went wrong, or undefined when all is clean.
 */
export async function leaveConference(agent: AgentChild, lab: Lab, joined: JoinedConference, timeoutMs = 5000): Promise<string | undefined> {
  const deadline = performance.now() + timeoutMs;
  const left = agent.waitFor((e): e is AgentEventOf<'conference.left'> => e.type === 'conference.left' && about(joined.focusUri)(e), timeoutMs);
  agent.send({ cmd: 'leave', focusUri: joined.focusUri });
  const problems: string[] = [];
  if ((await left) === undefined) {
    problems.push(`no conference.left within ${timeoutMs} ms`);
  }
  // The lab must have taken the agent's BYEs before it ends the conference: ending BYEs the legs
  // it still holds, and sip.js throws on a BYE whose ACK is still in flight (bench/README.md).
  const id = joined.conference.id;
  const holds = (): boolean => {
    const dialogs = lab.conferences.dialogsOf(id, AGENT_AOR);
    return dialogs.focus || dialogs.mcu || lab.conferences.notifier.count(id) > 0;
  };
  if ((await pollUntil(() => (holds() ? undefined : true), deadline, 5)) === undefined) {
    problems.push('the lab still holds a dialog or subscription of the agent');
  }
  try {
    lab.conferences.end(id);
  } catch (error) {
    problems.push(`the lab could not end the conference: ${error instanceof Error ? error.message : String(error)}`);
  }
  const settled = await Promise.race([joined.outcome.then(() => true), pollUntil(() => undefined, Math.max(performance.now() + 1, deadline), 50)]);
  if (settled !== true) {
    problems.push('the invitation never got its final answer');
  }
  return problems.length === 0 ? undefined : problems.join(', ');
}

/** The event types recorded so far, for a failure message. */
function describeRecording(recording: Recording): string {
  const types = recording.events.map((t) => (t.event.type === 'conference.state' ? `conference.state ${t.event.state}` : t.event.type));
  return types.length === 0 ? 'no agent event at all' : `seen: ${types.slice(-12).join(', ')}`;
}
