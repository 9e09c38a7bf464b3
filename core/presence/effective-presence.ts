import type { PresenceState } from './availability';

/** What the agent is doing, as far as presence is concerned. @public */
export type PresenceActivity = {
  /** Conference audio is up. */
  readonly inConference: boolean;
  /** A two-party call is connected (held included). */
  readonly inCall?: boolean;
  /** The desktop saw no input for the idle time (5 min). */
  readonly idle: boolean;
};

/** The note shown while the automatic "In a conference" state holds. @public */
export const IN_A_CONFERENCE_NOTE = 'In a conference';

/** The note shown while the automatic "In a call" state holds. @public */
export const IN_A_CALL_NOTE = 'In a call';

/**
 * The state to publish: the agent's choice, adjusted by what the agent is doing.
 * @remarks Open question 29, decided: Lync computes these on the server, Kamailio does not, so
 * the agent does it itself.
 * - Offline ("appear offline") and Do not disturb are never overridden: the agent asked to be
 *   left alone, and DND is what routing must see.
 * - Conference audio up: Busy with Lync's `in-a-conference` token (7000, im-presence §3.1),
 *   whatever else was chosen (someone on a call is at the desk, even if they had set Away).
 * - A two-party call connected: Busy with `on-the-phone` ("In a call", 6500, im-presence §3.1),
 *   the same way; a conference wins when both hold (it is the larger commitment).
 * - Idle while Available: Away; back to the choice at the next input.
 * The agent's own note wins over the automatic one.
 * @public
 */
export function effectivePresence(chosen: PresenceState, activity: PresenceActivity): PresenceState {
  if (chosen.availability === 'offline' || chosen.availability === 'dnd') {
    return chosen;
  }
  if (activity.inConference) {
    return { availability: 'busy', activity: 'in-a-conference', note: chosen.note ?? IN_A_CONFERENCE_NOTE };
  }
  if (activity.inCall === true) {
    return { availability: 'busy', activity: 'on-the-phone', note: chosen.note ?? IN_A_CALL_NOTE };
  }
  if (activity.idle && chosen.availability === 'available') {
    return { availability: 'away', ...(chosen.note !== undefined && { note: chosen.note }) };
  }
  return chosen;
}
