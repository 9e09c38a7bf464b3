import type { AgentEvent } from '../../common/agent-events';
import type { FaultBoundary } from './fault-boundary';

/** A dialog (or a group of them, such as a conference) that survives a transport loss. */
export interface Recoverable {
  /** The transport is gone: hold outgoing requests, tell the agent. */
  suspend(): void;
  /** Registered again on a new connection: refresh the remote target, or rebuild what is gone. */
  recover(): void;
}

/** The part of the engine's event stream recovery listens to. */
export type RecoveryEvents = {
  on(type: 'connection', listener: (event: Extract<AgentEvent, { type: 'connection' }>) => void): unknown;
  on(type: 'registered', listener: (event: Extract<AgentEvent, { type: 'registered' }>) => void): unknown;
};

/**
 * The one recovery mechanism of the agent's dialogs: every live dialog registers here, is
 * suspended when the connection drops, and recovers once the agent is registered again on the
 * new connection (whose Contact, and the proxy's alias for it, changed: RFC 5626 §4.2, Kamailio's
 * `add_contact_alias`).
 *
 * @remarks Registration comes first because a re-INVITE through the proxy before the new
 * binding exists may be answered from the old, dead flow. Each dialog runs in the fault
 * boundary of its own Call-ID, so one dialog failing to recover never stops the others.
 * @public
 */
export class DialogRecovery {
  private readonly dialogs = new Map<string, Recoverable>();
  private lost = false;

  constructor(
    events: RecoveryEvents,
    private readonly faults: FaultBoundary,
  ) {
    events.on('connection', (event) => {
      if (event.state === 'lost') {
        this.lost = true;
        this.each('suspend', (d) => d.suspend());
      }
    });
    events.on('registered', () => {
      if (this.lost) {
        this.lost = false;
        this.each('recover', (d) => d.recover());
      }
    });
  }

  /** Dialogs registered now. */
  get size(): number {
    return this.dialogs.size;
  }

  /**
   * Registers a dialog under its Call-ID.
   * @returns the unregistration, for when the dialog ends
   */
  register(callId: string, dialog: Recoverable): () => void {
    this.dialogs.set(callId, dialog);
    return () => {
      if (this.dialogs.get(callId) === dialog) {
        this.dialogs.delete(callId);
      }
    };
  }

  private each(where: string, fn: (dialog: Recoverable) => void): void {
    for (const [callId, dialog] of [...this.dialogs]) {
      this.faults.run(callId, `recovery ${where}`, () => fn(dialog));
    }
  }
}
