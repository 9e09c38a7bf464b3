import { CounterBadge, Tab, TabList } from '@fluentui/react-components';
import type { ExtensionInfo } from '../../../../common/bridge';
import type { Conversation } from '../../../../common/desktop-state';

/** Whether the conversation has a chat to show: a two-party chat, or a conference whose chat is up. */
export const hasChat = (conversation: Conversation): boolean => conversation.kind === 'im' || conversation.chat !== undefined;

/** Whether the conversation has a People tab: a conference's roster, or a channel's application (not a two-party chat or call). */
export const hasPeople = (conversation: Conversation): boolean => conversation.kind === 'conference' || conversation.kind === 'channel';

/**
 * People (not for a two-party chat or call), Chat (with what is unread), History, a tab per extension
 * pane (named by its extension, with its channel's state), SIP trace.
 */
export function ConversationTabs({ conversation, extensions, tab, onTab }: { conversation: Conversation; extensions: ReadonlyMap<string, ExtensionInfo>; tab: string; onTab: (tab: string) => void }): React.JSX.Element {
  const unread = conversation.chat?.unread ?? 0;
  return (
    <TabList selectedValue={tab} onTabSelect={(_, d) => onTab(String(d.value))} size="small">
      {hasPeople(conversation) && <Tab value="people">People ({conversation.roster.length})</Tab>}
      {hasChat(conversation) && (
        <Tab value="chat">
          Chat
          {unread > 0 && <CounterBadge count={unread} size="small" color="danger" aria-label={`${unread} unread`} style={{ marginLeft: 6 }} />}
        </Tab>
      )}
      <Tab value="history">History</Tab>
      {conversation.panes.map((p) => (
        <Tab key={p.appId} value={`pane:${p.appId}`}>
          {extensions.get(p.appId)?.name ?? p.name ?? 'Application'}
          {p.state === 'interrupted' ? ' (reconnecting)' : p.state === 'closed' ? ' (closed)' : ''}
        </Tab>
      ))}
      <Tab value="trace">SIP trace</Tab>
    </TabList>
  );
}
