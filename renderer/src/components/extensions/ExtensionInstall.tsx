import { Button, Field, Input, makeStyles, Subtitle2 } from '@fluentui/react-components';
import { useState } from 'react';
import { useAppInfo } from '../../hooks/use-app-info';
import { useExtensionActions, type InstalledExtension } from '../../hooks/use-extensions';
import type { RunAction } from './use-action-outcome';

const useStyles = makeStyles({
  install: { display: 'flex', gap: '8px', alignItems: 'flex-end', flexWrap: 'wrap' },
});

const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

const installed = (r: InstalledExtension): string => `Installed ${r.name} ${r.version}${r.replacedVersion ? ` (replaced ${r.replacedVersion})` : ''}`;

/** An archive read in the window: the browser host cannot open the agent's files itself. */
function ExtensionUpload({ busy, act, onRefused }: { busy: boolean; act: RunAction; onRefused: (text: string) => void }): React.JSX.Element {
  const { upload } = useExtensionActions();
  return (
    <Field label="Or upload an archive (.zip, .tgz, .tar.gz)">
      <input
        type="file"
        accept=".zip,.tgz,.tar.gz"
        aria-label="Upload an extension archive"
        disabled={busy}
        onChange={(event) => {
          const file = event.target.files?.[0];
          event.target.value = '';
          if (!file) {
            return;
          }
          if (file.size > MAX_UPLOAD_BYTES) {
            onRefused(`${file.name} is larger than 20 MiB`);
            return;
          }
          act(async () => installed(await upload(file)));
        }}
      />
    </Field>
  );
}

/** Install from a package folder or archive on this computer (Browse… in Electron), or upload one. */
export function ExtensionInstall({ busy, act, onRefused }: { busy: boolean; act: RunAction; onRefused: (text: string) => void }): React.JSX.Element {
  const styles = useStyles();
  const electron = useAppInfo()?.host === 'electron';
  const { pick, install } = useExtensionActions();
  const [path, setPath] = useState('');
  const browse = (): void =>
    act(async () => {
      const picked = await pick();
      if (picked) {
        setPath(picked);
      }
      return picked ? `Chosen ${picked}` : 'Nothing chosen';
    });
  return (
    <>
      <Subtitle2>Install</Subtitle2>
      <div className={styles.install}>
        <Field label="Package folder or archive on this computer" style={{ flexGrow: 1 }}>
          <Input value={path} onChange={(_, d) => setPath(d.value)} placeholder="/home/agent/Downloads/crm-context.zip" />
        </Field>
        {electron && (
          <Button disabled={busy} onClick={browse}>
            Browse…
          </Button>
        )}
        <Button appearance="primary" disabled={busy || path.trim() === ''} onClick={() => act(async () => installed(await install(path.trim())))}>
          Install
        </Button>
      </div>
      <ExtensionUpload busy={busy} act={act} onRefused={onRefused} />
    </>
  );
}
