import { Caption1, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { useLayoutEffect, useRef } from 'react';
import type { ChatMessage } from '../../../../common/desktop-chat';
import type { Conversation } from '../../../../common/desktop-state';
import { addressText } from '../names';

const useStyles = makeStyles({
  list: { listStyle: 'none', margin: 0, padding: '4px 2px', display: 'flex', flexDirection: 'column', gap: '10px', overflowY: 'auto', flexGrow: 1, minHeight: 0 },
  message: { display: 'flex', flexDirection: 'column', gap: '2px', maxWidth: '80%', alignSelf: 'flex-start' },
  outgoing: { alignSelf: 'flex-end', alignItems: 'flex-end' },
  meta: { display: 'flex', gap: '8px', alignItems: 'baseline', color: tokens.colorNeutralForeground3 },
  sender: { fontWeight: tokens.fontWeightSemibold, color: tokens.colorNeutralForeground1 },
  // Plain text as typed: line breaks kept, long words broken rather than overflowing.
  text: {
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
    padding: '6px 10px',
    borderRadius: tokens.borderRadiusLarge,
    backgroundColor: tokens.colorNeutralBackground3,
  },
  ownText: { backgroundColor: tokens.colorBrandBackground2 },
  failed: { color: tokens.colorPaletteRedForeground1 },
  empty: { color: tokens.colorNeutralForeground3 },
});

const DELIVERY_TEXT = { sending: 'Sending…', sent: 'Sent', delivered: 'Delivered', failed: 'Not delivered' } as const;

/** The sender as the agent knows them: "You", the roster's display name, or the address. */
function senderName(message: ChatMessage, roster: Conversation['roster']): string {
  if (message.outgoing === true) {
    return 'You';
  }
  const user = roster.find((u) => u.entity.toLowerCase() === message.from.toLowerCase());
  return user?.displayText ?? addressText(message.from);
}

/** Where one of our messages is: sending, sent, delivered, or failed with the reason. */
function DeliveryState({ message }: { message: ChatMessage }): React.JSX.Element {
  const styles = useStyles();
  const state = message.state ?? 'sending';
  const text = state === 'failed' && message.problem !== undefined ? `${DELIVERY_TEXT.failed}: ${message.problem}` : DELIVERY_TEXT[state];
  return (
    <Caption1 className={state === 'failed' ? styles.failed : undefined} aria-label="delivery" data-delivery={state}>
      {text}
    </Caption1>
  );
}

/** Keeps the newest message in view when one arrives, unless the agent scrolled up to read older ones. */
function useStickToNewest(count: number): React.RefObject<HTMLOListElement | null> {
  const list = useRef<HTMLOListElement>(null);
  const atBottom = useRef(true);
  useLayoutEffect(() => {
    const element = list.current;
    if (element && atBottom.current) {
      element.scrollTop = element.scrollHeight;
    }
  }, [count]);
  useLayoutEffect(() => {
    const element = list.current;
    const onScroll = (): void => {
      if (element) {
        atBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < 24;
      }
    };
    element?.addEventListener('scroll', onScroll, { passive: true });
    return () => element?.removeEventListener('scroll', onScroll);
  }, []);
  return list;
}

/**
 * A chat's messages, oldest first: who, when, the text (always plain text, never markup), and
 * for the agent's own messages where they are.
 */
export function ChatMessages({ messages, roster }: { messages: readonly ChatMessage[]; roster: Conversation['roster'] }): React.JSX.Element {
  const styles = useStyles();
  const list = useStickToNewest(messages.length);
  return (
    <ol className={styles.list} ref={list} aria-label="messages">
      {messages.length === 0 && <li className={styles.empty}>No messages yet.</li>}
      {messages.map((m) => (
        <li key={m.id} className={mergeClasses(styles.message, m.outgoing === true && styles.outgoing)} data-message={m.id} data-from={m.from} data-outgoing={m.outgoing === true}>
          <span className={styles.meta}>
            <span className={styles.sender} title={m.from}>
              {senderName(m, roster)}
            </span>
            <Caption1>
              <time dateTime={new Date(m.at).toISOString()}>{new Date(m.at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}</time>
            </Caption1>
            {m.outgoing === true && <DeliveryState message={m} />}
          </span>
          <span className={mergeClasses(styles.text, m.outgoing === true && styles.ownText)} data-text>
            {m.text}
          </span>
        </li>
      ))}
    </ol>
  );
}
