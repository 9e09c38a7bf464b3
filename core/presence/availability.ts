/**
 * The agent's availability: Lync's model (a number on its 3000–18500 scale plus an activity
 * token) mapped to the standard PIDF/RPID vocabulary Kamailio serves.
 * @packageDocumentation
 */

/**
 * The states an agent can choose, and the ones a watcher can see.
 * @remarks im-presence §3.1 (Lync's bands) and §3.4 (the mapping we publish).
 * @public
 */
export const AVAILABILITIES = ['available', 'busy', 'dnd', 'brb', 'away', 'offline'] as const;

/** One of {@link AVAILABILITIES}. @public */
export type Availability = (typeof AVAILABILITIES)[number];

/**
 * Lync activity tokens we publish or recognise.
 * @remarks im-presence §3.1: `on-the-phone` ("In a call", 6500) and `in-a-conference`
 * ("In a conference", 7000) are the phone-state tokens pidgin-sipe publishes; the others are
 * the Lync 2013 tokens a watcher may meet.
 * @public
 */
export const LYNC_ACTIVITIES = [
  'on-the-phone',
  'in-a-conference',
  'in-a-meeting',
  'in-presentation',
  'out-of-office',
  'urgent-interruptions-only',
  'off-work',
] as const;

/** One of {@link LYNC_ACTIVITIES}. @public */
export type LyncActivity = (typeof LYNC_ACTIVITIES)[number];

/**
 * A presence state: what is published for us and what we learn of a contact.
 * @public
 */
export type PresenceState = {
  readonly availability: Availability;
  /** Lync's number (im-presence §3.1); always set when we publish. */
  readonly lyncAvailability?: number;
  readonly activity?: LyncActivity;
  /** Free text ("In a conference", "On queue 4"); at most {@link MAX_NOTE_CHARS}. */
  readonly note?: string;
};

/** Longest note we publish or show; Lync's personal note is short text. @public */
export const MAX_NOTE_CHARS = 256;

/**
 * The number a client publishes for each chosen state.
 * @remarks im-presence §3.1, "Value a client publishes" (pidgin-sipe's values).
 * @public
 */
export const LYNC_AVAILABILITY: Readonly<Record<Availability, number>> = {
  available: 3500,
  busy: 6500,
  dnd: 9500,
  brb: 12500,
  away: 15500,
  offline: 18500,
};

/** The number pidgin-sipe publishes for a conference call (im-presence §3.1). @public */
export const LYNC_IN_A_CONFERENCE = 7000;

/**
 * The state a Lync number falls in.
 * @remarks im-presence §3.1 ranges: below 6000 available (the 4500–5999 idle band included),
 * 6000–8999 busy (busy-idle included), 9000–11999 do not disturb, 12000–14999 be right back,
 * 15000–17999 away, 18000 and above offline. Not a finite non-negative number: undefined.
 * @public
 */
export function availabilityOfNumber(value: number): Availability | undefined {
  if (!Number.isFinite(value) || value < 0) {
    return undefined;
  }
  const bands: readonly [number, Availability][] = [
    [6000, 'available'],
    [9000, 'busy'],
    [12000, 'dnd'],
    [15000, 'brb'],
    [18000, 'away'],
  ];
  return bands.find(([below]) => value < below)?.[1] ?? 'offline';
}

/**
 * RPID activities (RFC 4480 §3.2) that stand for each state, for watchers that know nothing of
 * Lync's numbers.
 * @remarks im-presence §3.4 mapping table: DND is `busy` in RPID (there is no better token), BRB
 * and Away are both `away`, Available and Offline carry none (Offline is `basic` closed).
 * @public
 */
export function rpidActivitiesOf(state: PresenceState): readonly string[] {
  if (state.activity === 'in-a-conference') {
    return ['on-the-phone', 'meeting'];
  }
  if (state.activity === 'on-the-phone') {
    return ['on-the-phone'];
  }
  switch (state.availability) {
    case 'busy':
    case 'dnd':
      return ['busy'];
    case 'brb':
    case 'away':
      return ['away'];
    default:
      return [];
  }
}

/**
 * What a watcher makes of a person element without our extension: the RPID activities and the
 * tuple's `basic` status.
 * @remarks im-presence §3.4, "with no extension, rank on-the-phone > busy/meeting/presentation >
 * away family > none"; `closed` with nothing else is offline (RFC 3863 §4.1.4).
 * @public
 */
export function availabilityOfRpid(activities: readonly string[], open: boolean | undefined): Availability {
  const has = (...names: string[]): boolean => names.some((name) => activities.includes(name));
  if (has('on-the-phone', 'busy', 'meeting', 'presentation', 'performance', 'appointment')) {
    return 'busy';
  }
  if (has('away', 'vacation', 'holiday', 'permanent-absence', 'sleeping', 'travel', 'in-transit', 'meal', 'breakfast', 'lunch', 'dinner')) {
    return 'away';
  }
  return open === false ? 'offline' : 'available';
}

/**
 * A ranking to combine several devices' states into one (the most "engaged" wins), with
 * offline last: a watcher sees an agent busy on its desk phone although its laptop is idle.
 * @remarks im-presence §3.4 aggregation rule: the highest Lync number among non-offline persons.
 * @public
 */
export function presenceRank(state: PresenceState): number {
  if (state.availability === 'offline') {
    return -1;
  }
  return state.lyncAvailability ?? LYNC_AVAILABILITY[state.availability];
}

/** Whether `value` is one of {@link AVAILABILITIES}. @public */
export function isAvailability(value: string): value is Availability {
  return (AVAILABILITIES as readonly string[]).includes(value);
}

/** Whether `value` is one of {@link LYNC_ACTIVITIES}. @public */
export function isLyncActivity(value: string): value is LyncActivity {
  return (LYNC_ACTIVITIES as readonly string[]).includes(value);
}
