import { Caption1, makeStyles, MessageBar, MessageBarBody } from '@fluentui/react-components';
import { useExtensionListing } from '../../hooks/use-extensions';
import { ExtensionInstall } from './ExtensionInstall';
import { ExtensionTable } from './ExtensionTable';
import { useActionOutcome } from './use-action-outcome';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: '12px' },
});

/** Installed extensions (with the administrator's marked), install from a path or archive, remove. */
export function ExtensionsManager(): React.JSX.Element {
  const styles = useStyles();
  const { busy, message, act, fail } = useActionOutcome();
  const listing = useExtensionListing(fail);
  return (
    <section className={styles.root} aria-label="Extensions">
      {listing && !listing.userInstallsAllowed && (
        <MessageBar intent="info">
          <MessageBarBody>Your administrator has turned off personal extensions; only provisioned ones run.</MessageBarBody>
        </MessageBar>
      )}
      <ExtensionTable extensions={listing?.extensions} busy={busy} act={act} />
      {listing?.extensions.length === 0 && <Caption1>No extensions installed.</Caption1>}
      {listing && listing.problems.length > 0 && (
        <MessageBar intent="warning">
          <MessageBarBody>
            Skipped: {listing.problems.map((p) => `${p.location}: ${p.message}`).join('; ')}
          </MessageBarBody>
        </MessageBar>
      )}
      <ExtensionInstall busy={busy} act={act} onRefused={fail} />
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
