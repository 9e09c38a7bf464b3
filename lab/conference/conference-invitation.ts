import { UserAgent } from 'sip.js';
import type { OutgoingInviteRequest } from 'sip.js/lib/core/index.js';
import { buildConfInvite } from './conf-invite-builder';
import { MIME_CONF_INVITE } from '../../core/conference/namespaces';
import { makeInitialInvite } from '../../core/sip/outgoing-invite';
import { guardedTransition } from '../../core/util/state-machine';

/**
 * States of a {@link ConferenceInvitation}, after UCMA's ConferenceInvitationState.
 *
 * ```
 *  Idle --deliver()--> Delivering --180--> Ringing
 *                          |                  |
 *                          +------------------+--200--> Accepted
 *                          +------------------+--603--> Declined
 *                          +------------------+--other final / error--> Failed
 *                          +------------------+--cancel() + 487--> Cancelled
 * ```
 */
export type ConferenceInvitationState = 'Idle' | 'Delivering' | 'Ringing' | 'Accepted' | 'Declined' | 'Failed' | 'Cancelled';

const LEGAL: Readonly<Record<ConferenceInvitationState, readonly ConferenceInvitationState[]>> = {
  Idle: ['Delivering'],
  Delivering: ['Ringing', 'Accepted', 'Declined', 'Failed', 'Cancelled'],
  Ringing: ['Accepted', 'Declined', 'Failed', 'Cancelled'],
  Accepted: [],
  Declined: [],
  Failed: [],
  Cancelled: [],
};
const transitionConferenceInvitation = guardedTransition('conference invitation', LEGAL);

/** What {@link ConferenceInvitation.deliver} resolves with. */
export type InvitationOutcome = {
  readonly state: 'Accepted' | 'Declined' | 'Failed' | 'Cancelled';
  readonly status: number;
  readonly reason: string;
  /** The Warning header of a refusal, if any. */
  readonly warning?: string;
};

/** Modalities and subject offered (UCMA's ConferenceInvitationDeliverOptions, in short). */
export type DeliverOptions = {
  readonly audio?: boolean;
  readonly im?: boolean;
  /** Send our BYE this long after the 200 (Greenlee: the inviter ends the dialog); `false`: never. */
  readonly byeAfterMs?: number | false;
  /** `Ms-Conversation-ID` of the conversation the invitation belongs to. */
  readonly conversationId?: string;
};

/**
 * The lab's inviter, modelled on UCMA's `ConferenceInvitation`: delivers an app-INVITE
 * (`application/ms-conf-invite+xml`, protocol-notes §1.1) naming a conference focus to one
 * agent and learns whether it was accepted or declined. It takes no part in the conference.
 */
export class ConferenceInvitation {
  private state: ConferenceInvitationState = 'Idle';
  private outgoing: OutgoingInviteRequest | undefined;
  private cancelling = false;
  private readonly listeners = new Set<(state: ConferenceInvitationState) => void>();

  constructor(
    private readonly ua: UserAgent,
    private readonly conference: { readonly focusUri: string; readonly subject: string },
  ) {}

  get current(): ConferenceInvitationState {
    return this.state;
  }

  /** Calls `listener` on every state change (UCMA's StateChanged). */
  onStateChanged(listener: (state: ConferenceInvitationState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Delivers the invitation to `to` and resolves with the agent's answer. */
  deliver(to: string, options: DeliverOptions = {}): Promise<InvitationOutcome> {
    const target = UserAgent.makeURI(to);
    if (!target) {
      return Promise.reject(new Error(`not a SIP URI: ${to}`));
    }
    this.transition('Delivering');
    const core = this.ua.userAgentCore;
    const body = buildConfInvite({
      focusUri: this.conference.focusUri,
      subject: this.conference.subject,
      audio: options.audio ?? true,
      im: options.im ?? true,
    });
    const conversationHeader = options.conversationId === undefined ? [] : [`Ms-Conversation-ID: ${options.conversationId}`];
    const request = makeInitialInvite(this.ua, target, ['ms-sender'], conversationHeader, {
      contentDisposition: 'render',
      contentType: MIME_CONF_INVITE,
      content: body,
    });
    return new Promise<InvitationOutcome>((resolve) => {
      const finish = (state: InvitationOutcome['state'], status: number, reason: string, warning?: string): void => {
        if (this.isFinal()) {
          return;
        }
        this.transition(state);
        resolve({ state, status, reason, ...(warning !== undefined && { warning }) });
      };
      this.outgoing = core.invite(request, {
        onProgress: (response) => {
          if (response.message.statusCode === 180 && this.state === 'Delivering') {
            this.transition('Ringing');
          }
        },
        onAccept: (response) => {
          response.ack();
          const session = response.session;
          session.delegate = { onBye: (bye) => bye.accept() };
          const byeAfter = options.byeAfterMs ?? 0;
          if (byeAfter !== false) {
            setTimeout(() => session.bye(), byeAfter).unref();
          }
          finish('Accepted', 200, response.message.reasonPhrase ?? 'OK');
        },
        onReject: (response) => {
          const status = response.message.statusCode ?? 0;
          const reason = response.message.reasonPhrase ?? '';
          const warning = response.message.getHeader('warning');
          if (status === 603) {
            finish('Declined', status, reason, warning);
          } else if (status === 487 && this.cancelling) {
            finish('Cancelled', status, reason, warning);
          } else {
            finish('Failed', status, reason, warning);
          }
        },
      });
    });
  }

  /** Withdraws a ringing invitation (CANCEL, RFC 3261 §9). */
  cancel(): void {
    if (this.state === 'Delivering' || this.state === 'Ringing') {
      this.cancelling = true;
      this.outgoing?.cancel();
    }
  }

  private isFinal(): boolean {
    return LEGAL[this.state].length === 0;
  }

  /** The one guarded state change. */
  private transition(next: ConferenceInvitationState): void {
    this.state = transitionConferenceInvitation(this.state, next);
    for (const listener of this.listeners) {
      listener(next);
    }
  }
}
