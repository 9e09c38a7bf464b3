import type { BridgeError } from '../../../common/bridge';
import { ExtensionRegistryError } from '../../../core/extensions/extension-registry';
import { ExtensionStoreError } from '../../../core/ports/extension-store';
import type { CommandResult } from '../../agent/agent-host';

/**
 * A refusal a handler means to show: `DesktopSession.handle` answers it as the error envelope
 * of `common/bridge.ts` with this code and message, and logs nothing (it is not a fault).
 */
export class BridgeFailure extends Error {
  constructor(readonly error: BridgeError) {
    super(error.message);
  }
}

/** Refuses the request at hand with `code` and one readable line. */
export const fail = (code: BridgeError['code'], message: string): never => {
  throw new BridgeFailure({ code, message });
};

/** The agent, or the `unavailable` refusal while none runs (starting, failed, not configured). */
export function requireRunningAgent<Agent>(agent: Agent | undefined): Agent {
  return agent ?? fail('unavailable', 'the agent is not running');
}

/**
 * The `done` result (`{}`) of an agent command, or `not-found` with the agent's reason when
 * its id, conference or pane names nothing.
 */
export function doneOrNotFound(result: CommandResult): Record<string, never> {
  if (!result.ok) {
    fail('not-found', result.message);
  }
  return {};
}

/**
 * The error envelope of a failure that has one: a handler's {@link BridgeFailure}, or a
 * registry or store refusal as a code a person can act on. Undefined for anything else (a
 * fault, which the session logs and answers as `internal`).
 */
export function knownBridgeError(error: unknown): BridgeError | undefined {
  if (error instanceof BridgeFailure) {
    return error.error;
  }
  if (error instanceof ExtensionRegistryError) {
    const code = ({ 'bad-id': 'bad-request', 'not-installed': 'not-found', 'machine-provisioned': 'refused', 'user-installs-forbidden': 'refused', 'shadowed-by-machine': 'refused' } as const)[error.code];
    return { code, message: error.message };
  }
  if (error instanceof ExtensionStoreError) {
    const code = ({ 'invalid-package': 'bad-request', 'source-not-found': 'not-found', busy: 'busy' } as const)[error.code];
    return { code, message: error.message };
  }
  return undefined;
}
