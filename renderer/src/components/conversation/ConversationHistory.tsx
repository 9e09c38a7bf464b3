import { Link, makeStyles, tokens } from '@fluentui/react-components';
import type { Conversation } from '../../../../common/desktop-state';
import { useOpenLink } from '../../hooks/use-open-link';

const useStyles = makeStyles({
  history: { listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: '6px' },
  time: { color: tokens.colorNeutralForeground3, marginRight: '8px' },
});

/** What happened in the conversation, with the time, and a channel's link opened outside the app. */
export function ConversationHistory({ history }: { history: Conversation['history'] }): React.JSX.Element {
  const styles = useStyles();
  const openLink = useOpenLink();
  return (
    <ul className={styles.history} aria-label="history">
      {history.map((h, i) => (
        <li key={i}>
          <span className={styles.time}>{new Date(h.at).toLocaleTimeString()}</span>
          {h.text}{' '}
          {h.link && (
            <Link href={h.link} onClick={(e) => { e.preventDefault(); openLink(h.link ?? ''); }}>
              {h.link}
            </Link>
          )}
        </li>
      ))}
    </ul>
  );
}
