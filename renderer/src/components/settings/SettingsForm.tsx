import { Button, Caption1, Field, Input, MessageBar, MessageBarBody, Switch, Textarea } from '@fluentui/react-components';
import { useState } from 'react';
import type { SettingsView } from '../../../../common/bridge';
import { useAudioDevices, type AudioDeviceList } from '../../hooks/use-audio-devices';
import { useSettings, type StoredSettings } from '../../hooks/use-settings';
import { AccountFields } from './AccountFields';
import { DeviceFields } from './DeviceFields';
import { useSettingsStyles } from './settings-styles';
import { parseHistoryDays, useSettingsDraft, type SettingsDraft } from './use-settings-draft';

/** Asks once for desktop notifications (new toasts while the page is hidden); gone once allowed. */
function AllowNotifications(): React.JSX.Element | null {
  const [notify, setNotify] = useState(() => ('Notification' in window ? Notification.permission : 'denied'));
  if (!('Notification' in window) || notify === 'granted') {
    return null;
  }
  return (
    <Button type="button" onClick={() => void Notification.requestPermission().then(setNotify)}>
      Allow desktop notifications
    </Button>
  );
}

/** How long conversations (chat, joins, panes) stay on this computer; 0 keeps none. */
function HistoryField({ edit }: { edit: SettingsDraft }): React.JSX.Element {
  const { historyText, setHistoryText } = edit;
  const valid = parseHistoryDays(historyText) !== undefined;
  return (
    <Field
      label="Keep conversation history for N days"
      hint="Chats and what happened in each conversation, on this computer. 0 keeps none."
      validationState={valid ? 'none' : 'error'}
      validationMessage={valid ? undefined : 'A whole number of days, from 0 to 3650'}
    >
      <Input type="number" min={0} max={3650} value={historyText} contentAfter="days" style={{ maxWidth: '180px' }} onChange={(_, d) => setHistoryText(d.value)} />
    </Field>
  );
}

/**
 * Account, decisions and devices. Remembered devices are checked against what is plugged in
 * now, and a missing one is said out loud instead of silently using another.
 */
export function SettingsForm(): React.JSX.Element {
  const { stored, save } = useSettings();
  const audio = useAudioDevices();
  if (!stored) {
    return <Caption1>Loading settings…</Caption1>;
  }
  return <SettingsEditor view={stored} saveSettings={save} audio={audio} />;
}

/** The form itself, starting from the settings as loaded; `view` follows each save. */
function SettingsEditor({ view, saveSettings, audio }: { view: SettingsView; saveSettings: StoredSettings['save']; audio: AudioDeviceList }): React.JSX.Element {
  const styles = useSettingsStyles();
  const edit = useSettingsDraft(view, saveSettings);
  const { draft, setDraft, trustText, setTrustText, message, save } = edit;
  return (
    <form className={styles.form} aria-label="Settings" onSubmit={(e) => { e.preventDefault(); save(); }}>
      <AccountFields view={view} edit={edit} />
      <Switch checked={draft.autoAccept} label="Accept every valid invitation and channel without asking" onChange={(_, d) => setDraft({ ...draft, autoAccept: d.checked })} />
      <Field label="Trusted senders (one SIP address per line)" hint="Only these may open extension panes inside a conference.">
        <Textarea value={trustText} rows={3} onChange={(_, d) => setTrustText(d.value)} />
      </Field>
      <DeviceFields edit={edit} audio={audio} />
      <HistoryField edit={edit} />
      <AllowNotifications />
      <div className={styles.row}>
        <Button type="submit" appearance="primary">
          Save and sign in
        </Button>
        {view.passwordStored && (
          <Button type="button" onClick={() => save(true)}>
            Forget password
          </Button>
        )}
      </div>
      {message && (
        <MessageBar intent={message.ok ? 'success' : 'error'}>
          <MessageBarBody>{message.text}</MessageBarBody>
        </MessageBar>
      )}
      <Caption1>Settings are kept in {view.configDir}</Caption1>
    </form>
  );
}
