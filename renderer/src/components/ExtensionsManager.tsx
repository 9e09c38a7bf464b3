import { Badge, Button, Caption1, Field, Input, makeStyles, MessageBar, MessageBarBody, Subtitle2, tokens } from '@fluentui/react-components';
import { Delete20Regular } from '@fluentui/react-icons';
import { useState } from 'react';
import { useAppInfo } from '../hooks/use-app-info';
import { useExtensionActions, useExtensionListing, type InstalledExtension } from '../hooks/use-extensions';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: '12px' },
  table: { width: '100%', borderCollapse: 'collapse', '& td, & th': { textAlign: 'left', padding: '6px 4px', borderBottom: `1px solid ${tokens.colorNeutralStroke2}` } },
  install: { display: 'flex', gap: '8px', alignItems: 'flex-end', flexWrap: 'wrap' },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: '11px' },
});

const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

/** Installed extensions (with the administrator's marked), install from a path or archive, remove. */
export function ExtensionsManager(): React.JSX.Element {
  const styles = useStyles();
  const [path, setPath] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | undefined>();
  const [busy, setBusy] = useState(false);
  const electron = useAppInfo()?.host === 'electron';
  const listing = useExtensionListing((text) => setMessage({ ok: false, text }));
  const extensions = useExtensionActions();

  const act = (work: () => Promise<string>): void => {
    setBusy(true);
    setMessage(undefined);
    work().then(
      (text) => setMessage({ ok: true, text }),
      (e: Error) => setMessage({ ok: false, text: e.message }),
    ).finally(() => setBusy(false));
  };
  const installed = (r: InstalledExtension): string =>
    `Installed ${r.name} ${r.version}${r.replacedVersion ? ` (replaced ${r.replacedVersion})` : ''}`;

  return (
    <section className={styles.root} aria-label="Extensions">
      {listing && !listing.userInstallsAllowed && (
        <MessageBar intent="info">
          <MessageBarBody>Your administrator has turned off personal extensions; only provisioned ones run.</MessageBarBody>
        </MessageBar>
      )}
      <table className={styles.table} aria-label="installed extensions">
        <thead>
          <tr>
            <th>Name</th>
            <th>Version</th>
            <th>Source</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {listing?.extensions.map((e) => (
            <tr key={`${e.scope}:${e.id}`} data-extension={e.id}>
              <td>
                {e.name}
                <div className={styles.mono}>{e.id}</div>
              </td>
              <td>{e.version}</td>
              <td>
                {e.scope === 'machine' ? <Badge color="brand">Provisioned by your administrator</Badge> : <Badge appearance="outline">Installed by you</Badge>}{' '}
                {e.shadowed && <Badge color="warning">Hidden by the provisioned copy</Badge>}
                {e.forbidden && <Badge color="danger">Blocked by policy</Badge>}
              </td>
              <td>
                {e.scope === 'user' && (
                  <Button size="small" icon={<Delete20Regular />} disabled={busy} aria-label={`Remove ${e.name}`} onClick={() => act(async () => {
                    const r = await extensions.remove(e.id);
                    return `Removed ${e.name}${r.machineCopyRemains ? '; the provisioned copy stays' : ''}`;
                  })}>
                    Remove
                  </Button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {listing?.extensions.length === 0 && <Caption1>No extensions installed.</Caption1>}
      {listing && listing.problems.length > 0 && (
        <MessageBar intent="warning">
          <MessageBarBody>
            Skipped: {listing.problems.map((p) => `${p.location}: ${p.message}`).join('; ')}
          </MessageBarBody>
        </MessageBar>
      )}
      <Subtitle2>Install</Subtitle2>
      <div className={styles.install}>
        <Field label="Package folder or archive on this computer" style={{ flexGrow: 1 }}>
          <Input value={path} onChange={(_, d) => setPath(d.value)} placeholder="/home/agent/Downloads/crm-context.zip" />
        </Field>
        {electron && (
          <Button disabled={busy} onClick={() => act(async () => {
            const picked = await extensions.pick();
            if (picked) {
              setPath(picked);
            }
            return picked ? `Chosen ${picked}` : 'Nothing chosen';
          })}>
            Browse…
          </Button>
        )}
        <Button appearance="primary" disabled={busy || path.trim() === ''} onClick={() => act(async () => installed(await extensions.install(path.trim())))}>
          Install
        </Button>
      </div>
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
              setMessage({ ok: false, text: `${file.name} is larger than 20 MiB` });
              return;
            }
            act(async () => installed(await extensions.upload(file)));
          }}
        />
      </Field>
      {message && (
        <MessageBar intent={message.ok ? 'success' : 'error'}>
          <MessageBarBody>{message.text}</MessageBarBody>
        </MessageBar>
      )}
      {listing && (
        <Caption1>
          Your extensions: {listing.userDir} · Provisioned: {listing.machineDir}
        </Caption1>
      )}
    </section>
  );
}
