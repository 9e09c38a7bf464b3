import { Avatar, Caption1, makeStyles, tokens } from '@fluentui/react-components';
import { Chat20Regular, Mic20Regular, MicOff20Regular } from '@fluentui/react-icons';
import type { RosterUser } from '../../../common/agent-events';

const useStyles = makeStyles({
  list: { listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: '6px' },
  row: { display: 'flex', alignItems: 'center', gap: '10px', padding: '4px 0' },
  name: { flexGrow: 1, display: 'flex', flexDirection: 'column' },
  on: { color: tokens.colorPaletteGreenForeground1 },
  muted: { color: tokens.colorPaletteDarkOrangeForeground1 },
  off: { color: tokens.colorNeutralForegroundDisabled },
  // A ring, not an animation: the roster re-renders only when the MCU says speaking changed.
  speaking: { borderRadius: '50%', boxShadow: `0 0 0 2px ${tokens.colorPaletteGreenBorderActive}` },
});

function audioLabel(user: RosterUser): string {
  const { audio, mutedByFocus } = user.modalities;
  if (audio === 'muted') {
    return mutedByFocus ? 'audio muted by the conference' : 'audio muted';
  }
  return audio === 'connected' ? 'audio connected' : 'audio not connected';
}

/**
 * The conference roster: one icon per modality, gray until that participant's media is
 * connected ([MS-CONFAV] endpoint media status; protocol-notes §2); a ring around whoever the
 * MCU hears speaking, and "muted by the conference" for a `muted-via-focus` endpoint
 * (docs/protocol/2-roster.md, "Who is talking").
 */
export function Roster({ users }: { users: readonly RosterUser[] }): React.JSX.Element {
  const styles = useStyles();
  if (users.length === 0) {
    return <Caption1>Waiting for the roster…</Caption1>;
  }
  return (
    <ul className={styles.list} aria-label="roster">
      {users.map((user) => {
        const name = user.displayText ?? user.entity.replace(/^sips?:/, '');
        const audio = user.modalities.audio;
        return (
          <li key={user.entity} className={styles.row} data-entity={user.entity} data-self={user.self}>
            <Avatar
              name={name}
              size={28}
              className={user.modalities.speaking ? styles.speaking : undefined}
              aria-label={user.modalities.speaking ? `${name}, speaking` : name}
              data-speaking={user.modalities.speaking === true}
            />
            <span className={styles.name}>
              <span>
                {name}
                {user.self ? ' (you)' : ''}
              </span>
              <Caption1>{user.roles.join(', ')}</Caption1>
            </span>
            {audio === 'muted' ? (
              <MicOff20Regular className={styles.muted} aria-label={audioLabel(user)} data-modality="audio" data-state="muted" />
            ) : (
              <Mic20Regular className={audio === 'connected' ? styles.on : styles.off} aria-label={audioLabel(user)} data-modality="audio" data-state={audio} />
            )}
            <Chat20Regular
              className={user.modalities.im === 'connected' ? styles.on : styles.off}
              aria-label={user.modalities.im === 'connected' ? 'messaging connected' : 'messaging not connected'}
              data-modality="im"
              data-state={user.modalities.im}
            />
          </li>
        );
      })}
    </ul>
  );
}
