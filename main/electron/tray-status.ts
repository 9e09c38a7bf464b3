import type { PresenceView } from '../../common/agent-events';
import type { ConnectionPhase, DesktopState } from '../../common/desktop-state';

/** An icon colour, red, green and blue. */
export type Rgb = readonly [number, number, number];

const GREEN: Rgb = [0x2e, 0x9e, 0x44];
const AMBER: Rgb = [0xd9, 0x8e, 0x04];
const GREY: Rgb = [0x8a, 0x8a, 0x8a];
const RED: Rgb = [0xc5, 0x1f, 0x1f];

/** Until registered: green registered, amber on the way, grey offline, red failed. */
const PHASE_COLOURS: Record<ConnectionPhase, Rgb> = {
  registered: GREEN,
  starting: AMBER,
  connecting: AMBER,
  reconnecting: AMBER,
  offline: GREY,
  'not-configured': GREY,
  failed: RED,
};

/** Once registered, the agent's availability as others see it, in Lync's colours. */
const AVAILABILITY_COLOURS: Record<PresenceView['availability'], Rgb> = {
  available: GREEN,
  busy: RED,
  dnd: RED,
  brb: AMBER,
  away: AMBER,
  offline: GREY,
  unknown: GREEN,
};

const AVAILABILITY_TEXT: Record<PresenceView['availability'], string> = {
  available: 'Available',
  busy: 'Busy',
  dnd: 'Do not disturb',
  brb: 'Be right back',
  away: 'Away',
  offline: 'Appear offline',
  unknown: 'status not published yet',
};

/** The tray icon's colour: the connection until registered, then the published availability. */
export function trayColour(state: DesktopState | undefined): Rgb {
  const phase = state?.connection.phase ?? 'starting';
  const self = state?.presence.self;
  return phase === 'registered' && self !== undefined ? AVAILABILITY_COLOURS[self.availability] : PHASE_COLOURS[phase];
}

/** "Busy (On queue 4)", or the refusal when the presence server did not take it. */
function availabilityText(self: PresenceView): string {
  if (self.error !== undefined) {
    return `status not published: ${self.error}`;
  }
  const note = self.note ?? self.activity?.replace(/-/g, ' ');
  return `${AVAILABILITY_TEXT[self.availability]}${note !== undefined && note !== '' ? ` (${note})` : ''}`;
}

/** The tooltip: one line saying whether calls can reach the agent, and how others see them. */
export function statusLine(state: DesktopState): string {
  const { connection } = state;
  const lab = connection.lab ? ' (embedded lab)' : '';
  switch (connection.phase) {
    case 'registered': {
      const self = state.presence.self;
      const availability = self !== undefined ? ` · ${availabilityText(self)}` : '';
      return `Switchboard: registered as ${connection.aor ?? 'agent'}${lab}${availability}`.slice(0, 120);
    }
    case 'starting':
      return `Switchboard: starting${lab}`;
    case 'connecting':
      return `Switchboard: connecting${connection.server !== undefined ? ` to ${connection.server}` : ''}${lab}`;
    case 'reconnecting':
      return `Switchboard: reconnecting${connection.reason !== undefined ? ` (${connection.reason})` : ''}`;
    case 'offline':
      return 'Switchboard: offline';
    case 'not-configured':
      return 'Switchboard: no account configured';
    case 'failed':
      return `Switchboard: failed${connection.reason !== undefined ? `: ${connection.reason}` : ''}`.slice(0, 120);
  }
}
