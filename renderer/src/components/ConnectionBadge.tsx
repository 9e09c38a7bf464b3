import { Badge, Caption1 } from '@fluentui/react-components';
import type { DesktopState } from '../../../common/desktop-state';
import type { LinkStatus } from '../bridge/socket-bridge';

const LABELS = {
  'not-configured': ['No account', 'informative'],
  starting: ['Starting', 'informative'],
  connecting: ['Connecting', 'warning'],
  registered: ['Registered', 'success'],
  reconnecting: ['Reconnecting', 'warning'],
  offline: ['Offline', 'danger'],
  failed: ['Not signed in', 'danger'],
} as const;

/** Registration state with its reason, the first thing an agent looks at. */
export function ConnectionBadge({ state, link }: { state: DesktopState | undefined; link: LinkStatus }): React.JSX.Element {
  if (link !== 'open' || !state) {
    return (
      <span role="status" aria-label="connection" style={{ display: 'inline-flex', gap: 8, alignItems: 'center' }}>
        <Badge appearance="filled" color="danger">
          {link === 'closed' ? 'Host unreachable' : 'Connecting to host'}
        </Badge>
        <Caption1>{link === 'closed' ? 'The Switchboard host is not answering; retrying.' : ''}</Caption1>
      </span>
    );
  }
  const { connection } = state;
  const [label, color] = LABELS[connection.phase];
  const detail =
    connection.phase === 'registered'
      ? `as ${connection.aor ?? ''}`
      : connection.phase === 'reconnecting'
        ? `${connection.reason ?? ''}${connection.retryInMs !== undefined ? ` (next try in ${Math.ceil(connection.retryInMs / 1000)} s)` : ''}`
        : (connection.reason ?? '');
  return (
    <span role="status" aria-label="connection" data-phase={connection.phase} style={{ display: 'inline-flex', gap: 8, alignItems: 'center' }}>
      <Badge appearance="filled" color={color}>
        {label}
      </Badge>
      {connection.lab && (
        <Badge appearance="outline" color="brand">
          Embedded lab
        </Badge>
      )}
      <Caption1>{detail}</Caption1>
    </span>
  );
}
