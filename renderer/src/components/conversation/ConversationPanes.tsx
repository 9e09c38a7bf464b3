import { Caption1 } from '@fluentui/react-components';
import type { ExtensionInfo } from '../../../../common/bridge';
import type { Conversation } from '../../../../common/desktop-state';
import { PaneFrame } from '../PaneFrame';

/**
 * Every pane of the conversation, the selected tab's shown. Panes stay mounted while another
 * tab shows, so a pane keeps what the agent typed.
 */
export function ConversationPanes({ conversation, extensions, tab }: { conversation: Conversation; extensions: ReadonlyMap<string, ExtensionInfo>; tab: string }): React.JSX.Element {
  return (
    <>
      {conversation.panes.map((p) => {
        const extension = extensions.get(p.appId);
        const visible = tab === `pane:${p.appId}`;
        if (!extension) {
          return visible ? <Caption1 key={p.appId}>Loading the extension…</Caption1> : null;
        }
        return (
          <div key={p.appId} style={{ display: visible ? 'block' : 'none', height: '100%' }}>
            <PaneFrame conversation={conversation} pane={p} extension={extension} visible={visible} />
          </div>
        );
      })}
    </>
  );
}
