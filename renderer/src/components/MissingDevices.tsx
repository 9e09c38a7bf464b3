import { MessageBar, MessageBarBody } from '@fluentui/react-components';
import { missingDevices, useAudioDevices } from '../hooks/use-audio-devices';
import { useSettings } from '../hooks/use-settings';

/**
 * Says at start, before any call, when a remembered microphone or speaker is not plugged in,
 * and goes away as soon as it is. The main window unmounts it while Settings is open, so the
 * settings are read again (once) after the agent may have changed them.
 */
export function MissingDevices(): React.JSX.Element | null {
  const settings = useSettings().stored?.settings;
  const { devices } = useAudioDevices();
  const missing = settings ? missingDevices(settings, devices) : [];
  if (missing.length === 0) {
    return null;
  }
  return (
    <MessageBar intent="warning" data-notice="devices">
      <MessageBarBody>
        Your {missing.join(' and ')} is not connected: calls use the system default until it is back, or choose another in Settings.
      </MessageBarBody>
    </MessageBar>
  );
}
