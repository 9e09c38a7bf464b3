import { Tab, TabList } from '@fluentui/react-components';
import type { ExtensionInfo } from '../../../../common/bridge';
import type { Conversation } from '../../../../common/desktop-state';

/** People, History, a tab per extension pane (named by its extension, with its channel's state), SIP trace. */
export function ConversationTabs({ conversation, extensions, tab, onTab }: { conversation: Conversation; extensions: ReadonlyMap<string, ExtensionInfo>; tab: string; onTab: (tab: string) => void }): React.JSX.Element {
  return (
    <TabList selectedValue={tab} onTabSelect={(_, d) => onTab(String(d.value))} size="small">
      <Tab value="people">People ({conversation.roster.length})</Tab>
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
