/**
 * The agents as routing sees them: what their presence says, what the contact center has them
 * doing, and since when they have been idle.
 * @packageDocumentation
 */
import type { Availability } from '../../core/presence/availability';
import type { WatchedState } from '../../core/presence/presence-watch';
import type { Clock } from '../../core/ports/clock';
import { guardedTransition, type TransitionTable } from '../../core/util/state-machine';
import type { AgentConfig } from './config';

/**
 * What the contact center has an agent doing.
 *
 * ```
 *  free --offer--> offered --accepted--> engaged --customer left--> wrap-up
 *   ^                 |                     |                          |
 *   +---declined, ----+                     |                          |
 *   |   no answer,                          |                          |
 *   |   failed                              |                          |
 *   +----------left, removed, ended---------+                          |
 *   +--------------------------code, or wrap-up timeout----------------+
 * ```
 * @public
 */
export type AgentWork = 'free' | 'offered' | 'engaged' | 'wrap-up';

const AGENT_MOVES: TransitionTable<AgentWork> = {
  free: ['offered'],
  offered: ['free', 'engaged'],
  engaged: ['wrap-up', 'free'],
  'wrap-up': ['free'],
};
const moveAgent = guardedTransition('contact-center agent', AGENT_MOVES);

/** One agent as routing sees them (a copy: changing it changes nothing). @public */
export type AgentStatus = {
  readonly aor: string;
  readonly name: string;
  readonly skills: readonly string[];
  readonly supervisor: boolean;
  /** What their presence server last said; `unknown` until it said anything. */
  readonly availability: Availability | 'unknown';
  readonly note?: string;
  readonly work: AgentWork;
  /** Idle since (ms since the epoch): the later of their last conversation's end and the moment they became Available. */
  readonly idleSince?: number;
  /** Whether routing may offer them a conversation now: free and Available. */
  readonly routable: boolean;
};

type Agent = {
  readonly config: AgentConfig;
  readonly order: number;
  availability: Availability | 'unknown';
  note: string | undefined;
  work: AgentWork;
  becameAvailableAt: number | undefined;
  lastEndedAt: number | undefined;
};

/**
 * The configured agents, their presence and their work.
 * @remarks An agent is routable when the contact center has nothing for them (`free`) and
 * their presence says Available: Busy (the desktop publishes it while conference audio is up),
 * Do not disturb, Away, Be right back, Offline and unknown all keep them out. Longest idle
 * first; agents idle since the same millisecond go in configuration order.
 * @public
 */
export class AgentPool {
  private readonly agents = new Map<string, Agent>();

  constructor(
    configs: readonly AgentConfig[],
    private readonly clock: Clock,
  ) {
    configs.forEach((config, order) => {
      this.agents.set(config.aor.toLowerCase(), { config, order, availability: 'unknown', note: undefined, work: 'free', becameAvailableAt: undefined, lastEndedAt: undefined });
    });
  }

  /** Whether `aor` is a configured agent. */
  has(aor: string): boolean {
    return this.agents.has(aor.toLowerCase());
  }

  /** One agent, or undefined for an address that is not configured. */
  get(aor: string): AgentStatus | undefined {
    const agent = this.agents.get(aor.toLowerCase());
    return agent === undefined ? undefined : statusOf(agent);
  }

  /** Every agent, in configuration order. */
  list(): AgentStatus[] {
    return [...this.agents.values()].map(statusOf);
  }

  /**
   * Applies what the presence server says.
   * @returns whether anything routing looks at changed
   */
  setPresence(aor: string, state: WatchedState): boolean {
    const agent = this.agents.get(aor.toLowerCase());
    if (!agent) {
      return false;
    }
    const availability = state === 'unknown' ? 'unknown' : state.availability;
    const note = state === 'unknown' ? undefined : state.note;
    if (availability === agent.availability && note === agent.note) {
      return false;
    }
    if (availability === 'available' && agent.availability !== 'available') {
      agent.becameAvailableAt = this.clock.now();
    }
    agent.availability = availability;
    agent.note = note;
    return true;
  }

  /**
   * The one guarded change of an agent's work; ending a conversation (engaged or wrap-up to
   * free) starts their idle time.
   * @throws IllegalTransitionError for a move the diagram does not have (a bug in the caller)
   */
  move(aor: string, next: AgentWork): AgentStatus {
    const agent = this.agents.get(aor.toLowerCase());
    if (!agent) {
      throw new Error(`not an agent of this contact center: ${aor}`);
    }
    const from = agent.work;
    agent.work = moveAgent(from, next, agent.config.aor);
    if (next === 'free' && (from === 'engaged' || from === 'wrap-up')) {
      agent.lastEndedAt = this.clock.now();
    }
    return statusOf(agent);
  }

  /** Routable agents that `wanted` accepts, longest idle first. */
  candidates(wanted: (agent: AgentStatus) => boolean): AgentStatus[] {
    return [...this.agents.values()]
      .map((agent) => ({ agent, status: statusOf(agent) }))
      .filter(({ status }) => status.routable && wanted(status))
      .sort((a, b) => (a.status.idleSince ?? 0) - (b.status.idleSince ?? 0) || a.agent.order - b.agent.order)
      .map(({ status }) => status);
  }
}

function statusOf(agent: Agent): AgentStatus {
  const idleSince = Math.max(agent.becameAvailableAt ?? 0, agent.lastEndedAt ?? 0);
  return {
    aor: agent.config.aor,
    name: agent.config.name,
    skills: agent.config.skills,
    supervisor: agent.config.supervisor,
    availability: agent.availability,
    ...(agent.note !== undefined && { note: agent.note }),
    work: agent.work,
    ...(idleSince > 0 && { idleSince }),
    routable: agent.work === 'free' && agent.availability === 'available',
  };
}
