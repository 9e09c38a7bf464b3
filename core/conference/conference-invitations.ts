import type { Session } from 'sip.js/lib/core/index.js';
import type { AgentEvent } from '../../common/agent-events';
import { isListedSipAor } from '../channels/sip-identity';
import type { Clock, TimerHandle } from '../ports/clock';
import type { Logger } from '../ports/logger';
import type { FaultBoundary } from '../sip/fault-boundary';
import type { InviteAnswer } from '../sip/invite-answer';
import { refusalHeaders, type AdmissionRefusal, type RingingSlot } from '../sip/request-admission';
import { byeQuietly } from '../sip/session-end';
import { warningHeader } from '../channels/warning-text';
import { parseConfInvite, type ConfInvite } from './conf-invite';
import { MIME_CONF_INVITE } from './namespaces';
import { guardedTransition } from '../util/state-machine';
import type { PreparedOffer } from './prepared-offer';

/**
 * States of one conference invitation (the first of the three dialogs).
 *
 * ```
 *  Ringing --accept--> Accepted --BYE in or out--> Ended
 *     |--decline (603)----------------------------> Ended
 *     |--CANCEL (487) / no answer (480)-----------> Ended
 * ```
 * @public
 */
export type InvitationState = 'Ringing' | 'Accepted' | 'Ended';

const LEGAL: Readonly<Record<InvitationState, readonly InvitationState[]>> = {
  Ringing: ['Accepted', 'Ended'],
  Accepted: ['Ended'],
  Ended: [],
};
const transitionInvitation = guardedTransition('invitation', LEGAL);

/** Tunables of {@link ConferenceInvitations}. */
export type ConferenceInvitationOptions = {
  /** Answer 480 when the agent has not decided within this time (UCMA waits 15 s; we default to 30 s). */
  readonly answerTimeoutMs?: number;
  /** After our 200, wait this long for the inviter's BYE before sending ours (open question 3). */
  readonly byeGraceMs?: number;
  /** Accept valid invitations from senders on `trustList` without asking (`--auto-accept`). */
  readonly autoAccept?: boolean;
  /** SIP URIs whose invitations `autoAccept` applies to (`--trust`); others always ring. */
  readonly trustList?: readonly string[];
  /**
   * The agent chose Do not disturb: invitations from senders not on `trustList` are shown
   * without ringing (`quiet`) and answered 486 Busy Here if nobody decides in time.
   */
  readonly doNotDisturb?: () => boolean;
};

/** What the handler needs from the engine. */
export type ConferenceInvitationDeps = {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly emit: (event: AgentEvent) => void;
  /**
   * Starts the agent's own join of the conference once it accepted (dialogs two and three);
   * `inviter` is the From URI of the invitation the agent said yes to.
   */
  readonly join: (invite: ConfInvite, conversationId: string, inviter: string, prepared?: PreparedOffer) => void;
  /**
   * Makes the A/V MCU's media and offer ready while an invitation with audio rings (not for
   * Do not disturb ones, which are seldom taken); undefined when it will not. The invitation hands it to
   * `join` on Accept and discards it on any other end.
   */
  readonly prepare?: (invite: ConfInvite) => PreparedOffer | undefined;
  readonly newId: () => string;
  readonly faults: FaultBoundary;
  /** A ringing slot for this sender, or the refusal when too much rings ({@link LIMITS}). */
  readonly ring: (sender: string) => RingingSlot | AdmissionRefusal;
  /** Why a new conference cannot be joined now (the cap), or undefined when it can. */
  readonly cannotJoin?: () => string | undefined;
};

type Invitation = {
  readonly id: string;
  /** `Ms-Conversation-ID` of the invitation, else its Call-ID (protocol-notes open question 9). */
  readonly conversationId: string;
  readonly invite: ConfInvite;
  readonly answer: InviteAnswer;
  state: InvitationState;
  timer: TimerHandle | undefined;
  session: Session | undefined;
  slot: RingingSlot | undefined;
  release: () => void;
  /** A BYE sip.js refused before the inviter's ACK (RFC 3261 §15), to send once the ACK comes. */
  byeOwed: boolean;
  /** Rings silently (Do not disturb) and gets 486 on no answer. */
  quiet?: boolean;
  /** Media prepared while ringing, handed to the join on Accept, else discarded at the end. */
  prepared?: PreparedOffer | undefined;
};

