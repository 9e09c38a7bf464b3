/**
 * One customer's conversation: the conference the customer chats in, the agents who come and
 * go, their panes, and how it closes.
 * @packageDocumentation
 */
import type { ConferenceInfo } from '../../core/conference/conference-info';
import type { Clock, TimerHandle } from '../../core/ports/clock';
import type { Logger } from '../../core/ports/logger';
import { guardedTransition, type TransitionTable } from '../../core/util/state-machine';
import type { CenterToPane, PaneToCenter } from '../../extensions/crm-context/cc-protocol';
import type { LabChatMessage } from '../conference/im-mcu';
import type { LabConference } from '../conference/lab-conference';
import type { AgentPool } from './agent-pool';
import { AgentPane } from './agent-pane';
import type { ContactCenterConfig, WrapUpCode } from './config';
import type { ContactCenterLab } from './contact-center-lab';
import { summarize, type CapturedContext } from './customer-context';
import type { ContactCenterEvent, EndedBy, ParticipantRole } from './events';
import type { EscalationTarget, Offer, Router } from './router';


/** How long a wrap-up's ack may take before the agent is released anyway. */
const ACK_WAIT_MS = 2000;
/**
 * A conversation's phase.
 *
 * ```
 *  waiting --an agent accepted--> live --customer left--> closing --every agent wrapped up,
 *     |                            |                         |      or the wrap-up time ran out--> ended
 *     +----customer gave up--------+--last agent left, API---+-----------------------------------> ended
 * ```
 * @public
 */
export type ConversationPhase = 'waiting' | 'live' | 'closing' | 'ended';

const PHASE_MOVES: TransitionTable<ConversationPhase> = {
  waiting: ['live', 'ended'],
  live: ['closing', 'ended'],
  closing: ['ended'],
  ended: [],
};
const movePhase = guardedTransition('contact-center conversation', PHASE_MOVES);

/** How long an agent who accepted has to show up in the roster before they count as gone. */
const JOIN_TIMEOUT_MS = 30_000;
/** Lines the customer may type before any agent's chat is up; more are dropped. */
const MAX_PENDING_LINES = 50;
/** Our end of the panes is closed this long after the conference ends, if the agent's side has not closed it. */
const PANE_CLOSE_GRACE_MS = 1000;

/** What a conversation needs from the contact center around it. @public */
export type ConversationHost = {
  readonly lab: ContactCenterLab;
  readonly router: Pick<Router, 'release' | 'finishWrapUp' | 'ended' | 'abandon' | 'escalate'>;
  readonly pool: Pick<AgentPool, 'get'>;
  readonly config: ContactCenterConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly emit: (event: ContactCenterEvent) => void;
  /** The conversation is over: forget it. */
  readonly onEnded: (requestId: string) => void;
};

/** A participant as {@link Conversation.snapshot} shows them. @public */
export type ParticipantSnapshot = {
  readonly aor: string;
  readonly name: string;
  readonly role: ParticipantRole;
  readonly joined: boolean;
  readonly present: boolean;
  readonly pane: boolean;
  readonly wrapUp?: string;
};

/** A conversation as it is now. @public */
export type ConversationSnapshot = {
  readonly requestId: string;
  readonly phase: ConversationPhase;
  readonly skill: string;
  readonly conferenceId: string;
  readonly focusUri: string;
  readonly conversationId: string;
  readonly customer: { readonly uri: string; readonly name: string };
  readonly participants: readonly ParticipantSnapshot[];
};

type Participant = {
  readonly aor: string;
  readonly name: string;
  readonly role: ParticipantRole;
  joined: boolean;
  chat: boolean;
  gone: boolean;
  removed: boolean;
  pane: AgentPane | undefined;
  wrapUp: WrapUpCode | undefined;
  joinTimer: TimerHandle | undefined;
};

/** What the roster last said of a user. */
type Seen = { readonly entity: string; readonly present: boolean; readonly focus: boolean; readonly chat: boolean };

type Escalation = { readonly target: EscalationTarget; readonly requester: string | undefined; agent: string | undefined };

