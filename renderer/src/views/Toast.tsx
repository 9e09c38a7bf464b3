import { Body1, Button, Caption1, Card, CardHeader, makeStyles, Subtitle2, tokens } from '@fluentui/react-components';
import { AppsAddIn20Regular, Chat20Regular, Mic20Regular } from '@fluentui/react-icons';
import { useEffect, useRef, useState } from 'react';
import type { Pending } from '../../../common/desktop-state';
import { usePending } from '../hooks/use-pending';

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
  modalities: { display: 'inline-flex', gap: '6px', alignItems: 'center', color: tokens.colorBrandForeground1 },
  actions: { display: 'flex', gap: '8px', justifyContent: 'flex-end' },
  custom: { fontStyle: 'italic' },
});

/** Who, subject, modalities, the custom toast text, Accept and Decline, for one pending item. */
function PendingCard({ item, onDecided }: { item: Pending; onDecided: (error?: string) => void }): React.JSX.Element {
  const styles = useStyles();
  const { answer } = usePending();
  const [busy, setBusy] = useState(false);
  const decide = (accept: boolean): void => {
    setBusy(true);
    answer(item.id, accept).then(
      () => onDecided(),
      (error: Error) => {
        setBusy(false);
        onDecided(error.message);
      },
    );
  };
  const title = item.kind === 'invitation' ? `${item.from} invites you to a conference` : `${item.name ?? 'An application'} wants to open its pane`;
  return (
    <Card className={styles.card} role="alertdialog" aria-label={item.kind === 'invitation' ? 'Conference invitation' : 'Channel request'} data-pending={item.id}>
      <CardHeader
        header={<Subtitle2>{title}</Subtitle2>}
        description={
          <span className={styles.modalities}>
            {item.audio && <Mic20Regular aria-label="audio" />}
            {item.im && <Chat20Regular aria-label="instant messaging" />}
            {item.kind === 'channel' && <AppsAddIn20Regular aria-label="application pane" />}
            <Caption1>{item.kind === 'channel' ? `from ${item.from}` : item.focusUri}</Caption1>
          </span>
        }
      />
      {item.subject && <Body1>{item.subject}</Body1>}
      {item.toast && <Body1 className={styles.custom}>{item.toast}</Body1>}
      <div className={styles.actions}>
        <Button appearance="primary" disabled={busy} onClick={() => decide(true)} title="Accept (Alt+Shift+A)">
          Accept
        </Button>
        <Button disabled={busy} onClick={() => decide(false)} title="Decline (Alt+Shift+D)">
          Decline
        </Button>
      </div>
    </Card>
  );
}

/**
 * Pending invitations and channel requests, oldest first. Alt+Shift+A accepts and
 * Alt+Shift+D declines the oldest; a desktop notification is shown for each new one when
 * the agent allowed notifications.
 */
export function PendingList({ overlay }: { overlay: boolean }): React.JSX.Element | null {
  const styles = useStyles();
  const { pending, answer } = usePending();
  const [error, setError] = useState<string | undefined>();
  const notified = useRef(new Set<string>());

  useEffect(() => {
    for (const item of pending) {
      if (notified.current.has(item.id)) {
        continue;
      }
      notified.current.add(item.id);
      if ('Notification' in window && Notification.permission === 'granted' && document.visibilityState !== 'visible') {
        const notification = new Notification(item.kind === 'invitation' ? `Invitation from ${item.from}` : `${item.name ?? 'Application'} request`, {
          body: item.subject ?? item.toast ?? '',
          tag: item.id,
        });
        notification.onclick = () => window.focus();
      }
    }
  }, [pending]);

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
        void answer(first.id, key === 'a').catch((e: Error) => setError(e.message));
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [pending, answer]);

  if (pending.length === 0 && !error) {
    return null;
  }
  return (
    <section aria-label="toasts" className={overlay ? styles.overlay : undefined}>
      {error && <Caption1 role="alert">{error}</Caption1>}
      {pending.map((item) => (
        <PendingCard key={item.id} item={item} onDecided={setError} />
      ))}
    </section>
  );
}

/** The toast window (Electron): always on top, shown without focus while something rings. */
export function ToastWindow(): React.JSX.Element {
  return (
    <main style={{ padding: 8 }}>
      <PendingList overlay={false} />
    </main>
  );
}
