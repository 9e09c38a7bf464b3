import { Caption1, CounterBadge, makeStyles, Tab, TabList, Title3, tokens } from '@fluentui/react-components';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Conversation } from '../../../common/desktop-state';
import { CallBox } from '../components/CallBox';
import { ConnectionBadge } from '../components/ConnectionBadge';
import { ConversationList } from '../components/ConversationList';
import { ExtensionsManager } from '../components/extensions/ExtensionsManager';
import { MissingDevices } from '../components/MissingDevices';
import { NewChat, type ChatRequest } from '../components/NewChat';
import { Notices } from '../components/Notices';
import { ContactList } from '../components/presence/ContactList';
import { StatusPicker } from '../components/presence/StatusPicker';
import { SettingsForm } from '../components/settings/SettingsForm';
import { TryIt } from '../components/TryIt';
import { useAppInfo } from '../hooks/use-app-info';
import { useOpenConversation } from '../hooks/use-open-conversation';
import { useDesktopView } from '../store-context';
import { ConversationWindow } from './ConversationWindow';
import { PendingList } from './Toast';
import { PaneProcessWarmup } from '../components/PaneProcessWarmup';
import { PanePoolContext } from '../panes/pane-pool-context';
import { useWindowPanePool } from '../panes/use-window-pane-pool';

const useStyles = makeStyles({
  root: { display: 'grid', gridTemplateRows: 'auto 1fr', height: '100vh', backgroundColor: tokens.colorNeutralBackground2 },
  header: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: '8px 16px',
    padding: '8px 16px',
    backgroundColor: tokens.colorNeutralBackground1,
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
  },
  body: { display: 'grid', gridTemplateColumns: 'minmax(340px, 460px) 1fr', minHeight: 0 },
  single: { display: 'block', minHeight: 0 },
  // Children keep their height and the column scrolls: a tall Settings form must not squash the cards above it.
  side: { display: 'flex', flexDirection: 'column', gap: '12px', padding: '12px 16px', overflowY: 'auto', minHeight: 0, '& > *': { flexShrink: 0 } },
  stage: { backgroundColor: tokens.colorNeutralBackground1, borderLeft: `1px solid ${tokens.colorNeutralStroke2}`, minHeight: 0, overflow: 'hidden' },
  empty: { padding: '24px', color: tokens.colorNeutralForeground3 },
});

/** Where the agent is in the main window: the side tab, the conversation shown in place, a chat asked for. */
type Navigation = {
  readonly tab: string;
  readonly setTab: (tab: string) => void;
  /** The conversation shown beside the list (browser host only). */
  readonly selected: string | undefined;
  /** Shows a conversation: in place (browser host) or in its own window (Electron). */
  readonly open: (conversationId: string) => void;
  readonly chatRequest: ChatRequest | undefined;
  /** Opens New chat for an address (a contact's Chat button). */
  readonly requestChat: (to: string) => void;
};

/**
 * The main window's navigation. A conversation that just began (an accept, a channel's pane) is
 * brought forward; a chat someone else started is not: its toast asks the agent first.
 */
function useNavigation(newest: Conversation | undefined, inline: boolean): Navigation {
  const openWindow = useOpenConversation();
  const [tab, setTab] = useState('conversations');
  const [selected, setSelected] = useState<string | undefined>();
  const [chatRequest, setChatRequest] = useState<ChatRequest | undefined>();
  const lastNewest = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (newest && newest.id !== lastNewest.current && newest.state !== 'ended' && newest.restored !== true) {
      lastNewest.current = newest.id;
      if (inline && newest.kind !== 'im') {
        setSelected(newest.id);
        setTab('conversations');
      }
    }
  }, [newest, inline]);
  const open = useCallback((id: string) => (inline ? setSelected(id) : openWindow(id)), [inline, openWindow]);
  const requestChat = (to: string): void => {
    setTab('conversations');
    setChatRequest((last) => ({ to, n: (last?.n ?? 0) + 1 }));
  };
  return { tab, setTab, selected, open, chatRequest, requestChat };
}

/** Unread messages in the conversations not shown now: the count on the Conversations tab. */
const unreadElsewhere = (conversations: readonly Conversation[], shown: string | undefined): number =>
  conversations.reduce((sum, c) => sum + (c.id === shown ? 0 : (c.chat?.unread ?? 0)), 0);

/** The side column's tabs and the selected one's content. */
function SideTabs({ conversations, nav, inline }: { conversations: readonly Conversation[]; nav: Navigation; inline: boolean }): React.JSX.Element {
  const unread = unreadElsewhere(conversations, inline ? nav.selected : undefined);
  return (
    <>
      <TabList selectedValue={nav.tab} onTabSelect={(_, d) => nav.setTab(String(d.value))} size="small" style={{ flexWrap: 'wrap' }}>
        <Tab value="conversations">
          Conversations
          {unread > 0 && <CounterBadge count={unread} size="small" color="danger" aria-label={`${unread} unread`} style={{ marginLeft: 6 }} />}
        </Tab>
        <Tab value="contacts">Contacts</Tab>
        <Tab value="extensions">Extensions</Tab>
        <Tab value="settings">Settings</Tab>
      </TabList>
      {nav.tab === 'conversations' && <CallBox onPlaced={nav.open} />}
      {nav.tab === 'conversations' && <NewChat request={nav.chatRequest} onStarted={nav.open} />}
      {nav.tab === 'conversations' && <ConversationList conversations={conversations} selected={inline ? nav.selected : undefined} onOpen={nav.open} />}
      {nav.tab === 'contacts' && <ContactList onChat={nav.requestChat} />}
      {nav.tab === 'extensions' && <ExtensionsManager />}
      {nav.tab === 'settings' && <SettingsForm />}
    </>
  );
}

/**
 * The main window: connection state and the agent's status, notices, the embedded lab's
 * controls, the Call box, recent conversations and new chats, contacts, extensions and settings. The browser
 * host has no separate windows, so it shows the open conversation beside the list and the
 * toasts over the page; Electron opens real windows for both.
 */
export function MainWindow(): React.JSX.Element {
  const styles = useStyles();
  const view = useDesktopView();
  const host = useAppInfo()?.host;
  const inline = host !== 'electron';
  const conversations = view.state?.conversations ?? [];
  const nav = useNavigation(conversations[0], inline);
  const pool = useWindowPanePool(host !== undefined && inline);
  return (
    <PanePoolContext.Provider value={pool}>
      <div className={styles.root}>
        <header className={styles.header}>
          <Title3 as="h1">Switchboard</Title3>
          <ConnectionBadge state={view.state} link={view.link} />
          <StatusPicker />
        </header>
        <div className={inline ? styles.body : styles.single}>
          <aside className={styles.side}>
            <Notices />
            {nav.tab !== 'settings' && <MissingDevices />}
            {view.state?.connection.lab && <TryIt {...(view.state.connection.customerPage !== undefined && { customerPage: view.state.connection.customerPage })} />}
            <SideTabs conversations={conversations} nav={nav} inline={inline} />
          </aside>
          {inline && (
            <section className={styles.stage} aria-label="conversation">
              {nav.selected ? (
                <ConversationWindow key={nav.selected} conversationId={nav.selected} standalone={false} />
              ) : (
                <Caption1 as="p" className={styles.empty}>
                  Calls, accepted invitations, chats and context channels open here.
                </Caption1>
              )}
            </section>
          )}
        </div>
        {inline && <PendingList overlay onOpenConversation={nav.open} />}
        {inline && <PaneProcessWarmup pool={pool} />}
      </div>
    </PanePoolContext.Provider>
  );
}
