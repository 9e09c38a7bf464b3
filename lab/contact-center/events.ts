/**
 * What a contact center reports, one discriminated union for every listener (the web gateway,
 * a supervisor's wallboard, tests).
 * @packageDocumentation
 */
import type { AgentStatus } from './agent-pool';
import type { EscalationTarget, OfferPurpose } from './router';

/** A participant's part in a conversation: serving the customer, or helping as a supervisor. @public */
export type ParticipantRole = 'agent' | 'supervisor';

/** How a conversation ended. @public */
export type EndedBy = 'customer' | 'agent' | 'api' | 'abandoned' | 'stopped';

/** How an agent's wrap-up ended. @public */
export type WrapUpOutcome = 'picked' | 'timed-out' | 'none';

/** Everything a {@link ContactCenter} reports. @public */
export type ContactCenterEvent =
  /** The request's place among those waiting for its skill (1: next); 0 once it no longer waits. */
  | { readonly type: 'position'; readonly requestId: string; readonly skill: string; readonly position: number }
  /** An agent's invitation to the conversation went out. */
  | { readonly type: 'offered'; readonly requestId: string; readonly agent: string; readonly name: string; readonly purpose: OfferPurpose }
  /** The agent declined (603), did not answer in time, or could not be reached. */
  | { readonly type: 'refused'; readonly requestId: string; readonly agent: string; readonly reason: 'declined' | 'unanswered' | 'failed' }
  /** The agent accepted the invitation; they join the conference next. */
  | { readonly type: 'accepted'; readonly requestId: string; readonly agent: string; readonly name: string; readonly purpose: OfferPurpose }
  /** The conference's roster shows the agent in it. */
  | { readonly type: 'joined'; readonly requestId: string; readonly agent: string; readonly name: string; readonly role: ParticipantRole }
  /** The agent's pane: its channel opened, was refused (with the SIP status), or closed. */
  | { readonly type: 'pane'; readonly requestId: string; readonly agent: string; readonly state: 'open' | 'refused' | 'closed'; readonly status?: number }
  /** A chat message in the conversation, from the customer or a participant. */
  | { readonly type: 'message'; readonly requestId: string; readonly from: string; readonly name: string; readonly role: ParticipantRole | 'customer'; readonly text: string; readonly at: number }
  /** A note the agent wrote in the pane. */
  | { readonly type: 'note'; readonly requestId: string; readonly agent: string; readonly text: string; readonly at: number }
  /** An agent's wrap-up: the code picked, or why there is none. */
  | { readonly type: 'wrapup'; readonly requestId: string; readonly agent: string; readonly outcome: WrapUpOutcome; readonly code?: string; readonly label?: string; readonly at: number }
  /** An escalation the pane (or the API) asked for. */
  | {
      readonly type: 'escalation';
      readonly requestId: string;
      readonly target: EscalationTarget;
      readonly state: 'offered' | 'declined' | 'joined' | 'unavailable';
      readonly agent?: string;
      readonly name?: string;
    }
  /** A participant left the conference, or was removed from it. */
  | { readonly type: 'left'; readonly requestId: string; readonly agent: string; readonly name: string; readonly reason: 'left' | 'removed' }
  /** The customer left the conversation (the agents may still wrap up in it). */
  | { readonly type: 'customer.left'; readonly requestId: string }
  /** The conversation is over and its conference ended. */
  | { readonly type: 'ended'; readonly requestId: string; readonly by: EndedBy }
  /** An agent's presence or work changed. */
  | { readonly type: 'agent'; readonly agent: AgentStatus };
