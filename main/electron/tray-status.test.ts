import { describe, expect, it } from 'vitest';
import { initialDesktopState, type DesktopState } from '../../common/desktop-state';
import { statusLine, trayColour } from './tray-status';

const registered = (self?: DesktopState['presence']['self']): DesktopState => ({
  ...initialDesktopState(),
  connection: { phase: 'registered', aor: 'sip:agent@lab.local', lab: false },
  presence: { contacts: [], ...(self && { self }) },
});

describe('tray status', () => {
  it('shows the connection until the presence server answered', () => {
    expect(statusLine(registered())).toBe('Switchboard: registered as sip:agent@lab.local');
    expect(trayColour(registered())).toEqual(trayColour({ ...initialDesktopState(), connection: { phase: 'registered', lab: false } }));
    expect(trayColour(undefined)).toEqual(trayColour(initialDesktopState()));
  });

  it('adds the published availability and its note, and colours the icon by it', () => {
    const busy = registered({ aor: 'sip:agent@lab.local', availability: 'busy', note: 'On queue 4' });
    expect(statusLine(busy)).toBe('Switchboard: registered as sip:agent@lab.local · Busy (On queue 4)');
    expect(statusLine(registered({ aor: 'sip:agent@lab.local', availability: 'busy', activity: 'in-a-conference' }))).toContain('Busy (in a conference)');
    expect(statusLine(registered({ aor: 'sip:agent@lab.local', availability: 'dnd' }))).toContain('· Do not disturb');
    expect(trayColour(busy)).not.toEqual(trayColour(registered({ aor: 'sip:agent@lab.local', availability: 'available' })));
    expect(trayColour(registered({ aor: 'sip:agent@lab.local', availability: 'away' }))).toEqual(trayColour({ ...initialDesktopState(), connection: { phase: 'connecting', lab: false } }));
  });

  it('says when the server refused the publication, and keeps the line short', () => {
    const refused = registered({ aor: 'sip:agent@lab.local', availability: 'available', error: '489 Bad Event' });
    expect(statusLine(refused)).toContain('status not published: 489 Bad Event');
    expect(statusLine(registered({ aor: 'sip:agent@lab.local', availability: 'busy', note: 'x'.repeat(300) })).length).toBeLessThanOrEqual(120);
  });

  it('ignores the availability while not registered', () => {
    const offline: DesktopState = { ...registered({ aor: 'sip:agent@lab.local', availability: 'busy' }), connection: { phase: 'offline', lab: false } };
    expect(statusLine(offline)).toBe('Switchboard: offline');
    expect(trayColour(offline)).toEqual(trayColour({ ...initialDesktopState(), connection: { phase: 'not-configured', lab: false } }));
  });
});
