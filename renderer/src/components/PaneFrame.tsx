import { Caption1, makeStyles, tokens } from '@fluentui/react-components';
import type { ExtensionInfo } from '../../../common/bridge';
import type { Conversation, PaneState } from '../../../common/desktop-state';
import { usePaneEjection } from '../hooks/use-pane-ejection';
import { usePaneElement } from '../hooks/use-pane-element';
import { usePaneMessaging } from '../hooks/use-pane-messaging';
import { usePanePlacement } from '../hooks/use-pane-placement';

const useStyles = makeStyles({
  frame: { border: `1px solid ${tokens.colorNeutralStroke2}`, borderRadius: tokens.borderRadiusMedium, width: '100%', height: '100%', minHeight: '360px', backgroundColor: tokens.colorNeutralBackground1 },
  placeholder: { width: '100%', height: '100%', minHeight: '360px' },
  slot: { width: '100%', height: '100%', minHeight: '360px', display: 'flex' },
});

/** What the agent reads above a pane whose channel is not open. */
function paneStatusText(pane: PaneState, extension: ExtensionInfo): string {
  return pane.state === 'closed' ? `${extension.name} ended its channel; what it shows is no longer updated.` : pane.state === 'interrupted' ? 'Connection lost; reconnecting the channel…' : 'Opening…';
}

/**
 * One extension pane. In Electron the host places the pane's own sandboxed view over this
 * element (`usePanePlacement`); in the browser host it is an iframe sandboxed to scripts only,
 * put in place by `usePaneElement` (the window's page loaded ahead when there is one), spoken
 * to over `switchboard-pane/1` (`usePaneMessaging`) and taken down if its page leaves
 * (`usePaneEjection`).
 */
export function PaneFrame({ conversation, pane, extension, visible }: { conversation: Conversation; pane: PaneState; extension: ExtensionInfo; visible: boolean }): React.JSX.Element {
  const styles = useStyles();
  const { ejected, onFrameLoad, adoptFrame } = usePaneEjection(conversation.id, pane);
  const { area, placed } = usePanePlacement({ conversationId: conversation.id, appId: pane.appId, visible, ejected });
  const inWindow = placed === false && !ejected && extension.paneUrl !== undefined;
  const { slot, frame, helloSeen } = usePaneElement({ extension, enabled: inWindow, appId: pane.appId, className: styles.frame, onLoad: onFrameLoad, adopt: adoptFrame });
  usePaneMessaging({ conversation, pane, extension, listening: placed === false, frame, helloSeen });

  if (ejected) {
    return (
      <Caption1 role="alert" data-pane-ejected={pane.appId}>
        {extension.name} tried to leave its pane and was closed.
      </Caption1>
    );
  }
  if (placed !== false) {
    return <div ref={area} className={styles.placeholder} data-pane={pane.appId} aria-label={`${extension.name} pane`} />;
  }
  if (!extension.paneUrl) {
    return <Caption1>{extension.name} has no page to show.</Caption1>;
  }
  return (
    <>
      {pane.state !== 'open' && <Caption1 role="status">{paneStatusText(pane, extension)}</Caption1>}
      <div ref={slot} className={styles.slot} data-pane-slot={pane.appId} />
    </>
  );
}
