import type { AgentCommand } from '../../../common/agent-commands';
import type { AgentHost } from '../../agent/agent-host';
import { doneOrNotFound, requireRunningAgent } from './failures';
import type { AreaHandlers } from './types';

/** What the agent and conference handlers need of the session. */
export type AgentAreaContext = {
  /** The agent while it runs; undefined while it starts, after it failed, or with no account. */
  readonly runningAgent: () => Pick<AgentHost, 'execute'> | undefined;
};

/** The bridge methods that answer an invitation or act on a conference. */
export type AgentMethod = 'agent.accept' | 'agent.decline' | 'conference.leave' | 'conference.mute' | 'conference.reconnectAudio';

/**
 * `agent.accept`, `agent.decline` and `conference.*` of `common/bridge.ts`: each is one
 * command of `common/agent-commands.ts` to the running agent, the same a `switchboard agent`
 * reads on stdin; an id or conference that names nothing is `not-found`.
 */
export function agentHandlers(context: AgentAreaContext): AreaHandlers<AgentMethod> {
  const execute = (command: AgentCommand): Record<string, never> => doneOrNotFound(requireRunningAgent(context.runningAgent()).execute(command));
  return {
    'agent.accept': ({ id }) => execute({ cmd: 'accept', id }),
    'agent.decline': ({ id }) => execute({ cmd: 'decline', id }),
    'conference.leave': ({ focusUri }) => execute({ cmd: 'leave', focusUri }),
    'conference.mute': ({ focusUri, muted }) => execute({ cmd: 'mute', focusUri, muted }),
    'conference.reconnectAudio': ({ focusUri }) => execute({ cmd: 'reconnect-audio', focusUri }),
  };
}
