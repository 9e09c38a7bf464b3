import { MessageBar, MessageBarBody } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import type { Settings } from '../../../common/bridge';
import { missingDevices, useAudioDevices } from '../hooks/use-audio-devices';
import { useDesktop } from '../store-context';

/**
 * Says at start, before any call, when a remembered microphone or speaker is not plugged in,
 * and goes away as soon as it is. The main window unmounts it while Settings is open, so the
 * settings are read again (once) after the agent may have changed them.
 */
export function MissingDevices(): React.JSX.Element | null {
  const { store } = useDesktop();
  const { devices } = useAudioDevices();
  const [settings, setSettings] = useState<Settings | undefined>();
  useEffect(() => {
    let live = true;
    store.call('settings.get', {}).then((view) => live && setSettings(view.settings), () => undefined);
    return () => {
      live = false;
    };
  }, [store]);
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
