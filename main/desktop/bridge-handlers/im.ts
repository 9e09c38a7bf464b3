import type { HostEvent } from '../../../common/desktop-state';
import type { AgentHost } from '../../agent/agent-host';
import { fail, requireRunningAgent } from './failures';
import type { AreaHandlers } from './types';

/** What the chat handlers need of the session. */
export type ImAreaContext = {
  readonly runningAgent: () => Pick<AgentHost, 'sendMessage' | 'execute'> | undefined;
  readonly emit: (event: HostEvent) => void;
};

/** The bridge methods of a conversation's chat. */
export type ImMethod = 'im.send' | 'im.typing' | 'im.read';

/**
 * `im.*` of `common/bridge.ts`: the `im` and `typing` commands a `switchboard agent` reads on
 * stdin, and the read mark, which only the desktop has (unread counts and toasts).
 */
export function imHandlers(context: ImAreaContext): AreaHandlers<ImMethod> {
  return {
    'im.send': ({ conversationId, to, text }) => {
      if ((conversationId === undefined) === (to === undefined)) {
        return fail('bad-request', 'name either the conversation or the address to write to');
      }
      const sent = requireRunningAgent(context.runningAgent()).sendMessage({ text, ...(conversationId !== undefined && { conversationId }), ...(to !== undefined && { to }) });
      return sent.ok ? { conversationId: sent.conversationId, messageId: sent.messageId } : fail('not-found', sent.message);
    },
    'im.typing': ({ conversationId, typing }) => {
      // Typing is a courtesy: a conversation without a two-party session simply has no one to tell.
      context.runningAgent()?.execute({ cmd: 'typing', conversationId, typing });
      return {};
    },
    'im.read': ({ conversationId }) => {
      context.emit({ type: 'host.im.read', conversationId });
      return {};
    },
  };
}
