import { Badge, Body1, Button, Caption1, Link, makeStyles, Subtitle1, Tab, TabList, tokens } from '@fluentui/react-components';
import { CallEnd20Regular, Mic20Regular, MicOff20Regular, Open20Regular } from '@fluentui/react-icons';
import { useEffect, useState } from 'react';
import type { Conversation } from '../../../common/desktop-state';
import { AudioLine } from '../components/AudioLine';
import { Duration } from '../components/Duration';
import { PaneFrame } from '../components/PaneFrame';
import { Roster } from '../components/Roster';
import { TraceView } from '../components/TraceView';
import { useAppInfo } from '../hooks/use-app-info';
import { useConversationActions } from '../hooks/use-conversation-actions';
import { useEffectiveExtensions } from '../hooks/use-extensions';
import { useOpenLink } from '../hooks/use-open-link';
import { useDesktopView } from '../store-context';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: '10px', padding: '12px 16px', height: '100%', boxSizing: 'border-box', minHeight: 0 },
  header: { display: 'flex', alignItems: 'center', gap: '12px', flexWrap: 'wrap' },
  title: { flexGrow: 1, display: 'flex', flexDirection: 'column', minWidth: '200px' },
  // The actions wrap as one group, never a lone icon under the title.
  actions: { display: 'flex', alignItems: 'center', gap: '8px', flexShrink: 0 },
  body: { flexGrow: 1, minHeight: 0, overflowY: 'auto' },
  history: { listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: '6px' },
  time: { color: tokens.colorNeutralForeground3, marginRight: '8px' },
});

/**
 * One conversation: subject, duration, mute and leave, the roster with its modality icons,
 * the history (with the channel's link), a tab per extension pane, and the SIP trace of
 * exactly this conversation's dialogs.
 */
export function ConversationWindow({ conversationId, standalone }: { conversationId: string; standalone: boolean }): React.JSX.Element {
  const styles = useStyles();
  const view = useDesktopView();
  const info = useAppInfo();
  const extensions = useEffectiveExtensions();
  const actions = useConversationActions();
  const openLink = useOpenLink();
  const conversation: Conversation | undefined = view.state?.conversations.find((c) => c.id === conversationId);
  const [tab, setTab] = useState<string>('people');
  const paneIds = conversation?.panes.map((p) => p.appId).join(',') ?? '';

  // A pane that just opened comes to the front: the customer's context is what the agent needs.
  useEffect(() => {
    const newest = conversation?.panes.at(-1);
    if (newest && newest.state !== 'closed') {
      setTab(`pane:${newest.appId}`);
    }
    // Only when the set of panes changes.
  }, [paneIds]);

  useEffect(() => {
    if (standalone && conversation) {
      document.title = `${conversation.subject} - Switchboard`;
    }
  }, [standalone, conversation?.subject]);

  if (!conversation) {
    return (
      <main className={styles.root}>
        <Body1>{view.state ? 'This conversation is no longer available.' : 'Loading…'}</Body1>
      </main>
    );
  }
  const me = conversation.roster.find((u) => u.self);
  const muted = conversation.media?.muted ?? false;
  const focusUri = conversation.focusUri;
  const live = conversation.state !== 'ended';
  const dialogs = view.state?.dialogs[conversation.id] ?? [];

  return (
    <main className={styles.root} aria-label={`Conversation: ${conversation.subject}`} data-conversation={conversation.id}>
      <header className={styles.header}>
        <div className={styles.title}>
          <Subtitle1 as="h2">{conversation.subject}</Subtitle1>
          <Caption1>
            {conversation.kind === 'conference' ? 'Conference' : 'Application'} with {conversation.from || 'the contact center'} ·{' '}
            <Duration since={conversation.joinedAt ?? conversation.startedAt} until={conversation.endedAt} />
          </Caption1>
        </div>
        <div className={styles.actions}>
          <Badge appearance="filled" color={badgeColor(conversation)} aria-label="conversation state">
            {badgeText(conversation)}
          </Badge>
          {focusUri && live && (
            <>
              <Button icon={muted ? <MicOff20Regular /> : <Mic20Regular />} onClick={() => actions.mute(focusUri, !muted)} disabled={!me && !conversation.media}>
                {muted ? 'Unmute' : 'Mute'}
              </Button>
              <Button icon={<CallEnd20Regular />} appearance="primary" style={{ backgroundColor: tokens.colorPaletteRedBackground3 }} onClick={() => actions.leave(focusUri)}>
                Leave
              </Button>
            </>
          )}
          {!focusUri && live && conversation.panes.some((p) => p.state !== 'closed') && (
            <Button icon={<CallEnd20Regular />} onClick={() => actions.closePanes(conversation)}>
              End
            </Button>
          )}
          {!standalone && info?.host === 'browser' && (
            <Button
              icon={<Open20Regular />}
              appearance="subtle"
              aria-label="Pop out"
              title="Open in its own window"
              onClick={() => window.open(`${window.location.pathname}#/conversation/${encodeURIComponent(conversation.id)}`, `conversation-${conversation.id}`, 'popup,width=900,height=700')}
            />
          )}
        </div>
      </header>
      {focusUri && <AudioLine conversation={conversation} onReconnect={() => actions.reconnectAudio(focusUri)} />}
      {actions.error && (
        <Caption1 role="alert" style={{ color: tokens.colorPaletteRedForeground1 }}>
          {actions.error}
        </Caption1>
      )}
      <TabList selectedValue={tab} onTabSelect={(_, d) => setTab(String(d.value))} size="small">
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
      <section className={styles.body}>
        {tab === 'people' && (conversation.kind === 'conference' ? <Roster users={conversation.roster} /> : <Caption1>A context channel from {conversation.from}; no conference roster.</Caption1>)}
        {tab === 'history' && (
          <ul className={styles.history} aria-label="history">
            {conversation.history.map((h, i) => (
              <li key={i}>
                <span className={styles.time}>{new Date(h.at).toLocaleTimeString()}</span>
                {h.text}{' '}
                {h.link && (
                  <Link href={h.link} onClick={(e) => { e.preventDefault(); openLink(h.link ?? ''); }}>
                    {h.link}
                  </Link>
                )}
              </li>
            ))}
          </ul>
        )}
        {/* Panes stay mounted while another tab shows, so a pane keeps what the agent typed. */}
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
        {tab === 'trace' && <TraceView conversationId={conversation.id} dialogs={dialogs} />}
      </section>
    </main>
  );
}

/** The state badge's words: never "Audio connected" while no audio arrives. */
function badgeText(conversation: Conversation): string {
  if (conversation.state === 'joining') {
    return 'Joining';
  }
  if (conversation.state !== 'active') {
    return 'Ended';
  }
  if (conversation.reconnecting === true) {
    return 'Reconnecting…';
  }
  const media = conversation.media?.state;
  return media === 'connected' ? 'Audio connected' : media === 'interrupted' ? 'No audio' : 'Connected';
}

function badgeColor(conversation: Conversation): 'success' | 'warning' | 'subtle' {
  if (conversation.state === 'active') {
    return conversation.media?.state === 'interrupted' || conversation.reconnecting === true ? 'warning' : 'success';
  }
  return conversation.state === 'joining' ? 'warning' : 'subtle';
}
