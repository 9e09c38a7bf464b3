import type { BridgeParsedParams } from '../../../common/bridge';
import type { DesktopEvent, DesktopState } from '../../../common/desktop-state';
import { normalizeAppId } from '../../../common/extension-manifest';
import type { Logger } from '../../../core/ports/logger';
import type { AgentHost } from '../../agent/agent-host';
import type { DesktopPlatform } from '../desktop-platform';
import { doneOrNotFound, fail, requireRunningAgent } from './failures';
import type { AreaHandlers } from './types';

/** What the pane handlers need of the session. */
export type PaneAreaContext = {
  /** The agent while it runs; undefined while it starts, after it failed, or with no account. */
  readonly runningAgent: () => Pick<AgentHost, 'execute' | 'sendFromPane'> | undefined;
  /** The conversations as the windows see them, to find the pane an ejection names. */
  readonly conversations: () => DesktopState['conversations'];
  /** Tells every window (the reduced state and a push). */
  readonly emit: (event: DesktopEvent) => void;
  readonly log: Logger;
  readonly platform: Pick<DesktopPlatform, 'placePane'>;
};

/** The bridge methods an extension pane (or the window showing it) calls. */
export type PaneMethod = 'pane.send' | 'pane.close' | 'pane.ejected' | 'pane.place';

/**
 * `pane.*` of `common/bridge.ts`: data a pane sends over its context channel (INFO), closing
 * it (BYE on its channels), a pane that tried to leave its page, and placing a pane's own view
 * where the shell has them (Electron).
 */
export function paneHandlers(context: PaneAreaContext): AreaHandlers<PaneMethod> {
  return {
    'pane.send': async (request) => {
      const outcome = requireRunningAgent(context.runningAgent()).sendFromPane(request);
      if (!outcome) {
        return fail('not-found', `no open channel for ${request.appId} in this conversation`);
      }
      const { ok, status, reason, seq } = await outcome;
      return { ok, status, reason, seq };
    },
    'pane.close': ({ appId, conversationId }) => doneOrNotFound(requireRunningAgent(context.runningAgent()).execute({ cmd: 'close', appId, conversationId })),
    'pane.ejected': (request) => ejectPane(context, request),
    'pane.place': (request, caller) => ({ placed: context.platform.placePane?.(request, caller?.native) ?? false }),
  };
}

/**
 * A pane's page tried to leave it (bridge `pane.ejected`): logged with the extension id for
 * the administrator, the pane marked closed for every window, and its channels closed, since
 * nothing is left to show what they carry.
 */
function ejectPane(context: PaneAreaContext, request: BridgeParsedParams<'pane.ejected'>): Record<string, never> {
  const { appId, conversationId, url } = request;
  const conversation = context.conversations().find((c) => c.id === conversationId);
  const pane = conversation?.panes.find((p) => (normalizeAppId(p.appId) ?? p.appId) === (normalizeAppId(appId) ?? appId));
  if (!pane) {
    return fail('not-found', `no pane of ${appId} in this conversation`);
  }
  context.log.warn('extension pane tried to leave its page; closed', { appId: pane.appId, conversationId, ...(url !== undefined && { url }) });
  context.emit({ type: 'host.pane.ejected', conversationId, appId: pane.appId });
  const agent = context.runningAgent();
  if (agent && pane.channels.some((c) => c.state !== 'Terminated')) {
    const closed = agent.execute({ cmd: 'close', appId: pane.appId, conversationId });
    if (!closed.ok) {
      context.log.warn('channel of an ejected pane did not close', { appId: pane.appId, message: closed.message });
    }
  }
  return {};
}
