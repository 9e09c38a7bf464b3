import { randomUUID } from 'node:crypto';
import type { AgentCommand } from '../../../common/agent-commands';
import type { AgentHost } from '../../agent/agent-host';
import { doneOrNotFound, fail, requireRunningAgent } from './failures';
import type { AreaHandlers } from './types';

/** What the call handlers need of the session. */
export type CallsAreaContext = {
  /** The agent while it runs: its commands, and its calls for what a command does not answer (a new call's id). */
  readonly runningAgent: () => Pick<AgentHost, 'execute' | 'calls'> | undefined;
};

/** The bridge methods of two-party calls. */
export type CallMethod = 'call.answer' | 'call.decline' | 'call.hangup' | 'call.hold' | 'call.mute' | 'call.dtmf' | 'call.transfer' | 'call.place';

/**
 * `call.*` of `common/bridge.ts` (issue 17): each is the command a `switchboard agent` reads on
 * stdin (`answer`, `decline`, `hangup`, `hold`, `mute`, `dtmf`, `transfer`), so the desktop and
 * the headless agent decide alike; a call id that names nothing is `not-found`. Placing a call
 * goes to the agent's `CallManager` itself, whose answer carries the new call's id, with a
 * conversation id chosen here so the window can open that conversation at once.
 * @remarks The params were validated against the contract (ids, DTMF digits, SIP URIs) before a
 * handler runs; what only the agent knows (is that call connected? may it be transferred now?)
 * comes back from it as `not-found` or `refused`.
 */
export function callHandlers(context: CallsAreaContext): AreaHandlers<CallMethod> {
  const agent = (): Pick<AgentHost, 'execute' | 'calls'> => requireRunningAgent(context.runningAgent());
  const execute = (command: AgentCommand): Record<string, never> => doneOrNotFound(agent().execute(command));
  return {
    'call.answer': ({ id }) => execute({ cmd: 'answer', id }),
    'call.decline': ({ id }) => execute({ cmd: 'decline', id }),
    'call.hangup': ({ id }) => execute({ cmd: 'hangup', id }),
    'call.hold': ({ id, held }) => execute({ cmd: 'hold', id, held }),
    'call.mute': ({ id, muted }) => execute({ cmd: 'mute', id, muted }),
    'call.dtmf': ({ id, digits }) => execute({ cmd: 'dtmf', id, digits }),
    'call.transfer': ({ id, to }) => {
      const running = agent();
      if (running.calls.get(id) === undefined) {
        return fail('not-found', `no call ${id}`);
      }
      // The call exists: a refusal now is about its state (not connected, a transfer under way) or the target.
      const transferred = running.execute({ cmd: 'transfer', id, to });
      return transferred.ok ? {} : fail('refused', transferred.message);
    },
    'call.place': ({ to, conversationId }) => {
      const conversation = conversationId ?? randomUUID();
      const placed = agent().calls.call(to, conversation);
      if (!placed.ok) {
        return fail('refused', placed.message);
      }
      return placed.id !== undefined ? { id: placed.id, conversationId: conversation } : fail('internal', 'the agent placed the call without naming it');
    },
  };
}
