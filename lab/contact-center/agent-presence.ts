/**
 * The contact center learns each agent's availability from the presence server, as UCMA's
 * RemotePresenceView does: one SUBSCRIBE `Event: presence` per agent (im-presence §3.5, open
 * question 30), never a side channel.
 * @packageDocumentation
 */
import type { UserAgent } from 'sip.js';
import type { Clock } from '../../core/ports/clock';
import type { Logger } from '../../core/ports/logger';
import { PresenceWatch, type WatchedState } from '../../core/presence/presence-watch';
import { DialogRecovery } from '../../core/sip/dialog-recovery';
import { FaultBoundary } from '../../core/sip/fault-boundary';

/** What {@link AgentPresence} needs. @public */
export type AgentPresencePorts = {
  readonly ua: UserAgent;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Called on every change of an agent's state, `unknown` included. */
  readonly onChange: (aor: string, state: WatchedState) => void;
};

/**
 * Watches the presence of a list of agents with the agent engine's own {@link PresenceWatch}:
 * the same reading of PIDF (core/presence/pidf.ts), the same rule that an empty NOTIFY says
 * nothing new, and the same resubscription with backoff when a subscription ends.
 * @remarks The lab's user agent never loses a registration (it has none: UDP behind Kamailio,
 * or in-process on the standalone edge), so dialog recovery has no event to react to; the
 * fault boundary only logs, since a watch's fault must not end the lab.
 * @public
 */
export class AgentPresence {
  private readonly watches: PresenceWatch[];

  constructor(aors: readonly string[], ports: AgentPresencePorts) {
    const log = ports.logger.child('presence');
    const faults = new FaultBoundary(log, (fault) => log.warn('presence watch fault', { callId: fault.callId, where: fault.where, error: fault.message }));
    const recovery = new DialogRecovery({ on: () => undefined }, faults);
    this.watches = aors.map(
      (aor) =>
        new PresenceWatch(aor, {
          ua: ports.ua,
          clock: ports.clock,
          logger: log,
          faults,
          recovery,
          onChange: (who, state) => {
            log.debug('agent presence', { aor: who, state: state === 'unknown' ? 'unknown' : state.availability });
            ports.onChange(who, state);
          },
        }),
    );
  }

  /** Subscribes to every agent. */
  start(): void {
    this.watches.forEach((watch) => watch.start());
  }

  /** Ends every subscription (SUBSCRIBE with Expires 0). */
  async stop(): Promise<void> {
    await Promise.all(this.watches.map((watch) => watch.stop()));
  }
}
