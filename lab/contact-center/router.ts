/**
 * Routing: the queue of customers, offers to agents, and what happens when an agent says no.
 * Free of SIP: offers go out through a port, time through a {@link Clock}, so the rules are
 * unit-tested with a fake clock.
 * @packageDocumentation
 */
import type { WatchedState } from '../../core/presence/presence-watch';
import type { Clock, TimerHandle } from '../../core/ports/clock';
import { guardedTransition, type TransitionTable } from '../../core/util/state-machine';
import type { AgentPool, AgentStatus } from './agent-pool';

/**
 * Where a customer's request is in routing.
 *
 * ```
 *  queued --offer--> offering --accepted--> connected --conversation over--> ended
 *    ^                  |
 *    +--declined, no----+
 *    |  answer, failed  |
 *    +------------------+--customer gave up--> abandoned
 * ```
 * @public
 */
export type RequestState = 'queued' | 'offering' | 'connected' | 'abandoned' | 'ended';

const REQUEST_MOVES: TransitionTable<RequestState> = {
  queued: ['offering', 'abandoned'],
  offering: ['queued', 'connected', 'abandoned'],
  connected: ['ended'],
  abandoned: [],
  ended: [],
};
const moveRequest = guardedTransition('contact-center request', REQUEST_MOVES);

/**
 * One offer's life: it rings, then exactly one outcome. Whatever comes second (the answer after
 * the timeout, a CANCEL crossing a 200) finds it settled and changes nothing.
 * @public
 */
export type OfferState = 'ringing' | 'accepted' | 'declined' | 'unanswered' | 'failed' | 'withdrawn';

const OFFER_MOVES: TransitionTable<OfferState> = {
  ringing: ['accepted', 'declined', 'unanswered', 'failed', 'withdrawn'],
  accepted: [],
  declined: [],
  unanswered: [],
  failed: [],
  withdrawn: [],
};
const moveOffer = guardedTransition('contact-center offer', OFFER_MOVES);

/** Why an agent is offered a conversation: a customer, or an escalation from the pane. @public */
export type OfferPurpose = 'customer' | 'supervisor' | 'skill';

/** An offer of a conversation to one agent. @public */
export type Offer = {
  readonly id: string;
  readonly requestId: string;
  readonly agent: AgentStatus;
  readonly purpose: OfferPurpose;
  /** The skill asked for (customer offers and skill escalations). */
  readonly skill?: string;
};

/** The agent's answer to an offer, as the port learns it. @public */
export type OfferAnswer = 'accepted' | 'declined' | 'failed';

/** An offer on its way: the answer to come, and how to withdraw it. @public */
export type OfferHandle = { readonly answer: Promise<OfferAnswer>; cancel(): void };

/** Sends an offer to its agent (a conference invitation, in the contact center). @public */
export type OfferPort = (offer: Offer) => OfferHandle;

/** Who an escalation asks for. @public */
export type EscalationTarget = { readonly supervisor: true } | { readonly skill: string };

/** What routing reports. @public */
export type RouterEvent =
  | { readonly type: 'position'; readonly requestId: string; readonly skill: string; readonly position: number }
  | { readonly type: 'offered'; readonly offer: Offer }
  | { readonly type: 'refused'; readonly offer: Offer; readonly reason: 'declined' | 'unanswered' | 'failed' }
  | { readonly type: 'accepted'; readonly offer: Offer }
  /** Accepted after routing gave up on it (timeout, customer gone): the caller must undo the join. */
  | { readonly type: 'late-accept'; readonly offer: Offer }
  | { readonly type: 'escalation-failed'; readonly requestId: string; readonly target: EscalationTarget; readonly tried: readonly string[] }
  | { readonly type: 'agent'; readonly agent: AgentStatus };

/** Options of {@link Router}; the configuration's values. @public */
export type RouterOptions = { readonly offerTimeoutMs: number; readonly retryRefusedAfterMs: number; readonly maxQueue: number };

