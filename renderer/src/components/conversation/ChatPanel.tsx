import { Caption1, makeStyles, tokens } from '@fluentui/react-components';
import { History20Regular } from '@fluentui/react-icons';
import type { Chat } from '../../../../common/desktop-chat';
import type { Conversation } from '../../../../common/desktop-state';
import { useChat, useReadWhileShown, type ChatActions } from '../../hooks/use-chat';
import { addressText } from '../names';
import { ChatMessages } from './ChatMessages';
import { MessageComposer } from './MessageComposer';

const useStyles = makeStyles({
  panel: { display: 'flex', flexDirection: 'column', gap: '8px', height: '100%', minHeight: 0 },
  typing: { minHeight: '16px', color: tokens.colorNeutralForeground3, fontStyle: 'italic' },
  readOnly: { display: 'inline-flex', gap: '6px', alignItems: 'center', color: tokens.colorNeutralForeground3 },
});

/** "Dana is typing…", "Dana and Lee are typing…", "4 people are typing…", or nothing. */
export function typingText(typing: readonly string[], roster: Conversation['roster']): string {
  const names = typing.map((uri) => roster.find((u) => u.entity.toLowerCase() === uri.toLowerCase())?.displayText ?? addressText(uri));
  if (names.length === 0) {
    return '';
  }
  if (names.length > 2) {
    return `${names.length} people are typing…`;
  }
  return `${names.join(' and ')} ${names.length === 1 ? 'is' : 'are'} typing…`;
}

/** A conference's chat ends with its IM dialog; a two-party chat that ended starts a new session with the next message. */
const chatEnded = (conversation: Conversation, chat: Chat): boolean => conversation.kind !== 'im' && (conversation.state === 'ended' || chat.session === 'ended');

/** Why the chat cannot take a message yet, or undefined when it can. */
const notReadyReason = (conversation: Conversation, chat: Chat): string | undefined =>
  conversation.kind === 'im' || chat.session === 'connected' ? undefined : 'Connecting to the conference chat…';

/** Below the messages: the message box, or why there is none (history, an ended conference). */
function ChatFooter({ conversation, chat, actions }: { conversation: Conversation; chat: Chat; actions: ChatActions }): React.JSX.Element {
  const styles = useStyles();
  if (conversation.restored === true || chatEnded(conversation, chat)) {
    return (
      <Caption1 className={styles.readOnly}>
        <History20Regular /> {conversation.restored === true ? 'From the conversation history: read only.' : 'The conference chat has ended.'}
      </Caption1>
    );
  }
  return <MessageComposer chat={actions} disabledReason={notReadyReason(conversation, chat)} />;
}

/**
 * A conversation's chat: the messages, who is typing, and the message box; read only for a
 * conversation restored from the history. While it shows in a visible window, what arrives is
 * marked read.
 * @param shown - the Chat tab is the one selected (the panel stays mounted, keeping a draft)
 */
export function ChatPanel({ conversation, shown }: { conversation: Conversation; shown: boolean }): React.JSX.Element {
  const styles = useStyles();
  const chat = conversation.chat ?? { messages: [], typing: [], unread: 0 };
  const actions = useChat(conversation.id, conversation.kind === 'im');
  useReadWhileShown(conversation.id, chat.unread, shown && conversation.restored !== true);
  const typing = typingText(chat.typing, conversation.roster);
  return (
    <section className={styles.panel} style={{ display: shown ? 'flex' : 'none' }} aria-label="chat" data-session={chat.session}>
      <ChatMessages messages={chat.messages} roster={conversation.roster} />
      <Caption1 className={styles.typing} role="status" aria-label="typing">
        {typing}
      </Caption1>
      <ChatFooter conversation={conversation} chat={chat} actions={actions} />
    </section>
  );
}
