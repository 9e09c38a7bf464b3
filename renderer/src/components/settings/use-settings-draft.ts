import { useState } from 'react';
import type { Settings, SettingsView } from '../../../../common/bridge';
import type { StoredSettings } from '../../hooks/use-settings';

/** What the last save (or a device problem) said. */
export type SettingsMessage = { readonly ok: boolean; readonly text: string };

/** The form's edits before they are saved, and the save that words its outcome. */
export type SettingsDraft = {
  readonly draft: Settings;
  readonly setDraft: (draft: Settings) => void;
  /** A new password, or '' to keep the stored one. */
  readonly password: string;
  readonly setPassword: (password: string) => void;
  /** The trusted senders as typed, one per line. */
  readonly trustText: string;
  readonly setTrustText: (text: string) => void;
  /** Days of conversation history to keep, as typed. */
  readonly historyText: string;
  readonly setHistoryText: (text: string) => void;
  readonly message: SettingsMessage | undefined;
  readonly setMessage: (message: SettingsMessage | undefined) => void;
  readonly save: (clearPassword?: boolean) => void;
};

/** What a save did, in the agent's words: the calls go on, the lab starts, or it signs in again. */
function savedText(restarted: boolean, settings: Settings): string {
  if (!restarted) {
    return 'Saved. Calls in progress use these devices now.';
  }
  return settings.server === '' ? 'Saved. No account: the embedded lab starts.' : `Saved. Signing in to ${settings.server}…`;
}

/** Days conversation history is kept when the settings do not say (the host's default). */
export const DEFAULT_HISTORY_DAYS = 30;
/** The most days of history the host keeps. */
const MAX_HISTORY_DAYS = 3650;

/** The days typed, or undefined when they are not a whole number from 0 to {@link MAX_HISTORY_DAYS}. */
export function parseHistoryDays(text: string): number | undefined {
  const days = /^\s*\d{1,4}\s*$/.test(text) ? Number(text) : Number.NaN;
  return Number.isInteger(days) && days >= 0 && days <= MAX_HISTORY_DAYS ? days : undefined;
}

/**
 * The settings being edited, starting from those loaded: the password field is always empty
 * (the host never gives it back), and the trusted senders are edited as text.
 */
export function useSettingsDraft(loaded: SettingsView, saveSettings: StoredSettings['save']): SettingsDraft {
  const [draft, setDraft] = useState<Settings>(loaded.settings);
  const [password, setPassword] = useState('');
  const [trustText, setTrustText] = useState(() => loaded.settings.trust.join('\n'));
  const [historyText, setHistoryText] = useState(() => String(loaded.settings.historyDays ?? DEFAULT_HISTORY_DAYS));
  const [message, setMessage] = useState<SettingsMessage | undefined>();
  const save = (clearPassword = false): void => {
    const historyDays = parseHistoryDays(historyText);
    if (historyDays === undefined) {
      setMessage({ ok: false, text: `Keep conversation history for 0 to ${MAX_HISTORY_DAYS} days.` });
      return;
    }
    const settings: Settings = { ...draft, trust: trustText.split(/\s+/).map((t) => t.trim()).filter((t) => t !== ''), historyDays };
    setMessage(undefined);
    saveSettings({ settings, ...(password !== '' && { password }), ...(clearPassword && { clearPassword: true }) }).then(
      ({ restarted }) => {
        setPassword('');
        setMessage({ ok: true, text: savedText(restarted, settings) });
      },
      (e: Error) => setMessage({ ok: false, text: e.message }),
    );
  };
  return { draft, setDraft, password, setPassword, trustText, setTrustText, historyText, setHistoryText, message, setMessage, save };
}
