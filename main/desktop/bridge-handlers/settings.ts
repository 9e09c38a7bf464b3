import type { Settings, SettingsView } from '../../../common/bridge';
import { fail } from './failures';
import type { AreaHandlers } from './types';

/** What the settings handlers need of the session. */
export type SettingsAreaContext = {
  /** The settings as a window sees them: never the password itself. */
  readonly settingsView: () => Promise<SettingsView>;
  /** Keeps the password in the host's secret store, or forgets it (undefined). */
  readonly storePassword: (secret: string | undefined) => Promise<void>;
  /** Writes `settings.json` and makes `settings` current (the ring preference applies at once); resolves with the settings they replace. */
  readonly saveSettings: (settings: Settings) => Promise<Settings>;
  /** Stops the agent (or the lab) and starts it again with the current settings. */
  readonly restartAgent: () => void;
  /** Switches the calls in progress to the current microphone and speaker. */
  readonly switchDevices: () => void;
};

/** The bridge methods of the Settings dialog. */
export type SettingsMethod = 'settings.get' | 'settings.set';

/**
 * `settings.get` and `settings.set` of `common/bridge.ts`. Saving a change to the account or
 * its decisions (or to the password) restarts the agent with it (`restarted`); a change of
 * devices only switches the calls in progress, keeping the registration.
 */
export function settingsHandlers(context: SettingsAreaContext): AreaHandlers<SettingsMethod> {
  return {
    'settings.get': () => context.settingsView(),
    'settings.set': async ({ settings, password, clearPassword }) => {
      if ((settings.server === '') !== (settings.aor === '')) {
        return fail('bad-request', 'enter both the server and your address, or neither (to use the embedded lab)');
      }
      const newPassword = password !== undefined && password !== '';
      if (clearPassword === true) {
        await context.storePassword(undefined);
      } else if (newPassword) {
        await context.storePassword(password);
      }
      const previous = await context.saveSettings(settings);
      const restarted = needsRestart(previous, settings) || clearPassword === true || newPassword;
      if (restarted) {
        context.restartAgent();
      } else {
        context.switchDevices();
      }
      return { ...(await context.settingsView()), restarted };
    },
  };
}

/** Whether new settings change the account or its decisions, which needs a new agent. */
function needsRestart(before: Settings, after: Settings): boolean {
  const account = (s: Settings): string => JSON.stringify([s.server, s.aor, s.authUser ?? '', s.autoAccept, [...s.trust].sort()]);
  return account(before) !== account(after);
}
