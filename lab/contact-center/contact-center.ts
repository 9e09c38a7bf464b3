/**
 * The contact center: the lab's server application that takes customers' requests, routes
 * them to agents by presence and skill, and runs each conversation.
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../core/ports/clock';
import { silentLogger, type Logger } from '../../core/ports/logger';
import { systemClock } from '../../main/adapters/node-clock';
import { AgentPool, type AgentStatus } from './agent-pool';
import { AgentPresence } from './agent-presence';
import type { ContactCenterConfig } from './config';
import type { ContactCenterLab } from './contact-center-lab';
import { Conversation, type ConversationSnapshot } from './conversation';
import { clip, type CustomerRequest } from './customer-context';
import type { ContactCenterEvent } from './events';
import { Router, type EscalationTarget, type Offer, type OfferHandle, type RouterEvent } from './router';
import { skillForQuestion } from './skill-rule';

/** Options of {@link ContactCenter}. @public */
export type ContactCenterOptions = {
  readonly clock?: Clock;
  readonly logger?: Logger;
};

/** What {@link ContactCenter.request} returns. @public */
export type RequestResult =
  | {
      readonly ok: true;
      readonly requestId: string;
      readonly skill: string;
      /** The keywords that chose the skill (empty: the default skill). */
      readonly matched: readonly string[];
      /** Place among those waiting for the skill (1: next). */
      readonly position: number;
    }
  | { readonly ok: false; readonly reason: 'queue-full' | 'stopped' };

/**
 * A contact center on the lab: configuration in, events out.
 *
 * @remarks
 * - Agents' availability comes from their presence server only ({@link AgentPresence}).
 * - {@link ContactCenter.request} picks the skill with the keyword rule ({@link skillForQuestion}),
 *   creates the conversation's conference with the customer in it as a chat-only guest, and
 *   queues it; {@link Router} offers it to the longest-idle Available agent with the skill, by a
 *   conference invitation carrying IM (and audio when the customer asked for a call).
 * - Each conversation ({@link Conversation}) opens the agents' `crm-context` panes, relays the
 *   chat, takes notes, wrap-up codes, escalations and removals, and ends the conference.
 * - Everything that happens is a {@link ContactCenterEvent} for {@link ContactCenter.on}.
 * @public
 */
export class ContactCenter {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly pool: AgentPool;
  private readonly router: Router;
  private readonly presence: AgentPresence;
  private readonly conversations = new Map<string, Conversation>();
  private readonly byConference = new Map<string, Conversation>();
  private readonly byGuest = new Map<string, Conversation>();
  private readonly listeners = new Set<(event: ContactCenterEvent) => void>();
  private readonly unsubscribe: (() => void)[] = [];
  private stopped = false;

  constructor(
    private readonly lab: ContactCenterLab,
    readonly config: ContactCenterConfig,
    options: ContactCenterOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.log = (options.logger ?? silentLogger).child('contact-center');
    this.pool = new AgentPool(config.agents, this.clock);
    this.router = new Router(this.pool, (offer) => this.sendOffer(offer), this.clock, config);
    this.router.on((event) => this.onRouting(event));
    this.presence = new AgentPresence(
      config.agents.map((a) => a.aor),
      { ua: lab.userAgent, clock: this.clock, logger: this.log, onChange: (aor, state) => this.router.setPresence(aor, state) },
    );
    this.unsubscribe.push(
      lab.conferences.notifier.onDocument((conferenceId, document) => this.byConference.get(conferenceId)?.rosterChanged(document)),
      lab.conferences.im.onGuestMessage((guest, message) => this.byGuest.get(guest.toLowerCase())?.guestHeard(message)),
    );
  }

  /** Starts watching the agents' presence; nobody is routable before their server says Available. */
  start(): void {
    this.presence.start();
  }