/**
 * Receives conference invitations (INVITE with `application/ms-conf-invite+xml`) and answers
 * them through sip.js's core layer.
 *
 * @remarks
 * Behaviour, after pidgin-sipe and UCMA (protocol-notes §1.1): 180 then ask the agent; 200 (with
 * an empty body of the same type, since the core layer needs a body) or 603; a CANCEL gets 487;
 * no decision in time gets 480. A bad body gets 400 with a Warning (RFC 3261 §20.43) naming the
 * rule. The conference never depends on this dialog: it is ended by the inviter's BYE or by ours
 * after a grace period.
 * @public
 */
export class ConferenceInvitations {
  private readonly invitations = new Map<string, Invitation>();
  private readonly log: Logger;

  constructor(
    private readonly deps: ConferenceInvitationDeps,
    private readonly options: ConferenceInvitationOptions = {},
  ) {
    this.log = deps.logger.child('invitation');
  }

  /** Invitations waiting for the agent's decision. */
  pending(): { id: string; invite: ConfInvite }[] {
    return [...this.invitations.values()].filter((i) => i.state === 'Ringing').map((i) => ({ id: i.id, invite: i.invite }));
  }

  /** Handles one incoming invitation INVITE; wired to the INVITE router. */
  handle(answer: InviteAnswer): void {
    const message = answer.request.message;
    const from = message.from.uri.toString();
    const parsed = parseConfInvite(message.body ?? '');
    if (!parsed.ok) {
      this.log.warn('refusing conference invitation', { from, reason: parsed.warning });
      answer.reject(400, 'Bad Request', [warningHeader(parsed.warning)]);
      return;
    }
    const full = this.deps.cannotJoin?.();
    if (full !== undefined) {
      this.log.warn('refusing conference invitation', { from, reason: full });
      answer.reject(486, 'Busy Here', [warningHeader(full)]);
      return;
    }
    const auto = (this.options.autoAccept ?? false) && isListedSipAor(from, this.options.trustList ?? []);
    const slot = auto ? undefined : this.deps.ring(from);
    if (slot && !slot.ok) {
      this.log.warn('refusing conference invitation', { from, status: slot.status, reason: slot.reason });
      answer.reject(slot.status, slot.reasonPhrase, refusalHeaders(slot));
      return;
    }
    const quiet = !auto && (this.options.doNotDisturb?.() ?? false) && !isListedSipAor(from, this.options.trustList ?? []);
    const invitation = this.register(answer, parsed.invite, slot);
    invitation.quiet = quiet;
    answer.request.delegate = this.deps.faults.guard(answer.callId, 'invitation', { onCancel: () => this.onCancel(invitation) });
    answer.progress(180, 'Ringing');
    this.deps.emit({ type: 'dialog', conversationId: invitation.conversationId, callId: message.callId, role: 'invitation', peer: from });
    const { focusUri, subject, audio, im } = parsed.invite;
    this.deps.emit({ type: 'invitation', id: invitation.id, from, focusUri, subject, audio, im, conversationId: invitation.conversationId, ...(quiet && { quiet }) });
    if (!quiet && parsed.invite.audioUnavailable !== true) {
      // After the invitation event, so a window shows the toast before it starts on the offer.
      // Auto-accepted too: its offer is then made while the focus join runs, not after it.
      invitation.prepared = this.deps.prepare?.(parsed.invite);
    }
    if (auto) {
      this.accept(invitation.id);
      return;
    }
    invitation.timer = this.deps.clock.setTimeout(
      this.deps.faults.wrap(answer.callId, 'invitation answer timer', () => this.onNoAnswer(invitation)),
      this.options.answerTimeoutMs ?? 30_000,
    );
  }

  private register(answer: InviteAnswer, invite: ConfInvite, slot: RingingSlot | undefined): Invitation {
    const message = answer.request.message;
    const invitation: Invitation = {
      id: this.deps.newId(),
      conversationId: message.getHeader('ms-conversation-id')?.trim() || message.callId,
      invite,
      answer,
      state: 'Ringing',
      timer: undefined,
      session: undefined,
      slot,
      release: () => undefined,
      byeOwed: false,
    };
    invitation.release = this.deps.faults.own(answer.callId, (reason) => this.abort(invitation, reason));
    this.invitations.set(invitation.id, invitation);
    return invitation;
  }