/**
 * One customer's conversation, from the request to the conference's end.
 *
 * @remarks
 * - The conference exists from the request on, with the customer in it as a chat-only guest
 *   (lab/conference/im-mcu.ts); agents are invited into it, one offer at a time, by routing.
 * - The roster is the truth about who is there (UCMA's participant attendance): an agent counts
 *   as joined when their focus endpoint appears, and gone when the roster deletes them. Anybody
 *   in the conference who was not invited by routing (an invitation accepted after it timed
 *   out) is ejected.
 * - Once an agent has joined, their `crm-context` pane opens in the same conversation with the
 *   summary; once their chat is up, the customer's question and whatever the customer typed
 *   meanwhile are said in the chat, in order.
 * - Closing: when the customer leaves, each agent serving them still owes a wrap-up code, and
 *   the conference stays up for it (their pane's channel lives as long as the conference does)
 *   until every code came or `wrapUpTimeoutMs` passed. An agent who leaves first has given no
 *   code (`none`); the last serving agent leaving ends the conversation.
 * @public
 */
export class Conversation {
  private phase: ConversationPhase = 'waiting';
  private readonly participants = new Map<string, Participant>();
  private readonly seen = new Map<string, Seen>();
  private readonly ringing = new Set<string>();
  private readonly pending: string[];
  private chatOpen = false;
  private chat: Promise<void> = Promise.resolve();
  private wrapUpTimer: TimerHandle | undefined;
  private escalation: Escalation | undefined;
  private readonly log: Logger;

  constructor(
    readonly context: CapturedContext,
    readonly conference: LabConference,
    readonly guestUri: string,
    readonly conversationId: string,
    private readonly host: ConversationHost,
  ) {
    this.pending = [context.question];
    this.log = host.logger.child('conversation');
  }

  get state(): ConversationPhase {
    return this.phase;
  }

  snapshot(): ConversationSnapshot {
    return {
      requestId: this.context.id,
      phase: this.phase,
      skill: this.context.skill,
      conferenceId: this.conference.id,
      focusUri: this.conference.focusUri,
      conversationId: this.conversationId,
      customer: { uri: this.guestUri, name: this.context.name },
      participants: [...this.participants.values()].map((p) => ({
        aor: p.aor,
        name: p.name,
        role: p.role,
        joined: p.joined,
        present: p.joined && !p.gone,
        pane: p.pane?.isOpen ?? false,
        ...(p.wrapUp && { wrapUp: p.wrapUp.code }),
      })),
    };
  }

  // Routing's news.

  /** An invitation to this conversation went out. */
  offered(offer: Offer): void {
    this.ringing.add(offer.agent.aor.toLowerCase());
    this.host.emit({ type: 'offered', requestId: this.context.id, agent: offer.agent.aor, name: offer.agent.name, purpose: offer.purpose });
    if (offer.purpose !== 'customer') {
      this.replyEscalation('offered', offer.agent.aor, offer.agent.name);
    }
  }

  /** An invitation was declined, unanswered or failed (routing moves on by itself). */
  refused(offer: Offer, reason: 'declined' | 'unanswered' | 'failed'): void {
    this.ringing.delete(offer.agent.aor.toLowerCase());
    this.host.emit({ type: 'refused', requestId: this.context.id, agent: offer.agent.aor, reason });
    if (offer.purpose !== 'customer') {
      this.replyEscalation('declined', offer.agent.aor, offer.agent.name);
    }
  }

  /** Nobody could be offered the escalation. */
  escalationFailed(): void {
    this.replyEscalation('unavailable');
    this.escalation = undefined;
  }

  /** An agent accepted: they are expected in the roster next. */
  accepted(offer: Offer): void {
    const aor = offer.agent.aor.toLowerCase();
    this.ringing.delete(aor);
    if (this.phase === 'ended' || this.phase === 'closing') {
      this.host.router.release(offer.agent.aor, 'free');
      return;
    }
    const role: ParticipantRole = offer.purpose === 'supervisor' ? 'supervisor' : 'agent';
    const participant: Participant = { aor: offer.agent.aor, name: offer.agent.name, role, joined: false, chat: false, gone: false, removed: false, pane: undefined, wrapUp: undefined, joinTimer: undefined };
    this.participants.set(aor, participant);
    if (this.phase === 'waiting') {
      this.phase = movePhase(this.phase, 'live', this.context.id);
    }
    if (offer.purpose !== 'customer' && this.escalation) {
      this.escalation.agent = aor;
    }
    this.host.emit({ type: 'accepted', requestId: this.context.id, agent: offer.agent.aor, name: offer.agent.name, purpose: offer.purpose });
    participant.joinTimer = this.host.clock.setTimeout(() => {
      if (!participant.joined && !participant.gone) {
        this.log.warn('the agent accepted but never joined', { request: this.context.id, agent: participant.aor });
        this.participantGone(participant, 'left');
      }
    }, JOIN_TIMEOUT_MS);
    this.reconcile(aor);
  }

