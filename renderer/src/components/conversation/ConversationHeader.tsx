import { Badge, Button, Caption1, makeStyles, Subtitle1, tokens } from '@fluentui/react-components';
import { CallEnd20Regular, Mic20Regular, MicOff20Regular, Open20Regular } from '@fluentui/react-icons';
import type { Conversation } from '../../../../common/desktop-state';
import { useAppInfo } from '../../hooks/use-app-info';
import type { ConversationActions } from '../../hooks/use-conversation-actions';
import { incomingBucket } from '../audio-level';
import { Duration } from '../Duration';
import { IncomingAudioLevel } from '../IncomingAudioLevel';
import { addressText, conferenceEndText, conversationKindText, conversationName } from '../names';

const useStyles = makeStyles({
  header: { display: 'flex', alignItems: 'center', gap: '12px', flexWrap: 'wrap' },
  title: { flexGrow: 1, display: 'flex', flexDirection: 'column', minWidth: '200px' },
  // The actions wrap as one group, never a lone icon under the title.
  actions: { display: 'flex', alignItems: 'center', gap: '8px', flexShrink: 0 },
});

/** A two-party chat's state: its IM session's, or plain "Chat" in pager mode (no session). */
function chatBadgeText(conversation: Conversation): string {
  if (conversation.state === 'ended' || conversation.chat?.session === 'ended') {
    return 'Ended';
  }
  const session = conversation.chat?.session;
  return session === 'connected' ? 'Connected' : session === 'connecting' ? 'Connecting' : 'Chat';
}

/** The state badge's words: never "Audio connected" while no audio arrives. */
function badgeText(conversation: Conversation): string {
  if (conversation.restored === true) {
    return 'From history';
  }
  if (conversation.kind === 'im') {
    return chatBadgeText(conversation);
  }
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

function badgeColor(conversation: Conversation): 'success' | 'warning' | 'subtle' | 'informative' {
  if (conversation.restored === true) {
    return 'informative';
  }
  if (conversation.state === 'active') {
    return conversation.media?.state === 'interrupted' || conversation.reconnecting === true ? 'warning' : 'success';
  }
  return conversation.state === 'joining' ? 'warning' : 'subtle';
}

/** Mute and Leave for a live conference; End for a live conversation made of panes (a call has its own controls). */
function ConversationButtons({ conversation, actions }: { conversation: Conversation; actions: ConversationActions }): React.JSX.Element | null {
  const { focusUri } = conversation;
  const muted = conversation.media?.muted ?? false;
  if (conversation.state === 'ended' || conversation.restored === true || conversation.kind === 'call') {
    return null;
  }
  if (focusUri) {
    return (
      <>
        <Button
          icon={muted ? <MicOff20Regular /> : <Mic20Regular />}
          onClick={() => actions.mute(focusUri, !muted)}
          // No audio joined (the invitation offered none): nothing to mute until Join audio.
          disabled={(!conversation.roster.some((u) => u.self) && !conversation.media) || conversation.media?.state === 'none'}
        >
          {muted ? 'Unmute' : 'Mute'}
        </Button>
        <Button icon={<CallEnd20Regular />} appearance="primary" style={{ backgroundColor: tokens.colorPaletteRedBackground3 }} onClick={() => actions.leave(focusUri)}>
          Leave
        </Button>
      </>
    );
  }
  return conversation.panes.some((p) => p.state !== 'closed') ? (
    <Button icon={<CallEnd20Regular />} onClick={() => actions.closePanes(conversation)}>
      End
    </Button>
  ) : null;
}

/** Browser host: opens the conversation in a popup of its own, beside the main page. */
function PopOutButton({ conversationId }: { conversationId: string }): React.JSX.Element | null {
  if (useAppInfo()?.host !== 'browser') {
    return null;
  }
  return (
    <Button
      icon={<Open20Regular />}
      appearance="subtle"
      aria-label="Pop out"
      title="Open in its own window"
      onClick={() => window.open(`${window.location.pathname}#/conversation/${encodeURIComponent(conversationId)}`, `conversation-${conversationId}`, 'popup,width=900,height=700')}
    />
  );
}

/**
 * Subject, who it is with, its duration, its state (with how loud the conference arrives while
 * its audio is up), and what the agent can do about it.
 */
export function ConversationHeader({ conversation, standalone, actions }: { conversation: Conversation; standalone: boolean; actions: ConversationActions }): React.JSX.Element {
  const styles = useStyles();
  const bucket = incomingBucket(conversation);
  const ended = conversation.kind === 'conference' && conversation.state === 'ended' && conversation.restored !== true ? conferenceEndText(conversation.endReason) : undefined;
  return (
    <header className={styles.header}>
      <div className={styles.title}>
        <Subtitle1 as="h2">{conversationName(conversation)}</Subtitle1>
        <Caption1>
          {conversationKindText(conversation)} with {(conversation.kind === 'call' ? addressText(conversation.from) : conversation.from) || 'the contact center'} ·{' '}
          {conversation.restored === true ? new Date(conversation.startedAt).toLocaleString() : <Duration since={conversation.joinedAt ?? conversation.startedAt} until={conversation.endedAt} />}
          {ended !== undefined && <span data-end-reason> · {ended}</span>}
        </Caption1>
      </div>
      <div className={styles.actions}>
        {/* A call's state shows on the call itself ("call state"). */}
        {(conversation.kind !== 'call' || conversation.restored === true) && (
          <Badge appearance="filled" color={badgeColor(conversation)} aria-label="conversation state">
            {badgeText(conversation)}
          </Badge>
        )}
        {bucket !== undefined && <IncomingAudioLevel bucket={bucket} />}
        <ConversationButtons conversation={conversation} actions={actions} />
        {!standalone && <PopOutButton conversationId={conversation.id} />}
      </div>
    </header>
  );
}
