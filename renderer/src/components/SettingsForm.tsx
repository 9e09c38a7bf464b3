import { Button, Caption1, Field, Input, makeStyles, MessageBar, MessageBarBody, Select, Switch, Textarea } from '@fluentui/react-components';
import { useState } from 'react';
import type { Settings, SettingsView } from '../../../common/bridge';
import { missingDevices, useAudioDevices, type Device } from '../hooks/use-audio-devices';
import { useSettings, type StoredSettings } from '../hooks/use-settings';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: '10px', maxWidth: '560px' },
  // Side by side when there is room, stacked in a narrow column.
  row: { display: 'flex', gap: '8px', flexWrap: 'wrap' },
  cell: { flex: '1 1 210px' },
});

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
function SettingsEditor({ view, saveSettings, audio }: { view: SettingsView; saveSettings: StoredSettings['save']; audio: ReturnType<typeof useAudioDevices> }): React.JSX.Element {
  const styles = useStyles();
  const [draft, setDraft] = useState<Settings>(view.settings);
  const [password, setPassword] = useState('');
  const [trustText, setTrustText] = useState(() => view.settings.trust.join('\n'));
  const { devices, revealNames } = audio;
  const [message, setMessage] = useState<{ ok: boolean; text: string } | undefined>();
  const [notify, setNotify] = useState(() => ('Notification' in window ? Notification.permission : 'denied'));
  const missing = missingDevices(draft, devices);

  const save = (clearPassword = false): void => {
    const settings: Settings = { ...draft, trust: trustText.split(/\s+/).map((t) => t.trim()).filter((t) => t !== '') };
    setMessage(undefined);
    saveSettings({ settings, ...(password !== '' && { password }), ...(clearPassword && { clearPassword: true }) }).then(
      ({ restarted }) => {
        setPassword('');
        const text = !restarted
          ? 'Saved. Calls in progress use these devices now.'
          : settings.server === ''
            ? 'Saved. No account: the embedded lab starts.'
            : `Saved. Signing in to ${settings.server}…`;
        setMessage({ ok: true, text });
      },
      (e: Error) => setMessage({ ok: false, text: e.message }),
    );
  };
  const device = (list: readonly Device[], id: string): Device | undefined => list.find((d) => d.id === id);

  return (
    <form className={styles.form} aria-label="Settings" onSubmit={(e) => { e.preventDefault(); save(); }}>
      <Field label="Server (WebSocket URL)" hint="Leave server and address empty to use the embedded lab.">
        <Input value={draft.server} placeholder="wss://sip.example.com:443" onChange={(_, d) => setDraft({ ...draft, server: d.value.trim() })} />
      </Field>
      <Field label="Your address">
        <Input value={draft.aor} placeholder="sip:agent@example.com" onChange={(_, d) => setDraft({ ...draft, aor: d.value.trim() })} />
      </Field>
      <div className={styles.row}>
        <Field label="User name for sign-in (optional)" className={styles.cell}>
          <Input value={draft.authUser ?? ''} onChange={(_, d) => setDraft({ ...draft, authUser: d.value.trim() })} />
        </Field>
        <Field
          label="Password"
          className={styles.cell}
          hint={view.passwordStored ? (view.passwordStorage === 'os-keychain' ? 'Saved in your system keychain' : 'Kept for this session only') : view.passwordStorage === 'os-keychain' ? 'Will be saved in your system keychain' : 'Not saved: the browser host keeps it only until it stops'}
        >
          <Input type="password" value={password} autoComplete="current-password" onChange={(_, d) => setPassword(d.value)} />
        </Field>
      </div>
      <Switch checked={draft.autoAccept} label="Accept every valid invitation and channel without asking" onChange={(_, d) => setDraft({ ...draft, autoAccept: d.checked })} />
      <Field label="Trusted senders (one SIP address per line)" hint="Only these may open extension panes inside a conference.">
        <Textarea value={trustText} rows={3} onChange={(_, d) => setTrustText(d.value)} />
      </Field>
      <div className={styles.row}>
        <Field label="Microphone" className={styles.cell}>
          <Select value={draft.audioInput?.id ?? ''} onChange={(_, d) => setDraft({ ...draft, ...(device(devices.inputs, d.value) ? { audioInput: device(devices.inputs, d.value) } : { audioInput: undefined }) })}>
            <option value="">System default</option>
            {devices.inputs.map((d) => (
              <option key={d.id} value={d.id}>
                {d.label}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Speaker" className={styles.cell}>
          <Select value={draft.audioOutput?.id ?? ''} onChange={(_, d) => setDraft({ ...draft, ...(device(devices.outputs, d.value) ? { audioOutput: device(devices.outputs, d.value) } : { audioOutput: undefined }) })}>
            <option value="">System default</option>
            {devices.outputs.map((d) => (
              <option key={d.id} value={d.id}>
                {d.label}
              </option>
            ))}
          </Select>
        </Field>
      </div>
      {!devices.named && (
        <Button
          type="button"
          onClick={() =>
            void revealNames().catch((e: Error) => setMessage({ ok: false, text: `The microphone is not available: ${e.message}` }))
          }
        >
          Show device names (asks for the microphone)
        </Button>
      )}
      <Switch checked={draft.ring !== false} label="Ring on the speaker when an invitation or channel request arrives" onChange={(_, d) => setDraft({ ...draft, ring: d.checked })} />
      {missing.length > 0 && (
        <MessageBar intent="warning">
          <MessageBarBody>Your {missing.join(' and ')} is not connected now; the system default is used until it is back.</MessageBarBody>
        </MessageBar>
      )}
      {'Notification' in window && notify !== 'granted' && (
        <Button type="button" onClick={() => void Notification.requestPermission().then(setNotify)}>
          Allow desktop notifications
        </Button>
      )}
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