  // The lab's news.

  /** A roster document of this conference (every change goes through the focus's notifier). */
  rosterChanged(document: ConferenceInfo): void {
    if (document.state === 'deleted') {
      this.end('stopped');
      return;
    }
    for (const user of document.users) {
      const aor = user.entity.toLowerCase();
      if (aor === this.guestUri.toLowerCase()) {
        continue;
      }
      const present = user.state !== 'deleted';
      const has = (type: string): boolean => present && user.endpoints.some((e) => e.sessionType === type);
      this.seen.set(aor, { entity: user.entity, present, focus: has('focus'), chat: has('chat') });
      this.reconcile(aor);
    }
  }

  /** A chat message reached the customer (a guest of the IM MCU). */
  guestHeard(message: LabChatMessage): void {
    const participant = this.participants.get(message.from.toLowerCase());
    if (participant) {
      this.host.emit({ type: 'message', requestId: this.context.id, from: participant.aor, name: participant.name, role: participant.role, text: message.text, at: message.at });
    }
  }

  // The customer's and the API's requests.

  /** The customer typed a line: said in the chat, or kept until an agent's chat is up. */
  customerSays(text: string): boolean {
    if (this.phase === 'closing' || this.phase === 'ended') {
      return false;
    }
    this.host.emit({ type: 'message', requestId: this.context.id, from: this.guestUri, name: this.context.name, role: 'customer', text, at: this.host.clock.now() });
    if (!this.chatOpen) {
      if (this.pending.length < MAX_PENDING_LINES) {
        this.pending.push(text);
      }
      return true;
    }
    this.sayAsCustomer(text);
    return true;
  }

  /** The customer ended the chat (or closed the page). */
  customerLeaves(): void {
    if (this.phase === 'waiting') {
      this.host.router.abandon(this.context.id);
      this.end('abandoned');
      return;
    }
    if (this.phase !== 'live') {
      return;
    }
    this.phase = movePhase(this.phase, 'closing', this.context.id);
    this.host.lab.conferences.im.removeGuest(this.conference, this.guestUri);
    this.host.emit({ type: 'customer.left', requestId: this.context.id });
    for (const p of this.active()) {
      void p.pane?.send({ type: 'customer.left' });
      if (p.role === 'agent' && !p.wrapUp) {
        this.host.router.release(p.aor, 'wrap-up');
      } else {
        // Nothing left to do here: free for the next customer, and out of the conference.
        this.host.router.release(p.aor, 'free');
        this.eject(p);
      }
    }
    this.wrapUpTimer = this.host.clock.setTimeout(() => this.wrapUpTimedOut(), this.host.config.wrapUpTimeoutMs);
    this.checkClosing();
  }

  /**
   * Asks a supervisor or another skill's agent in.
   * @param requester - the participant whose pane asked, told how it goes
   * @returns whether an invitation went out
   */
  escalate(target: EscalationTarget, requester?: string): boolean {
    const refuse = (message: string): boolean => {
      this.paneOf(requester)?.send({ type: 'error', ref: 'escalate', message }).catch(() => undefined);
      return false;
    };
    if (this.phase !== 'live') {
      return refuse('the conversation is not live');
    }
    if (this.escalation) {
      return refuse('an escalation is already under way');
    }
    if ('skill' in target && !this.host.config.skills.some((s) => s.name === target.skill)) {
      return refuse(`unknown skill "${target.skill}"`);
    }
    this.escalation = { target, requester: requester?.toLowerCase(), agent: undefined };
    return this.host.router.escalate(this.context.id, target, [...this.participants.keys()]);
  }

  /** Removes a participant from the conference (the lab focus's eject: BYE on each dialog). */
  remove(aor: string): boolean {
    const participant = this.participants.get(aor.toLowerCase());
    if (!participant?.joined || participant.gone) {
      return false;
    }
    return this.eject(participant);
  }

  /** Ends the conversation: the conference ends, everybody is released. */
  end(by: EndedBy): void {
    if (this.phase === 'ended') {
      return;
    }
    const wasWaiting = this.phase === 'waiting';
    this.phase = movePhase(this.phase, 'ended', this.context.id);
    this.host.clock.clearTimeout(this.wrapUpTimer);
    for (const p of this.participants.values()) {
      this.host.clock.clearTimeout(p.joinTimer);
      if (!p.gone) {
        p.gone = true;
        this.releaseParticipant(p);
      }
    }
    if (wasWaiting) {
      this.host.router.abandon(this.context.id);
    } else {
      this.host.router.ended(this.context.id);
    }
    this.host.lab.conferences.end(this.conference.id);
    const panes = [...this.participants.values()].flatMap((p) => (p.pane ? [p.pane] : []));
    this.host.clock.setTimeout(() => panes.forEach((pane) => pane.close()), PANE_CLOSE_GRACE_MS);
    this.host.emit({ type: 'ended', requestId: this.context.id, by });
    this.host.onEnded(this.context.id);
  }

