import { Button, Field, MessageBar, MessageBarBody, Select, Switch } from '@fluentui/react-components';
import { missingDevices, type AudioDeviceList, type Device } from '../../hooks/use-audio-devices';
import { useSettingsStyles } from './settings-styles';
import type { SettingsDraft } from './use-settings-draft';

/** One device list, with the system default first; `undefined` means the default. */
function DeviceSelect({ label, devices, chosen, onChoose }: { label: string; devices: readonly Device[]; chosen: Device | undefined; onChoose: (device: Device | undefined) => void }): React.JSX.Element {
  const styles = useSettingsStyles();
  return (
    <Field label={label} className={styles.cell}>
      <Select value={chosen?.id ?? ''} onChange={(_, d) => onChoose(devices.find((device) => device.id === d.value))}>
        <option value="">System default</option>
        {devices.map((d) => (
          <option key={d.id} value={d.id}>
            {d.label}
          </option>
        ))}
      </Select>
    </Field>
  );
}

/**
 * Microphone, speaker and ringing. A remembered device that is not plugged in now is said out
 * loud instead of silently using another.
 */
export function DeviceFields({ edit, audio }: { edit: SettingsDraft; audio: AudioDeviceList }): React.JSX.Element {
  const styles = useSettingsStyles();
  const { draft, setDraft, setMessage } = edit;
  const { devices, revealNames } = audio;
  const missing = missingDevices(draft, devices);
  return (
    <>
      <div className={styles.row}>
        <DeviceSelect label="Microphone" devices={devices.inputs} chosen={draft.audioInput} onChoose={(audioInput) => setDraft({ ...draft, audioInput })} />
        <DeviceSelect label="Speaker" devices={devices.outputs} chosen={draft.audioOutput} onChoose={(audioOutput) => setDraft({ ...draft, audioOutput })} />
      </div>
      {!devices.named && (
        <Button type="button" onClick={() => void revealNames().catch((e: Error) => setMessage({ ok: false, text: `The microphone is not available: ${e.message}` }))}>
          Show device names (asks for the microphone)
        </Button>
      )}
      <Switch checked={draft.ring !== false} label="Ring on the speaker when an invitation or channel request arrives" onChange={(_, d) => setDraft({ ...draft, ring: d.checked })} />
      {missing.length > 0 && (
        <MessageBar intent="warning">
          <MessageBarBody>Your {missing.join(' and ')} is not connected now; the system default is used until it is back.</MessageBarBody>
        </MessageBar>
      )}
    </>
  );
}