/** What {@link Router.submit} returns. @public */
export type SubmitResult = { readonly ok: true; readonly position: number } | { readonly ok: false; readonly reason: 'queue-full' | 'duplicate' };

type RoutedRequest = {
  readonly id: string;
  readonly skill: string;
  state: RequestState;
  /** Agents who said no (or nothing), with when they may be asked again. */
  readonly refused: Map<string, number>;
  position: number;
  offer: LiveOffer | undefined;
};

type Escalation = { readonly target: EscalationTarget; readonly exclude: ReadonlySet<string>; readonly tried: Set<string> };

type LiveOffer = { readonly offer: Offer; state: OfferState; handle: OfferHandle | undefined; timer: TimerHandle | undefined; readonly escalation?: Escalation };

/**
 * The contact center's routing rules.
 *
 * @remarks
 * - Customers wait in arrival order. Whenever something changes (a request, an answer, a
 *   presence, an agent freed), every waiting request in order is offered to the longest-idle
 *   routable agent with its skill ({@link AgentPool.candidates}); a request whose skill has
 *   nobody free waits without holding up requests for other skills.
 * - An offer rings for `offerTimeoutMs` at most. Declined, failed or unanswered: the agent is
 *   free again, and not offered that request for `retryRefusedAfterMs` (so a lone agent who
 *   declines is asked again later rather than at once); the request goes back to its place.
 * - A position is the request's place among those waiting for the same skill (1: next).
 * - Escalations are offered the same way, to supervisors or to another skill, but never queue:
 *   when nobody can come the pane is told at once.
 * @public
 */
export class Router {
  private readonly requests = new Map<string, RoutedRequest>();
  private readonly ringing = new Set<LiveOffer>();
  private readonly listeners = new Set<(event: RouterEvent) => void>();
  private retryTimer: TimerHandle | undefined;
  private nextOffer = 1;
  private dispatching = false;
  private again = false;
  private disposed = false;

  constructor(
    private readonly pool: AgentPool,
    private readonly port: OfferPort,
    private readonly clock: Clock,
    private readonly options: RouterOptions,
  ) {}