  /** Calls `listener` with every event. @returns the unsubscription */
  on(listener: (event: ContactCenterEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every agent as routing sees them now. */
  agents(): AgentStatus[] {
    return this.pool.list();
  }

  /** A conversation as it is now, until it ended. */
  conversation(requestId: string): ConversationSnapshot | undefined {
    return this.conversations.get(requestId)?.snapshot();
  }

  /**
   * A customer asks for help: the conversation's conference is made with the customer in it,
   * and the request is routed.
   */
  request(customer: CustomerRequest): RequestResult {
    if (this.stopped) {
      return { ok: false, reason: 'stopped' };
    }
    const decision = skillForQuestion(customer.question, this.config.skills, this.config.defaultSkill ?? this.config.skills[0]?.name ?? '');
    const requestId = `r-${randomBytes(6).toString('hex')}`;
    const context = { ...customer, id: requestId, skill: decision.skill, requestedAt: this.clock.now() };
    const conference = this.lab.createConference(`${clip(customer.name, 40)}: ${clip(customer.question, 60)}`);
    const guestUri = `sip:${requestId}@guests.${this.lab.domain}`;
    this.lab.conferences.im.addGuest(conference, guestUri, `${clip(customer.name, 40)} (customer)`);
    const conversation = new Conversation(context, conference, guestUri, `conv-${conference.id}`, {
      lab: this.lab,
      router: this.router,
      pool: this.pool,
      config: this.config,
      clock: this.clock,
      logger: this.log,
      emit: (event) => this.emit(event),
      onEnded: (id) => this.forget(id),
    });
    this.conversations.set(requestId, conversation);
    this.byConference.set(conference.id, conversation);
    this.byGuest.set(guestUri.toLowerCase(), conversation);
    this.log.info('customer request', { request: requestId, skill: decision.skill, matched: decision.matched.join(','), call: customer.call });
    const submitted = this.router.submit(requestId, decision.skill);
    if (!submitted.ok) {
      conversation.end('abandoned');
      return { ok: false, reason: submitted.reason === 'queue-full' ? 'queue-full' : 'stopped' };
    }
    return { ok: true, requestId, skill: decision.skill, matched: decision.matched, position: this.router.positionOf(requestId) };
  }

  /** The customer typed a line. @returns false when the conversation is over (or closing) */
  customerSays(requestId: string, text: string): boolean {
    return this.conversations.get(requestId)?.customerSays(text) ?? false;
  }

  /** The customer ended the chat. @returns false for a conversation that is already over */
  customerLeaves(requestId: string): boolean {
    const conversation = this.conversations.get(requestId);
    conversation?.customerLeaves();
    return conversation !== undefined;
  }

  /** Asks a supervisor or another skill's agent into a live conversation (as the pane's `escalate` does). */
  escalate(requestId: string, target: EscalationTarget): boolean {
    return this.conversations.get(requestId)?.escalate(target) ?? false;
  }

  /** Removes a participant from a conversation's conference. */
  remove(requestId: string, agent: string): boolean {
    return this.conversations.get(requestId)?.remove(agent) ?? false;
  }

  /** Ends a conversation now, whatever its phase. */
  end(requestId: string): boolean {
    const conversation = this.conversations.get(requestId);
    conversation?.end('api');
    return conversation !== undefined;
  }

  /** Ends every conversation, withdraws ringing offers, and stops watching presence. */
  async stop(): Promise<void> {
    if (this.stopped) {
      return;
    }
    this.stopped = true;
    this.router.dispose();
    for (const conversation of [...this.conversations.values()]) {
      conversation.end('stopped');
    }
    this.unsubscribe.forEach((u) => u());
    await this.presence.stop();
    this.listeners.clear();
  }

  /** Routing's offer port: a conference invitation into the conversation's conference. */
  private sendOffer(offer: Offer): OfferHandle {
    const conversation = this.conversations.get(offer.requestId);
    if (!conversation) {
      return { answer: Promise.resolve('failed'), cancel: () => undefined };
    }
    const { invitation, outcome } = this.lab.inviteTo(conversation.conference, offer.agent.aor, {
      audio: conversation.context.call,
      im: true,
      conversationId: conversation.conversationId,
    });
    return {
      answer: outcome.then((o) => (o.state === 'Accepted' ? 'accepted' : o.state === 'Declined' ? 'declined' : 'failed')),
      cancel: () => invitation.cancel(),
    };
  }

  private onRouting(event: RouterEvent): void {
    switch (event.type) {
      case 'agent':
        this.emit(event);
        return;
      case 'position':
        this.emit(event);
        return;
      case 'escalation-failed':
        this.conversations.get(event.requestId)?.escalationFailed();
        return;
      case 'late-accept':
        this.log.info('an invitation was accepted after routing gave up on it; the agent is ejected if they join', { request: event.offer.requestId, agent: event.offer.agent.aor });
        return;
      case 'offered':
        this.conversations.get(event.offer.requestId)?.offered(event.offer);
        return;
      case 'refused':
        this.conversations.get(event.offer.requestId)?.refused(event.offer, event.reason);
        return;
      case 'accepted': {
        const conversation = this.conversations.get(event.offer.requestId);
        if (conversation) {
          conversation.accepted(event.offer);
        } else {
          this.router.release(event.offer.agent.aor, 'free');
        }
        return;
      }
    }
  }

  private forget(requestId: string): void {
    const conversation = this.conversations.get(requestId);
    if (conversation) {
      this.conversations.delete(requestId);
      this.byConference.delete(conversation.conference.id);
      this.byGuest.delete(conversation.guestUri.toLowerCase());
    }
  }

  private emit(event: ContactCenterEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.log.warn('contact-center listener failed', { type: event.type, error: String(error) });
      }
    }
  }
}
