import { useEffect } from 'react';
import { relayInput, watchForIdle } from '../presence/activity-relay';
import { useDesktopStore } from '../store-context';

/**
 * Idle presence: the main window reports `presence.idle` true after 5 minutes without keyboard
 * or mouse input in any Switchboard window it can see (its own, and the conversation and toast
 * windows, which relay their input to it), and false at the next input. It says "not idle"
 * once when it starts, so a reloaded window does not leave the agent Away.
 * @param mainWindow - this page is the main window (it reports); any other page relays.
 * @remarks Input inside an extension pane is not seen: the pane is another origin (browser
 * host) or another view (Electron).
 */
export function useIdleReporting(mainWindow: boolean): void {
  const store = useDesktopStore();
  useEffect(() => {
    if (!mainWindow) {
      return relayInput();
    }
    const report = (idle: boolean): void => void store.call('presence.idle', { idle }).catch(() => undefined);
    report(false);
    return watchForIdle(report);
  }, [store, mainWindow]);
}