  /** Accepts a ringing invitation; false when `id` names none. */
  accept(id: string): boolean {
    const invitation = this.invitations.get(id);
    if (!invitation || invitation.state !== 'Ringing') {
      return false;
    }
    this.transition(invitation, 'Accepted');
    this.freeRinging(invitation);
    const session = invitation.answer.accept({
      statusCode: 200,
      // The core layer needs a body on a 2xx; an empty one of the offered type is accepted.
      body: { contentDisposition: 'render', contentType: MIME_CONF_INVITE, content: '' },
    });
    if (!session) {
      this.end(invitation, 'already answered');
      return false;
    }
    invitation.session = session;
    const prepared = invitation.prepared;
    invitation.prepared = undefined;
    session.delegate = this.deps.faults.guard(invitation.answer.callId, 'invitation dialog', {
      onBye: (bye: { accept: () => unknown }) => {
        bye.accept();
        this.end(invitation, 'inviter sent BYE');
      },
      onAck: () => {
        if (invitation.byeOwed) {
          invitation.byeOwed = !byeQuietly(session, this.log);
        }
      },
    });
    invitation.timer = this.deps.clock.setTimeout(
      this.deps.faults.wrap(invitation.answer.callId, 'invitation grace timer', () => {
        if (invitation.state === 'Accepted') {
          this.log.debug('no BYE from the inviter; ending the invitation dialog', { id });
          invitation.byeOwed = !byeQuietly(session, this.log);
          this.end(invitation, 'grace period over');
        }
      }),
      this.options.byeGraceMs ?? 5000,
    );
    this.deps.emit({ type: 'invitation.accepted', id, focusUri: invitation.invite.focusUri });
    this.deps.join(invitation.invite, invitation.conversationId, invitation.answer.request.message.from.uri.toString(), prepared);
    return true;
  }

  /** Declines a ringing invitation with 603; false when `id` names none. */
  decline(id: string): boolean {
    const invitation = this.invitations.get(id);
    if (!invitation || invitation.state !== 'Ringing') {
      return false;
    }
    invitation.answer.reject(603, 'Decline');
    this.end(invitation, 'declined');
    this.deps.emit({ type: 'invitation.declined', id, focusUri: invitation.invite.focusUri });
    return true;
  }

  /** Ends every invitation dialog (agent stopping). */
  dispose(): void {
    for (const invitation of this.invitations.values()) {
      if (invitation.state === 'Ringing') {
        invitation.answer.reject(480, 'Temporarily Unavailable');
      } else if (invitation.state === 'Accepted' && invitation.session) {
        invitation.byeOwed = !byeQuietly(invitation.session, this.log);
      }
      this.end(invitation, 'agent stopping');
    }
  }

  private onCancel(invitation: Invitation): void {
    if (invitation.state !== 'Ringing') {
      return;
    }
    // sip.js has already answered the CANCEL with 200; the INVITE still needs its 487.
    invitation.answer.reject(487, 'Request Terminated');
    this.end(invitation, 'cancelled');
    this.deps.emit({ type: 'invitation.cancelled', id: invitation.id, focusUri: invitation.invite.focusUri, reason: 'cancelled' });
  }

  private onNoAnswer(invitation: Invitation): void {
    if (invitation.state !== 'Ringing') {
      return;
    }
    if (invitation.quiet) {
      // RFC 3261 §21.4.24: not willing to take the call; the agent asked not to be disturbed.
      invitation.answer.reject(486, 'Busy Here', [warningHeader('the agent does not want to be disturbed')]);
    } else {
      invitation.answer.reject(480, 'Temporarily Unavailable');
    }
    this.end(invitation, 'no answer');
    this.deps.emit({ type: 'invitation.cancelled', id: invitation.id, focusUri: invitation.invite.focusUri, reason: 'timeout' });
  }

  private end(invitation: Invitation, why: string): void {
    if (invitation.state === 'Ended') {
      return;
    }
    this.deps.clock.clearTimeout(invitation.timer);
    invitation.timer = undefined;
    this.freeRinging(invitation);
    invitation.prepared?.discard();
    invitation.prepared = undefined;
    invitation.release();
    this.transition(invitation, 'Ended');
    this.invitations.delete(invitation.id);
    this.log.debug('invitation ended', { id: invitation.id, why });
  }

  /** Hard end after a fault in one of this invitation's handlers. */
  private abort(invitation: Invitation, reason: string): void {
    if (invitation.state === 'Ended') {
      return;
    }
    invitation.answer.reject(500, 'Server Internal Error');
    if (invitation.session) {
      invitation.byeOwed = !byeQuietly(invitation.session, this.log);
    }
    this.end(invitation, reason);
    this.deps.emit({ type: 'invitation.cancelled', id: invitation.id, focusUri: invitation.invite.focusUri, reason: 'cancelled' });
  }

  private freeRinging(invitation: Invitation): void {
    invitation.slot?.release();
    invitation.slot = undefined;
  }

  /** The one guarded state change of an invitation. */
  private transition(invitation: Invitation, next: InvitationState): void {
    invitation.state = transitionInvitation(invitation.state, next, invitation.id);
  }
}