  /** Brings a participant's state in line with what the roster says. */
  private reconcile(aor: string): void {
    const seen = this.seen.get(aor);
    const participant = this.participants.get(aor);
    if (!participant) {
      if (seen?.present && seen.focus && !this.ringing.has(aor) && this.phase !== 'ended') {
        this.log.warn('ejecting a participant routing did not invite', { request: this.context.id, user: seen.entity });
        this.host.lab.conferences.eject(this.conference.id, seen.entity);
      }
      return;
    }
    if (participant.gone) {
      return;
    }
    if (!participant.joined && seen?.present && seen.focus) {
      this.joined(participant);
    }
    if (participant.joined && seen?.present && seen.chat && !participant.chat) {
      participant.chat = true;
      this.openChat();
    }
    if (participant.joined && !seen?.present) {
      this.participantGone(participant, participant.removed ? 'removed' : 'left');
    }
  }

  private joined(participant: Participant): void {
    participant.joined = true;
    this.host.clock.clearTimeout(participant.joinTimer);
    this.host.emit({ type: 'joined', requestId: this.context.id, agent: participant.aor, name: participant.name, role: participant.role });
    if (this.escalation?.agent === participant.aor.toLowerCase()) {
      this.replyEscalation('joined', participant.aor, participant.name);
      this.escalation = undefined;
    }
    void this.openPane(participant);
  }

  private async openPane(participant: Participant): Promise<void> {
    const config = this.host.config;
    const summary = summarize(this.context, { role: participant.role, customerUri: this.guestUri, wrapUpCodes: config.wrapUpCodes, skills: config.skills.map((s) => s.name) });
    const pane = new AgentPane(this.host.lab.channel(participant.aor, this.conversationId), {
      context: this.context,
      summary,
      conversationId: this.conversationId,
      onMessage: (message) => this.paneMessage(participant, message),
      logger: this.log,
    });
    participant.pane = pane;
    pane.onClosed(() => this.host.emit({ type: 'pane', requestId: this.context.id, agent: participant.aor, state: 'closed' }));
    try {
      const outcome = await pane.open();
      this.host.emit({ type: 'pane', requestId: this.context.id, agent: participant.aor, state: outcome.ok ? 'open' : 'refused', status: outcome.status });
    } catch (error) {
      this.log.warn('pane not opened', { request: this.context.id, agent: participant.aor, error: String(error) });
      this.host.emit({ type: 'pane', requestId: this.context.id, agent: participant.aor, state: 'refused', status: 0 });
    }
  }

  private paneMessage(participant: Participant, message: Exclude<PaneToCenter, { type: 'context.request' }>): void {
    switch (message.type) {
      case 'note':
        this.host.emit({ type: 'note', requestId: this.context.id, agent: participant.aor, text: message.text, at: this.host.clock.now() });
        void participant.pane?.send({ type: 'ack', ref: 'note' });
        return;
      case 'wrapup':
        this.pickWrapUp(participant, message.code);
        return;
      case 'escalate':
        this.escalate(message.supervisor === true ? { supervisor: true } : { skill: message.skill ?? '' }, participant.aor);
        return;
      case 'remove':
        this.removeByPane(participant, message.agent);
        return;
    }
  }

  private pickWrapUp(participant: Participant, code: string): void {
    const wrapUp = this.host.config.wrapUpCodes.find((c) => c.code === code);
    if (!wrapUp) {
      void participant.pane?.send({ type: 'error', ref: 'wrapup', message: `unknown wrap-up code "${code}"` });
      return;
    }
    participant.wrapUp = wrapUp;
    this.host.emit({ type: 'wrapup', requestId: this.context.id, agent: participant.aor, outcome: 'picked', code: wrapUp.code, label: wrapUp.label, at: this.host.clock.now() });
    // The ack first (its INFO answered), then the eject: the pane hears "recorded" before the
    // conversation, and with it the pane's channel, ends.
    // Bounded: an INFO nobody answers would otherwise hold the agent for Timer F (32 s).
    const acked = participant.pane?.send({ type: 'ack', ref: 'wrapup' }) ?? Promise.resolve(false);
    let done = false;
    const finish = (): void => {
      if (done) {
        return;
      }
      done = true;
      this.host.clock.clearTimeout(bound);
      if (this.phase === 'closing' && !participant.gone) {
        this.host.router.finishWrapUp(participant.aor);
        this.eject(participant);
        this.checkClosing();
      }
    };
    const bound = this.host.clock.setTimeout(finish, ACK_WAIT_MS);
    void acked.then(finish, finish);
  }

