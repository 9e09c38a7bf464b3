import type { PresenceBadgeStatus } from '@fluentui/react-components';
import type { AvailabilityName, PresenceView } from '../../../../common/agent-events';

/** The statuses the agent can choose, in the picker's order and words. */
export const STATUS_CHOICES: readonly { readonly value: AvailabilityName; readonly label: string }[] = [
  { value: 'available', label: 'Available' },
  { value: 'busy', label: 'Busy' },
  { value: 'dnd', label: 'Do not disturb' },
  { value: 'brb', label: 'Be right back' },
  { value: 'away', label: 'Away' },
  { value: 'offline', label: 'Appear offline' },
];

type Shown = PresenceView['availability'];

/** How someone's availability reads to others. */
export const AVAILABILITY_TEXT: Record<Shown, string> = {
  available: 'Available',
  busy: 'Busy',
  dnd: 'Do not disturb',
  brb: 'Be right back',
  away: 'Away',
  offline: 'Offline',
  unknown: 'Unknown',
};

/** Fluent's presence badge for an availability. */
export const BADGE_STATUS: Record<Shown, PresenceBadgeStatus> = {
  available: 'available',
  busy: 'busy',
  dnd: 'do-not-disturb',
  brb: 'away',
  away: 'away',
  offline: 'offline',
  unknown: 'unknown',
};

/** "Busy · In a conference · On queue 4": the availability, then the activity and note when they add something. */
export function presenceText(view: PresenceView): string {
  const words = view.activity?.replace(/-/g, ' ');
  const activity = words === undefined ? undefined : words.charAt(0).toUpperCase() + words.slice(1);
  const note = view.note?.trim();
  const extra = [activity !== undefined && activity.toLowerCase() !== note?.toLowerCase() ? activity : undefined, note].filter((t): t is string => t !== undefined && t !== '');
  return [AVAILABILITY_TEXT[view.availability], ...extra].join(' · ');
}
