import { Badge, Button, makeStyles, tokens } from '@fluentui/react-components';
import { Delete20Regular } from '@fluentui/react-icons';
import type { ExtensionInfo } from '../../../../common/bridge';
import { useExtensionActions } from '../../hooks/use-extensions';
import type { RunAction } from './use-action-outcome';

const useStyles = makeStyles({
  table: { width: '100%', borderCollapse: 'collapse', '& td, & th': { textAlign: 'left', padding: '6px 4px', borderBottom: `1px solid ${tokens.colorNeutralStroke2}` } },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: '11px' },
});

/** Who put the extension there, and why it may not run. */
function SourceBadges({ extension: e }: { extension: ExtensionInfo }): React.JSX.Element {
  return (
    <>
      {e.scope === 'machine' ? <Badge color="brand">Provisioned by your administrator</Badge> : <Badge appearance="outline">Installed by you</Badge>}{' '}
      {e.shadowed && <Badge color="warning">Hidden by the provisioned copy</Badge>}
      {e.forbidden && <Badge color="danger">Blocked by policy</Badge>}
    </>
  );
}

/** The installed extensions, the administrator's marked, with Remove on the agent's own. */
export function ExtensionTable({ extensions, busy, act }: { extensions: readonly ExtensionInfo[] | undefined; busy: boolean; act: RunAction }): React.JSX.Element {
  const styles = useStyles();
  const { remove } = useExtensionActions();
  const removeOne = (e: ExtensionInfo): void =>
    act(async () => {
      const r = await remove(e.id);
      return `Removed ${e.name}${r.machineCopyRemains ? '; the provisioned copy stays' : ''}`;
    });
  return (
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
        {extensions?.map((e) => (
          <tr key={`${e.scope}:${e.id}`} data-extension={e.id}>
            <td>
              {e.name}
              <div className={styles.mono}>{e.id}</div>
            </td>
            <td>{e.version}</td>
            <td>
              <SourceBadges extension={e} />
            </td>
            <td>
              {e.scope === 'user' && (
                <Button size="small" icon={<Delete20Regular />} disabled={busy} aria-label={`Remove ${e.name}`} onClick={() => removeOne(e)}>
                  Remove
                </Button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
