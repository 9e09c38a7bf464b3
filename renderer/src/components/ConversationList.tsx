import { Badge, Caption1, makeStyles, shorthands, tokens } from '@fluentui/react-components';
import type { Conversation } from '../../../common/desktop-state';
import { Duration } from './Duration';

const useStyles = makeStyles({
  list: { listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: '4px' },
  item: {
    display: 'flex',
    flexDirection: 'column',
    padding: '8px',
    borderRadius: tokens.borderRadiusMedium,
    cursor: 'pointer',
    ...shorthands.border('1px', 'solid', tokens.colorNeutralStroke2),
    ':hover': { backgroundColor: tokens.colorNeutralBackground1Hover },
  },
  selected: { ...shorthands.borderColor(tokens.colorBrandStroke1), backgroundColor: tokens.colorBrandBackground2 },
  line: { display: 'flex', gap: '8px', alignItems: 'center' },
  subject: { flexGrow: 1, fontWeight: tokens.fontWeightSemibold },
});

/** Recent conversations, newest first; choosing one opens it. */
export function ConversationList({ conversations, selected, onOpen }: { conversations: readonly Conversation[]; selected: string | undefined; onOpen: (id: string) => void }): React.JSX.Element {
  const styles = useStyles();
  if (conversations.length === 0) {
    return <Caption1>No conversations yet. Invitations and channel requests pop up as they arrive.</Caption1>;
  }
  return (
    <ul className={styles.list} aria-label="recent conversations">
      {conversations.map((c) => (
        <li key={c.id}>
          <button
            type="button"
            className={`${styles.item} ${c.id === selected ? styles.selected : ''}`}
            style={{ width: '100%', textAlign: 'left', font: 'inherit', background: 'none' }}
            onClick={() => onOpen(c.id)}
            aria-current={c.id === selected}
          >
            <span className={styles.line}>
              <span className={styles.subject}>{c.subject}</span>
              <Badge size="small" appearance="tint" color={c.state === 'ended' ? 'subtle' : 'success'}>
                {c.state}
              </Badge>
            </span>
            <Caption1>
              {c.from} · {new Date(c.startedAt).toLocaleTimeString()} · <Duration since={c.joinedAt ?? c.startedAt} until={c.endedAt} />
              {c.panes.length > 0 ? ` · ${c.panes.length} pane${c.panes.length > 1 ? 's' : ''}` : ''}
            </Caption1>
          </button>
        </li>
      ))}
    </ul>
  );
}
