import { Caption1, makeStyles, Tab, TabList, Title3, tokens } from '@fluentui/react-components';
import { useEffect, useRef, useState } from 'react';
import { ConnectionBadge } from '../components/ConnectionBadge';
import { ConversationList } from '../components/ConversationList';
import { ExtensionsManager } from '../components/extensions/ExtensionsManager';
import { MissingDevices } from '../components/MissingDevices';
import { Notices } from '../components/Notices';
import { SettingsForm } from '../components/settings/SettingsForm';
import { TryIt } from '../components/TryIt';
import { useAppInfo } from '../hooks/use-app-info';
import { useOpenConversation } from '../hooks/use-open-conversation';
import { useDesktopView } from '../store-context';
import { ConversationWindow } from './ConversationWindow';
import { PendingList } from './Toast';

const useStyles = makeStyles({
  root: { display: 'grid', gridTemplateRows: 'auto 1fr', height: '100vh', backgroundColor: tokens.colorNeutralBackground2 },
  header: { display: 'flex', alignItems: 'center', gap: '16px', padding: '8px 16px', backgroundColor: tokens.colorNeutralBackground1, borderBottom: `1px solid ${tokens.colorNeutralStroke2}` },
  body: { display: 'grid', gridTemplateColumns: 'minmax(340px, 420px) 1fr', minHeight: 0 },
  single: { display: 'block', minHeight: 0 },
  // Children keep their height and the column scrolls: a tall Settings form must not squash the cards above it.
  side: { display: 'flex', flexDirection: 'column', gap: '12px', padding: '12px 16px', overflowY: 'auto', minHeight: 0, '& > *': { flexShrink: 0 } },
  stage: { backgroundColor: tokens.colorNeutralBackground1, borderLeft: `1px solid ${tokens.colorNeutralStroke2}`, minHeight: 0, overflow: 'hidden' },
  empty: { padding: '24px', color: tokens.colorNeutralForeground3 },
});

/**
 * The main window: connection state, notices, the embedded lab's controls, recent
 * conversations, extensions and settings. The browser host has no separate windows, so it
 * shows the open conversation beside the list and the toasts over the page; Electron opens
 * real windows for both.
 */
export function MainWindow(): React.JSX.Element {
  const styles = useStyles();
  const view = useDesktopView();
  const openConversation = useOpenConversation();
  const [tab, setTab] = useState('conversations');
  const [selected, setSelected] = useState<string | undefined>();
  const inline = useAppInfo()?.host !== 'electron';
  const conversations = view.state?.conversations ?? [];
  const newest = conversations[0];
  const lastNewest = useRef<string | undefined>(undefined);

  // A conversation that just began (accept, or a channel's pane) is brought forward; a chat
  // someone else started is not: its toast asks the agent first.
  useEffect(() => {
    if (newest && newest.id !== lastNewest.current && newest.state !== 'ended' && newest.restored !== true) {
      lastNewest.current = newest.id;
      if (inline && newest.kind !== 'im') {
        setSelected(newest.id);
        setTab('conversations');
      }
    }
  }, [newest, inline]);

  const open = (id: string): void => {
    if (inline) {
      setSelected(id);
      return;
    }
    openConversation(id);
  };

  return (
    <div className={styles.root}>
      <header className={styles.header}>
        <Title3 as="h1">Switchboard</Title3>
        <ConnectionBadge state={view.state} link={view.link} />
      </header>
      <div className={inline ? styles.body : styles.single}>
        <aside className={styles.side}>
          <Notices />
          {tab !== 'settings' && <MissingDevices />}
          {view.state?.connection.lab && <TryIt />}
          <TabList selectedValue={tab} onTabSelect={(_, d) => setTab(String(d.value))}>
            <Tab value="conversations">Conversations</Tab>
            <Tab value="extensions">Extensions</Tab>
            <Tab value="settings">Settings</Tab>
          </TabList>
          {tab === 'conversations' && <ConversationList conversations={conversations} selected={inline ? selected : undefined} onOpen={open} />}
          {tab === 'extensions' && <ExtensionsManager />}
          {tab === 'settings' && <SettingsForm />}
        </aside>
        {inline && (
          <section className={styles.stage} aria-label="conversation">
            {selected ? (
              <ConversationWindow key={selected} conversationId={selected} standalone={false} />
            ) : (
              <Caption1 as="p" className={styles.empty}>
                Accepted invitations and context channels open here.
              </Caption1>
            )}
          </section>
        )}
      </div>
      {inline && <PendingList overlay onOpenConversation={open} />}
    </div>
  );
}
