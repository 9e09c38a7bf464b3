import { Badge, Caption1, CounterBadge, makeStyles, shorthands, tokens } from '@fluentui/react-components';
import { Call16Regular, Chat16Regular } from '@fluentui/react-icons';
import type { Conversation } from '../../../common/desktop-state';
import { callStateColor, callStateText, shownCalls } from './call/call-words';
import { Duration } from './Duration';
import { addressText, conversationName } from './names';

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
  subject: { flexGrow: 1, fontWeight: tokens.fontWeightSemibold, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
  unread: { fontWeight: tokens.fontWeightBold },
  preview: { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', color: tokens.colorNeutralForeground2 },
});

/** The last message of a chat, as one line: "You: …" for the agent's own. */
function lastMessageLine(conversation: Conversation): string | undefined {
  const last = conversation.chat?.messages.at(-1);
  return last === undefined ? undefined : `${last.outgoing === true ? 'You: ' : ''}${last.text.replace(/\s+/g, ' ')}`;
}

/** Who (or "Chat") and when it started: the line under the name begins so. */
function whoAndWhen(c: Conversation): string {
  const when = c.restored === true ? new Date(c.startedAt).toLocaleString() : new Date(c.startedAt).toLocaleTimeString();
  return `${c.kind === 'im' ? 'Chat' : c.kind === 'call' ? addressText(c.from) : c.from} · ${when}`;
}

/** The row's badge: a call conversation's call state (its live call, else how the last one ended), else the conversation's. */
function stateBadge(c: Conversation): { text: string; color: 'success' | 'warning' | 'informative' | 'subtle' } {
  if (c.restored === true) {
    return { text: 'history', color: 'subtle' };
  }
  const call = c.kind === 'call' ? shownCalls(c)[0] : undefined;
  if (call !== undefined) {
    return { text: callStateText(call), color: callStateColor(call) };
  }
  return { text: c.state, color: c.state === 'ended' ? 'subtle' : 'success' };
}

const panesText = (c: Conversation): string => (c.panes.length > 0 ? ` · ${c.panes.length} pane${c.panes.length > 1 ? 's' : ''}` : '');

/** One conversation's row: its name, unread messages, state, details and the last message. */
function ConversationRow({ conversation: c, selected, onOpen }: { conversation: Conversation; selected: boolean; onOpen: (id: string) => void }): React.JSX.Element {
  const styles = useStyles();
  const unread = c.chat?.unread ?? 0;
  const preview = lastMessageLine(c);
  const badge = stateBadge(c);
  return (
    <button
      type="button"
      className={`${styles.item} ${selected ? styles.selected : ''}`}
      style={{ width: '100%', textAlign: 'left', font: 'inherit', background: 'none' }}
      onClick={() => onOpen(c.id)}
      aria-current={selected}
      data-conversation-row={c.id}
    >
      <span className={styles.line}>
        {c.kind === 'im' && <Chat16Regular aria-label="chat" />}
        {c.kind === 'call' && <Call16Regular aria-label="call" />}
        <span className={`${styles.subject} ${unread > 0 ? styles.unread : ''}`}>{conversationName(c)}</span>
        {unread > 0 && <CounterBadge count={unread} size="small" color="danger" aria-label={`${unread} unread`} />}
        <Badge size="small" appearance="tint" color={badge.color} data-state-badge>
          {badge.text}
        </Badge>
      </span>
      <Caption1>
        {whoAndWhen(c)}
        {c.restored !== true && c.kind !== 'im' && (
          <>
            {' · '}
            <Duration since={c.joinedAt ?? c.startedAt} until={c.endedAt} />
          </>
        )}
        {panesText(c)}
      </Caption1>
      {preview !== undefined && <Caption1 className={styles.preview}>{preview}</Caption1>}
    </button>
  );
}

/** Recent conversations, newest first (then those restored from the history); choosing one opens it. */
export function ConversationList({ conversations, selected, onOpen }: { conversations: readonly Conversation[]; selected: string | undefined; onOpen: (id: string) => void }): React.JSX.Element {
  const styles = useStyles();
  if (conversations.length === 0) {
    return <Caption1>No conversations yet. Calls, invitations, channel requests and chats pop up as they arrive.</Caption1>;
  }
  return (
    <ul className={styles.list} aria-label="recent conversations">
      {conversations.map((c) => (
        <li key={c.id}>
          <ConversationRow conversation={c} selected={c.id === selected} onOpen={onOpen} />
        </li>
      ))}
    </ul>
  );
}
