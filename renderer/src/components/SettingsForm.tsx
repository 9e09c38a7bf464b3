import { Button, Caption1, Field, Input, makeStyles, MessageBar, MessageBarBody, Select, Switch, Textarea } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import type { Settings, SettingsView } from '../../../common/bridge';
import { useDesktop } from '../store-context';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: '10px', maxWidth: '560px' },
  // Side by side when there is room, stacked in a narrow column.
  row: { display: 'flex', gap: '8px', flexWrap: 'wrap' },
  cell: { flex: '1 1 210px' },
});

type Device = { id: string; label: string };

/** Audio devices by kind; labels appear once the page may use the microphone. */
async function listDevices(): Promise<{ inputs: Device[]; outputs: Device[]; named: boolean }> {
  if (!navigator.mediaDevices?.enumerateDevices) {
    return { inputs: [], outputs: [], named: true };
  }
  const all = await navigator.mediaDevices.enumerateDevices();
  const pick = (kind: MediaDeviceKind): Device[] =>
    all.filter((d) => d.kind === kind && d.deviceId !== '').map((d, i) => ({ id: d.deviceId, label: d.label || `${kind === 'audioinput' ? 'Microphone' : 'Speaker'} ${i + 1}` }));
  // Browsers hide names (and most ids) until the page may use the microphone.
  const named = all.every((d) => d.kind === 'videoinput' || d.label !== '');
  return { inputs: pick('audioinput'), outputs: pick('audiooutput'), named };
}

/** Asks for the microphone once, only to learn the devices' names, and lets it go at once. */
async function revealDeviceNames(): Promise<void> {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  stream.getTracks().forEach((track) => track.stop());
}

/**
 * Account, decisions and devices. Remembered devices are checked against what is plugged in
 * now, and a missing one is said out loud instead of silently using another.
 */
export function SettingsForm(): React.JSX.Element {
  const styles = useStyles();
  const { store } = useDesktop();
  const [view, setView] = useState<SettingsView | undefined>();
  const [draft, setDraft] = useState<Settings | undefined>();
  const [password, setPassword] = useState('');
  const [trustText, setTrustText] = useState('');
  const [devices, setDevices] = useState<{ inputs: Device[]; outputs: Device[]; named: boolean }>({ inputs: [], outputs: [], named: true });
  const [message, setMessage] = useState<{ ok: boolean; text: string } | undefined>();
  const [notify, setNotify] = useState(() => ('Notification' in window ? Notification.permission : 'denied'));

  useEffect(() => {
    void store.call('settings.get', {}).then((v) => {
      setView(v);
      setDraft(v.settings);
      setTrustText(v.settings.trust.join('\n'));
    });
    const relist = (): void => void listDevices().then(setDevices, () => undefined);
    relist();
    // A headset plugged in or out while Settings is open shows up at once.
    navigator.mediaDevices?.addEventListener('devicechange', relist);
    return () => navigator.mediaDevices?.removeEventListener('devicechange', relist);
  }, [store]);

  if (!view || !draft) {
    return <Caption1>Loading settings…</Caption1>;
  }
  const missing = [
    draft.audioInput && devices.inputs.length > 0 && !devices.inputs.some((d) => d.id === draft.audioInput?.id) ? `microphone "${draft.audioInput.label}"` : undefined,
    draft.audioOutput && devices.outputs.length > 0 && !devices.outputs.some((d) => d.id === draft.audioOutput?.id) ? `speaker "${draft.audioOutput.label}"` : undefined,
  ].filter((m) => m !== undefined);

  const save = (clearPassword = false): void => {
    const settings: Settings = { ...draft, trust: trustText.split(/\s+/).map((t) => t.trim()).filter((t) => t !== '') };
    setMessage(undefined);
    store
      .call('settings.set', { settings, ...(password !== '' && { password }), ...(clearPassword && { clearPassword: true }) })
      .then(
        ({ restarted, ...v }) => {
          setView(v);
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
  const device = (list: Device[], id: string): Device | undefined => list.find((d) => d.id === id);

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
            void revealDeviceNames()
              .then(listDevices)
              .then(setDevices, (e: Error) => setMessage({ ok: false, text: `The microphone is not available: ${e.message}` }))
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
