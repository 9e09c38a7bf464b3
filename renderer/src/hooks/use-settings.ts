import { useEffect, useState } from 'react';
import type { BridgeParams, Settings, SettingsView } from '../../../common/bridge';
import { useDesktopStore } from '../store-context';

/** A settings change as the host takes it: the settings, and a new password or none. */
export type SettingsChange = BridgeParams<'settings.set'>;

/** The settings without the keys whose value is undefined (IPC would carry them as such). */
function withoutUndefined(settings: Settings): Settings {
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined)) as Settings;
}

/** The settings as stored, and a way to store new ones. */
export type StoredSettings = {
  /** Undefined until the host answered (and while it cannot). */
  readonly stored: SettingsView | undefined;
  /**
   * Saves a change; `stored` follows. Resolves with `restarted`: whether the agent signs in
   * again (an account change) or the calls go on (only the devices changed). The status and
   * the watched contacts are kept as the host has them at that moment: the status picker and
   * the contacts section change them, not this form's copy.
   */
  readonly save: (change: SettingsChange) => Promise<{ restarted: boolean }>;
};

/**
 * The agent's settings as the host stores them (never the password itself), read once when the
 * component mounts: Settings edits them, and the main window checks the remembered devices.
 */
export function useSettings(): StoredSettings {
  const store = useDesktopStore();
  const [stored, setStored] = useState<SettingsView | undefined>();
  useEffect(() => {
    let live = true;
    store.call('settings.get', {}).then((view) => live && setStored(view), () => undefined);
    return () => {
      live = false;
    };
  }, [store]);
  const save = async (change: SettingsChange): Promise<{ restarted: boolean }> => {
    const { settings: current } = await store.call('settings.get', {});
    const settings = withoutUndefined({ ...change.settings, presence: current.presence, watch: current.watch });
    const { restarted, ...view } = await store.call('settings.set', { ...change, settings });
    setStored(view);
    return { restarted };
  };
  return { stored, save };
}
