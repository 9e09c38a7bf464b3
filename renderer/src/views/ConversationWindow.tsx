import { Body1, Caption1, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import type { ExtensionInfo } from '../../../common/bridge';
import type { Conversation } from '../../../common/desktop-state';
import { AudioLine } from '../components/AudioLine';
import { ChatPanel } from '../components/conversation/ChatPanel';
import { ConversationHeader } from '../components/conversation/ConversationHeader';
import { ConversationHistory } from '../components/conversation/ConversationHistory';
import { ConversationPanes } from '../components/conversation/ConversationPanes';
import { ConversationTabs, hasChat, hasPeople } from '../components/conversation/ConversationTabs';
import { CallControls } from '../components/call/CallControls';
import { shownCalls } from '../components/call/call-words';
import { callName } from '../../../common/desktop-calls';
import { useCallActions } from '../hooks/use-calls';
import { conversationName } from '../components/names';
import { Roster } from '../components/Roster';
import { TraceView } from '../components/TraceView';
import { useConversationActions } from '../hooks/use-conversation-actions';
import { useEffectiveExtensions } from '../hooks/use-extensions';
import { useDesktopView } from '../store-context';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: '10px', padding: '12px 16px', height: '100%', boxSizing: 'border-box', minHeight: 0 },
  body: { flexGrow: 1, minHeight: 0, overflowY: 'auto' },
});

/**
 * The selected tab: a chat opens on its Chat tab, the others on People; a pane that just opened
 * comes to the front: the customer's context is what the agent needs.
 */
function useConversationTab(conversation: Conversation | undefined): [string, (tab: string) => void] {
  const [tab, setTab] = useState<string>('people');
  const paneIds = conversation?.panes.map((p) => p.appId).join(',') ?? '';
  useEffect(() => {
    const newest = conversation?.panes.at(-1);
    if (newest && newest.state !== 'closed') {
      setTab(`pane:${newest.appId}`);
    }
    // Only when the set of panes changes.
  }, [paneIds]);
  // A two-party chat or call has no People tab: a chat opens on its messages, a call on its history.
  const fallback = conversation?.kind === 'im' ? 'chat' : 'history';
  return [tab === 'people' && conversation !== undefined && !hasPeople(conversation) ? fallback : tab, setTab];
}

/** A conversation's own window is titled with its name. */
function useWindowTitle(standalone: boolean, conversation: Conversation | undefined): void {
  const name = conversation ? conversationName(conversation) : undefined;
  useEffect(() => {
    if (standalone && name !== undefined) {
      document.title = `${name} - Switchboard`;
    }
  }, [standalone, name]);
}

/** The selected tab's content; the chat and the panes stay mounted while another tab shows. */
function ConversationBody({ conversation, extensions, tab }: { conversation: Conversation; extensions: ReadonlyMap<string, ExtensionInfo>; tab: string }): React.JSX.Element {
  const styles = useStyles();
  const dialogs = useDesktopView().state?.dialogs[conversation.id] ?? [];
  return (
    <section className={styles.body}>
      {tab === 'people' && (conversation.kind === 'conference' ? <Roster users={conversation.roster} /> : <Caption1>A context channel from {conversation.from}; no conference roster.</Caption1>)}
      {hasChat(conversation) && <ChatPanel conversation={conversation} shown={tab === 'chat'} />}
      {tab === 'history' && <ConversationHistory history={conversation.history} />}
      <ConversationPanes conversation={conversation} extensions={extensions} tab={tab} />
      {tab === 'trace' && <TraceView conversationId={conversation.id} dialogs={dialogs} />}
    </section>
  );
}

/** The conversation's calls (the live ones, else the last one, ended with its reason), each with its controls. */
function ConversationCalls({ conversation }: { conversation: Conversation }): React.JSX.Element | null {
  const view = useDesktopView();
  const actions = useCallActions();
  const calls = shownCalls(conversation);
  if (calls.length === 0 || conversation.restored === true) {
    return null;
  }
  return (
    <>
      {calls.map((call) => (
        <CallControls
          key={call.id}
          call={call}
          conversations={view.state?.conversations ?? []}
          ownAor={view.state?.connection.aor}
          actions={actions}
          named={calls.length > 1 || callName(call) !== conversationName(conversation)}
        />
      ))}
      {actions.error && (
        <Caption1 role="alert" style={{ color: tokens.colorPaletteRedForeground1 }}>
          {actions.error}
        </Caption1>
      )}
    </>
  );
}

/**
 * One conversation: subject, duration, mute and leave, its calls with their controls, the roster with its modality icons,
 * the chat, the history (with the channel's link), a tab per extension pane, and the SIP trace
 * of exactly this conversation's dialogs.
 */
export function ConversationWindow({ conversationId, standalone }: { conversationId: string; standalone: boolean }): React.JSX.Element {
  const styles = useStyles();
  const view = useDesktopView();
  const extensions = useEffectiveExtensions();
  const actions = useConversationActions();
  const conversation = view.state?.conversations.find((c) => c.id === conversationId);
  const [tab, setTab] = useConversationTab(conversation);
  useWindowTitle(standalone, conversation);

  if (!conversation) {
    return (
      <main className={styles.root}>
        <Body1>{view.state ? 'This conversation is no longer available.' : 'Loading…'}</Body1>
      </main>
    );
  }
  const { focusUri } = conversation;
  return (
    <main className={styles.root} aria-label={`Conversation: ${conversationName(conversation)}`} data-conversation={conversation.id}>
      <ConversationHeader conversation={conversation} standalone={standalone} actions={actions} />
      {focusUri && conversation.restored !== true && <AudioLine conversation={conversation} onReconnect={() => actions.reconnectAudio(focusUri)} />}
      <ConversationCalls conversation={conversation} />
      {actions.error && (
        <Caption1 role="alert" style={{ color: tokens.colorPaletteRedForeground1 }}>
          {actions.error}
        </Caption1>
      )}
      <ConversationTabs conversation={conversation} extensions={extensions} tab={tab} onTab={setTab} />
      <ConversationBody conversation={conversation} extensions={extensions} tab={tab} />
    </main>
  );
}
