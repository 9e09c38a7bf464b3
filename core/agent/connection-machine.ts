import type { ConnectionState } from '../../common/agent-events';
import { guardedTransition } from '../util/state-machine';

/**
 * States of the agent's connection supervisor.
 *
 * ```
 *   Idle --start--> Connecting --ok--> Connected --loss--> Reconnecting --ok--> Connected
 *                      |                   ^                 |   ^  (backoff, retry)
 *                      | fail              |                 +---+
 *                      v                   +-----------------+
 *                    Failed
 *   any but Stopped --stop--> Stopping --done--> Stopped
 * ```
 * `Failed` is final: the first connection never succeeded, so the host decides (the CLI exits).
 * After one success, losses are retried for as long as the agent runs.
 * @public
 */
export enum SupervisorState {
  Idle = 'Idle',
  Connecting = 'Connecting',
  Connected = 'Connected',
  Reconnecting = 'Reconnecting',
  Failed = 'Failed',
  Stopping = 'Stopping',
  Stopped = 'Stopped',
}

const LEGAL: Readonly<Record<SupervisorState, readonly SupervisorState[]>> = {
  [SupervisorState.Idle]: [SupervisorState.Connecting, SupervisorState.Stopping],
  [SupervisorState.Connecting]: [SupervisorState.Connected, SupervisorState.Failed, SupervisorState.Stopping],
  [SupervisorState.Connected]: [SupervisorState.Reconnecting, SupervisorState.Stopping],
  [SupervisorState.Reconnecting]: [SupervisorState.Connected, SupervisorState.Reconnecting, SupervisorState.Stopping],
  [SupervisorState.Failed]: [SupervisorState.Stopping],
  [SupervisorState.Stopping]: [SupervisorState.Stopped],
  [SupervisorState.Stopped]: [],
};

export { IllegalTransitionError } from '../util/state-machine';

/** The one guarded transition: returns `next` or throws {@link IllegalTransitionError}. */
export const transitionSupervisor: (from: SupervisorState, next: SupervisorState) => SupervisorState = guardedTransition('connection supervisor', LEGAL);

/** The host-facing name of a supervisor state (`connection` event `state`). */
export function publicConnectionState(state: SupervisorState): ConnectionState {
  switch (state) {
    case SupervisorState.Idle:
    case SupervisorState.Connecting:
      return 'connecting';
    case SupervisorState.Connected:
      return 'connected';
    case SupervisorState.Reconnecting:
      return 'reconnecting';
    case SupervisorState.Failed:
    case SupervisorState.Stopping:
    case SupervisorState.Stopped:
      return 'disconnected';
  }
}