  private removeByPane(requester: Participant, target: string): void {
    const reply = (message: CenterToPane): void => void requester.pane?.send(message);
    if (target.toLowerCase() === this.guestUri.toLowerCase()) {
      reply({ type: 'error', ref: 'remove', message: 'the customer ends the chat themselves' });
      return;
    }
    if (!this.remove(target)) {
      reply({ type: 'error', ref: 'remove', message: `${target} is not in this conversation` });
      return;
    }
    reply({ type: 'ack', ref: 'remove' });
  }

  private participantGone(participant: Participant, reason: 'left' | 'removed'): void {
    participant.gone = true;
    this.host.clock.clearTimeout(participant.joinTimer);
    this.host.emit({ type: 'left', requestId: this.context.id, agent: participant.aor, name: participant.name, reason });
    this.releaseParticipant(participant);
    if (this.escalation?.agent === participant.aor.toLowerCase()) {
      this.replyEscalation('unavailable');
      this.escalation = undefined;
    }
    if (this.phase === 'live' && !this.active().some((p) => p.role === 'agent')) {
      this.end('agent');
    } else if (this.phase === 'closing') {
      this.checkClosing();
    }
  }

  /** Routing gets the agent back; an agent who served and gave no code is recorded as such. */
  private releaseParticipant(participant: Participant): void {
    const work = this.host.pool.get(participant.aor)?.work;
    if (participant.role === 'agent' && !participant.wrapUp && (work === 'engaged' || work === 'wrap-up')) {
      this.host.emit({ type: 'wrapup', requestId: this.context.id, agent: participant.aor, outcome: 'none', at: this.host.clock.now() });
    }
    if (work === 'wrap-up') {
      this.host.router.finishWrapUp(participant.aor);
    } else {
      this.host.router.release(participant.aor, 'free');
    }
  }

  private wrapUpTimedOut(): void {
    for (const p of this.active()) {
      if (p.role === 'agent' && !p.wrapUp) {
        this.host.emit({ type: 'wrapup', requestId: this.context.id, agent: p.aor, outcome: 'timed-out', at: this.host.clock.now() });
        this.host.router.finishWrapUp(p.aor);
      }
    }
    this.end('customer');
  }

  /** Closing ends once no serving agent still owes a code. */
  private checkClosing(): void {
    if (this.phase === 'closing' && !this.active().some((p) => p.role === 'agent' && !p.wrapUp)) {
      this.end('customer');
    }
  }

  private openChat(): void {
    if (this.chatOpen) {
      return;
    }
    this.chatOpen = true;
    for (const line of this.pending.splice(0)) {
      this.sayAsCustomer(line);
    }
  }

  /** The customer's lines reach the IM MCU one after the other, in the order typed. */
  private sayAsCustomer(text: string): void {
    this.chat = this.chat
      .then(() => this.host.lab.conferences.im.say(this.conference, this.guestUri, text))
      .catch((error: unknown) => this.log.warn('customer line not relayed', { request: this.context.id, error: String(error) }));
  }

  private replyEscalation(state: 'offered' | 'declined' | 'joined' | 'unavailable', agent?: string, name?: string): void {
    const escalation = this.escalation;
    if (!escalation) {
      return;
    }
    this.host.emit({ type: 'escalation', requestId: this.context.id, target: escalation.target, state, ...(agent !== undefined && { agent }), ...(name !== undefined && { name }) });
    void this.paneOf(escalation.requester)?.send({ type: 'escalation', state, ...(agent !== undefined && { agent }), ...(name !== undefined && { name }) });
  }

  private eject(participant: Participant): boolean {
    participant.removed = true;
    return this.host.lab.conferences.eject(this.conference.id, participant.aor);
  }

  private paneOf(aor: string | undefined): AgentPane | undefined {
    return aor === undefined ? undefined : this.participants.get(aor.toLowerCase())?.pane;
  }

  /** Participants who accepted and have not left. */
  private active(): Participant[] {
    return [...this.participants.values()].filter((p) => !p.gone);
  }
}
