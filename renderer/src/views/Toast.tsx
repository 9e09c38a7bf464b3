import { Badge, Body1, Button, Caption1, Card, CardHeader, makeStyles, Subtitle2, tokens } from '@fluentui/react-components';
import { AppsAddIn20Regular, Call20Regular, Chat20Regular, Mic20Regular } from '@fluentui/react-icons';
import { useEffect, useRef, useState } from 'react';
import type { Pending } from '../../../common/desktop-state';
import { addressText } from '../components/names';
import { useOpenConversation } from '../hooks/use-open-conversation';
import { usePending, type PendingRequests } from '../hooks/use-pending';

const useStyles = makeStyles({
  overlay: {
    position: 'fixed',
    right: '16px',
    bottom: '16px',
    width: '360px',
    display: 'flex',
    flexDirection: 'column',
    gap: '8px',
    zIndex: 1000,
  },
  card: { boxShadow: tokens.shadow28 },
  modalities: { display: 'flex', gap: '6px', alignItems: 'center', minWidth: 0, color: tokens.colorBrandForeground1 },
  // A focus URI is long and unbroken: cut with an ellipsis (whole in its tooltip), never widening the card.
  where: { minWidth: 0, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
  headerText: { minWidth: 0, overflow: 'hidden' },
  actions: { display: 'flex', gap: '8px', justifyContent: 'flex-end', alignItems: 'center' },
  quiet: { marginRight: 'auto' },
  custom: { fontStyle: 'italic' },
  // A first message is plain text as typed, a few lines at most.
  message: { whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', maxHeight: '6.5em', overflow: 'hidden' },
});

/** The card's headline and its accessible name, by what waits. */
function describe(item: Pending): { title: string; label: string } {
  switch (item.kind) {
    case 'invitation':
      return { title: `${item.from} invites you to a conference`, label: 'Conference invitation' };
    case 'channel':
      return { title: `${item.name ?? 'An application'} wants to open its pane`, label: 'Channel request' };
    case 'im':
      return { title: `${addressText(item.from)} sent you a message`, label: 'Instant message' };
    case 'call':
      return { title: `${item.displayName ?? addressText(item.from)} is calling`, label: 'Incoming call' };
  }
}

/** The line under the headline: where the request comes from. */
function whereText(item: Pending): string {
  switch (item.kind) {
    case 'invitation':
      return item.focusUri ?? '';
    case 'im':
      return 'New chat';
    case 'call':
      // The number or address, so the agent knows who it is even when the name is the contact center's.
      return addressText(item.from);
    case 'channel':
      return `from ${item.from}`;
  }
}

/** The line under the headline: the modalities offered, and where from. */
function Modalities({ item }: { item: Pending }): React.JSX.Element {
  const styles = useStyles();
  const where = whereText(item);
  return (
    <span className={styles.modalities}>
      {item.kind === 'call' && <Call20Regular aria-label="call" />}
      {item.audio && item.kind !== 'call' && <Mic20Regular aria-label="audio" />}
      {item.im && <Chat20Regular aria-label="instant messaging" />}
      {item.kind === 'channel' && <AppsAddIn20Regular aria-label="application pane" />}
      <Caption1 className={styles.where} title={where}>
        {where}
      </Caption1>
    </span>
  );
}

/** Who, subject, modalities, the custom toast text or first message, Accept and Decline (Dismiss for a message), for one pending item (a call rings like an invitation). */
function PendingCard({ item, answer, onDecided }: { item: Pending; answer: PendingRequests['answer']; onDecided: (error?: string) => void }): React.JSX.Element {
  const styles = useStyles();
  const [busy, setBusy] = useState(false);
  const decide = (accept: boolean): void => {
    setBusy(true);
    answer(item, accept).then(
      () => onDecided(),
      (error: Error) => {
        setBusy(false);
        onDecided(error.message);
      },
    );
  };
  const { title, label } = describe(item);
  return (
    <Card className={styles.card} role="alertdialog" aria-label={label} data-pending={item.id} data-quiet={item.quiet === true}>
      <CardHeader
        header={{ className: styles.headerText, children: <Subtitle2>{title}</Subtitle2> }}
        description={{ className: styles.headerText, children: <Modalities item={item} /> }}
      />
      {item.subject && <Body1>{item.subject}</Body1>}
      {item.toast && <Body1 className={item.kind === 'im' ? styles.message : styles.custom}>{item.toast}</Body1>}
      <div className={styles.actions}>
        {item.quiet === true && (
          <Badge className={styles.quiet} appearance="tint" color="danger" title="Do not disturb: this does not ring">
            Do not disturb
          </Badge>
        )}
        <Button appearance="primary" disabled={busy} onClick={() => decide(true)} title="Accept (Alt+Shift+A)">
          Accept
        </Button>
        <Button disabled={busy} onClick={() => decide(false)} title={`${item.kind === 'im' ? 'Dismiss' : 'Decline'} (Alt+Shift+D)`}>
          {item.kind === 'im' ? 'Dismiss' : 'Decline'}
        </Button>
      </div>
    </Card>
  );
}

/** A desktop notification for each new pending item while the page is hidden, when the agent allowed them. */
function useNotifyWhileHidden(pending: readonly Pending[]): void {
  const notified = useRef(new Set<string>());
  useEffect(() => {
    for (const item of pending) {
      if (notified.current.has(item.id)) {
        continue;
      }
      notified.current.add(item.id);
      if ('Notification' in window && Notification.permission === 'granted' && document.visibilityState !== 'visible') {
        const title =
          item.kind === 'invitation' ? `Invitation from ${item.from}` : item.kind === 'im' ? `Message from ${addressText(item.from)}` : item.kind === 'call' ? describe(item).title : `${item.name ?? 'Application'} request`;
        const notification = new Notification(title, { body: item.subject ?? item.toast ?? '', tag: item.id, silent: item.quiet === true });
        notification.onclick = () => window.focus();
      }
    }
  }, [pending]);
}

/** Alt+Shift+A accepts and Alt+Shift+D declines (or dismisses) the oldest pending item. */
function useToastKeys({ pending, answer }: PendingRequests, onError: (message: string) => void): void {
  useEffect(() => {
    const first = pending[0];
    if (!first) {
      return undefined;
    }
    const onKey = (event: KeyboardEvent): void => {
      if (!event.altKey || !event.shiftKey) {
        return;
      }
      const key = event.key.toLowerCase();
      if (key === 'a' || key === 'd') {
        event.preventDefault();
        void answer(first, key === 'a').catch((e: Error) => onError(e.message));
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [pending, answer, onError]);
}

/**
 * Pending invitations, channel requests, calls and first messages of new chats, oldest first, with
 * their keyboard shortcuts and desktop notifications.
 * @param onOpenConversation - shows a conversation whose first message the agent accepted
 */
export function PendingList({ overlay, onOpenConversation }: { overlay: boolean; onOpenConversation: (conversationId: string) => void }): React.JSX.Element | null {
  const styles = useStyles();
  const requests = usePending(onOpenConversation);
  const [error, setError] = useState<string | undefined>();
  useNotifyWhileHidden(requests.pending);
  useToastKeys(requests, setError);

  if (requests.pending.length === 0 && !error) {
    return null;
  }
  return (
    <section aria-label="toasts" className={overlay ? styles.overlay : undefined}>
      {error && <Caption1 role="alert">{error}</Caption1>}
      {requests.pending.map((item) => (
        <PendingCard key={item.id} item={item} answer={requests.answer} onDecided={setError} />
      ))}
    </section>
  );
}

/** The toast window (Electron): always on top, shown without focus while something waits. */
export function ToastWindow(): React.JSX.Element {
  const openConversation = useOpenConversation();
  return (
    <main style={{ padding: 8 }}>
      <PendingList overlay={false} onOpenConversation={openConversation} />
    </main>
  );
}