  /** Calls `listener` with every routing event. @returns the unsubscription */
  on(listener: (event: RouterEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Where a request is, or undefined once it ended or was abandoned. */
  stateOf(requestId: string): RequestState | undefined {
    return this.requests.get(requestId)?.state;
  }

  /** The request's place among those waiting for its skill (1: next), or 0 when not waiting. */
  positionOf(requestId: string): number {
    return this.requests.get(requestId)?.position ?? 0;
  }

  /** A customer asks for `skill`; offered at once when someone is free. */
  submit(requestId: string, skill: string): SubmitResult {
    if (this.requests.has(requestId)) {
      return { ok: false, reason: 'duplicate' };
    }
    const waiting = [...this.requests.values()].filter((r) => r.state === 'queued' || r.state === 'offering').length;
    if (waiting >= this.options.maxQueue) {
      return { ok: false, reason: 'queue-full' };
    }
    this.requests.set(requestId, { id: requestId, skill, state: 'queued', refused: new Map(), position: 0, offer: undefined });
    this.dispatch();
    return { ok: true, position: this.positionOf(requestId) };
  }

  /** The customer gave up before an agent took them: a ringing offer is withdrawn (CANCEL). */
  abandon(requestId: string): boolean {
    const request = this.requests.get(requestId);
    if (!request || (request.state !== 'queued' && request.state !== 'offering')) {
      return false;
    }
    const live = request.offer;
    request.state = moveRequest(request.state, 'abandoned', requestId);
    this.requests.delete(requestId);
    if (live) {
      this.settle(live, 'withdrawn');
    }
    this.dispatch();
    return true;
  }

  /** The conversation of a connected request is over. */
  ended(requestId: string): void {
    const request = this.requests.get(requestId);
    if (request?.state === 'connected') {
      request.state = moveRequest(request.state, 'ended', requestId);
      this.requests.delete(requestId);
    }
  }

  /**
   * Asks a supervisor or another skill's agent into a connected request's conversation.
   * @param exclude - agents already in the conversation
   * @returns false when nobody can be offered it (an `escalation-failed` event follows too)
   */
  escalate(requestId: string, target: EscalationTarget, exclude: readonly string[]): boolean {
    if (this.requests.get(requestId)?.state !== 'connected') {
      return false;
    }
    return this.offerEscalation(requestId, { target, exclude: new Set(exclude.map((a) => a.toLowerCase())), tried: new Set() });
  }

  /** An engaged agent's part in a conversation ended: free now, or in wrap-up first. */
  release(aor: string, next: 'free' | 'wrap-up'): void {
    if (this.pool.get(aor)?.work !== 'engaged') {
      return;
    }
    this.emit({ type: 'agent', agent: this.pool.move(aor, next) });
    if (next === 'free') {
      this.dispatch();
    }
  }

  /** An agent in wrap-up is done (their code came, or the wrap-up time ran out). */
  finishWrapUp(aor: string): void {
    if (this.pool.get(aor)?.work !== 'wrap-up') {
      return;
    }
    this.emit({ type: 'agent', agent: this.pool.move(aor, 'free') });
    this.dispatch();
  }

  /** What an agent's presence server says now. */
  setPresence(aor: string, state: WatchedState): void {
    if (this.pool.setPresence(aor, state)) {
      const agent = this.pool.get(aor);
      if (agent) {
        this.emit({ type: 'agent', agent });
      }
      this.dispatch();
    }
  }

  /** Withdraws every ringing offer and stops the timers (the contact center stops). */
  dispose(): void {
    this.disposed = true;
    this.clock.clearTimeout(this.retryTimer);
    for (const live of [...this.ringing]) {
      this.settle(live, 'withdrawn');
    }
    this.listeners.clear();
  }

  /** Offers every waiting request that has someone free, in arrival order; re-entrant calls fold into one more pass. */
  private dispatch(): void {
    if (this.disposed) {
      return;
    }
    if (this.dispatching) {
      this.again = true;
      return;
    }
    this.dispatching = true;
    try {
      do {
        this.again = false;
        for (const request of this.requests.values()) {
          if (request.state === 'queued') {
            this.tryOffer(request);
          }
        }
      } while (this.again);
    } finally {
      this.dispatching = false;
    }
    this.scheduleRetry();
    this.updatePositions();
  }

  private tryOffer(request: RoutedRequest): void {
    const now = this.clock.now();
    for (const [aor, until] of request.refused) {
      if (until <= now) {
        request.refused.delete(aor);
      }
    }
    const agent = this.pool.candidates((a) => a.skills.includes(request.skill) && !request.refused.has(a.aor.toLowerCase()))[0];
    if (agent) {
      request.state = moveRequest(request.state, 'offering', request.id);
      request.offer = this.startOffer({ id: this.newOfferId(), requestId: request.id, agent, purpose: 'customer', skill: request.skill });
    }
  }

  private offerEscalation(requestId: string, escalation: Escalation): boolean {
    const { target, exclude, tried } = escalation;
    const agent = this.pool.candidates(
      (a) => ('supervisor' in target ? a.supervisor : a.skills.includes(target.skill)) && !exclude.has(a.aor.toLowerCase()) && !tried.has(a.aor.toLowerCase()),
    )[0];
    if (!agent) {
      this.emit({ type: 'escalation-failed', requestId, target, tried: [...tried] });
      return false;
    }
    const purpose: OfferPurpose = 'supervisor' in target ? 'supervisor' : 'skill';
    this.startOffer({ id: this.newOfferId(), requestId, agent, purpose, ...('skill' in target && { skill: target.skill }) }, escalation);
    return true;
  }

  private startOffer(offer: Offer, escalation?: Escalation): LiveOffer {
    this.emit({ type: 'agent', agent: this.pool.move(offer.agent.aor, 'offered') });
    const live: LiveOffer = { offer, state: 'ringing', handle: undefined, timer: undefined, ...(escalation && { escalation }) };
    this.ringing.add(live);
    this.emit({ type: 'offered', offer });
    live.timer = this.clock.setTimeout(() => this.settle(live, 'unanswered'), this.options.offerTimeoutMs);
    try {
      live.handle = this.port(offer);
      live.handle.answer.then(
        (answer) => this.settle(live, answer),
        () => this.settle(live, 'failed'),
      );
    } catch {
      this.settle(live, 'failed');
    }
    return live;
  }

  /** The one place an offer ends; whatever arrives after the first outcome changes nothing but a late accept. */
  private settle(live: LiveOffer, outcome: Exclude<OfferState, 'ringing'>): void {
    if (live.state !== 'ringing') {
      if (outcome === 'accepted') {
        this.emit({ type: 'late-accept', offer: live.offer });
      }
      return;
    }
    live.state = moveOffer(live.state, outcome, live.offer.id);
    this.ringing.delete(live);
    this.clock.clearTimeout(live.timer);
    if (outcome === 'unanswered' || outcome === 'withdrawn') {
      live.handle?.cancel();
    }
    const { offer } = live;
    const request = this.requests.get(offer.requestId);
    if (request?.offer === live) {
      request.offer = undefined;
    }
    if (outcome === 'accepted') {
      this.accepted(offer, request);
      return;
    }
    this.emit({ type: 'agent', agent: this.pool.move(offer.agent.aor, 'free') });
    if (outcome !== 'withdrawn') {
      this.emit({ type: 'refused', offer, reason: outcome });
      this.refused(live, request);
    }
    this.dispatch();
  }

  private accepted(offer: Offer, request: RoutedRequest | undefined): void {
    this.emit({ type: 'agent', agent: this.pool.move(offer.agent.aor, 'engaged') });
    if (offer.purpose === 'customer' && request?.state === 'offering') {
      request.state = moveRequest(request.state, 'connected', request.id);
    }
    this.emit({ type: 'accepted', offer });
    this.updatePositions();
  }

  private refused(live: LiveOffer, request: RoutedRequest | undefined): void {
    const aor = live.offer.agent.aor.toLowerCase();
    if (live.escalation) {
      live.escalation.tried.add(aor);
      if (this.requests.get(live.offer.requestId)?.state === 'connected') {
        this.offerEscalation(live.offer.requestId, live.escalation);
      }
      return;
    }
    if (request?.state === 'offering') {
      request.state = moveRequest(request.state, 'queued', request.id);
      request.refused.set(aor, this.clock.now() + this.options.retryRefusedAfterMs);
    }
  }

  /** Wakes routing when the first refusal of a waiting request expires. */
  private scheduleRetry(): void {
    this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const now = this.clock.now();
    const next = Math.min(...[...this.requests.values()].filter((r) => r.state === 'queued').flatMap((r) => [...r.refused.values()]).filter((until) => until > now));
    if (Number.isFinite(next)) {
      this.retryTimer = this.clock.setTimeout(() => this.dispatch(), next - now);
    }
  }

  private updatePositions(): void {
    const counts = new Map<string, number>();
    for (const request of this.requests.values()) {
      const waiting = request.state === 'queued' || request.state === 'offering';
      const position = waiting ? (counts.get(request.skill) ?? 0) + 1 : 0;
      if (waiting) {
        counts.set(request.skill, position);
      }
      if (position !== request.position) {
        request.position = position;
        this.emit({ type: 'position', requestId: request.id, skill: request.skill, position });
      }
    }
  }

  private newOfferId(): string {
    return `offer-${this.nextOffer++}`;
  }

  private emit(event: RouterEvent): void {
    for (const listener of this.listeners) {
      listener(event);
    }
  }
}
