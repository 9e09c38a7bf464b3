import { Parser, type Logger as SipLogger } from 'sip.js/lib/core/index.js';
import type { AgentEngine } from '../agent/agent-engine';
import type { Clock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import type { MediaEngine } from '../ports/media';
import type { ConfInvite } from './conf-invite';
import { Conference, type ConferenceOptions } from './conference';
import { ConferenceInvitations, type ConferenceInvitationOptions } from './conference-invitations';
import { MIME_CONF_INVITE } from './namespaces';
import { LIMITS } from '../agent/limits';
import { OfferPreparer, type PreparedOffer } from './prepared-offer';

/** Options of {@link ConferenceManager}. */
export type ConferenceManagerOptions = ConferenceInvitationOptions & ConferenceOptions;

/** Ports the conference feature needs beyond the engine. */
export type ConferenceManagerDeps = {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly media: MediaEngine;
  readonly newGuid: () => string;
};

const quietParserLogger = { error: () => undefined, warn: () => undefined, log: () => undefined, debug: () => undefined } as unknown as SipLogger;

/**
 * The conference feature of an agent: takes invitations, and joins, mutes and leaves the
 * conferences they name. One {@link Conference} per focus URI.
 * @public
 */
export class ConferenceManager {
  readonly invitations: ConferenceInvitations;
  private readonly conferences = new Map<string, Conference>();
  /** Conversation id of each conference joined, by focus URI (lower case). */
  private readonly conversations = new Map<string, string>();
  /** Focus URI (lower case) to the From URI of the invitation the agent accepted into it. */
  private readonly inviters = new Map<string, string>();
  /** Called when the agent left a conference, with its conversation id. */
  onConversationEnded: ((conversationId: string) => void) | undefined;
  private requestId = 0;
  private readonly log: Logger;
  /** Media made ready while invitations ring (issue 15): Accept then skips ICE gathering. */
  private readonly offers: OfferPreparer;

  constructor(
    private readonly engine: AgentEngine,
    private readonly deps: ConferenceManagerDeps,
    private readonly options: ConferenceManagerOptions = {},
  ) {
    this.log = deps.logger.child('conferences');
    this.offers = new OfferPreparer(deps.media, this.log);
    let invitationSeq = 0;
    this.invitations = new ConferenceInvitations(
      {
        clock: deps.clock,
        logger: deps.logger,
        emit: (event) => engine.report(event),
        join: (invite, conversationId, inviter, prepared) => this.join(invite, conversationId, inviter, prepared),
        prepare: (invite) => (this.find(invite.focusUri) ? undefined : this.offers.prepare({ focusUri: invite.focusUri })),
        newId: () => `inv-${(++invitationSeq).toString(36)}-${deps.newGuid().slice(0, 8)}`,
        faults: engine.faults,
        ring: (sender) => engine.admission.ring(sender),
        cannotJoin: () => (this.conferences.size >= LIMITS.conferences ? `in ${LIMITS.conferences} conferences already` : undefined),
      },
      options,
    );
    engine.invites.handle(MIME_CONF_INVITE, (answer) => this.invitations.handle(answer));
    engine.interceptRequests('BENOTIFY', (raw) => this.onBenotify(raw));
    engine.addStopHook(() => this.dispose());
  }

  /** Whether `conversationId` is that of a conference the agent is in. */
  isConferenceConversation(conversationId: string): boolean {
    return [...this.conversations.values()].includes(conversationId);
  }

  /**
   * Who invited the agent into the conference of `conversationId`, for an invitation the agent
   * accepted: that application's pane opens there without asking again (open question 36).
   */
  acceptedPeerOf(conversationId: string): string | undefined {
    const key = [...this.conversations.entries()].find(([, conversation]) => conversation === conversationId)?.[0];
    return key === undefined ? undefined : this.inviters.get(key);
  }

  /** Focus URIs of the conferences the agent is in. */
  active(): string[] {
    return [...this.conferences.keys()];
  }

  accept(id: string): boolean {
    return this.invitations.accept(id);
  }

  decline(id: string): boolean {
    return this.invitations.decline(id);
  }

  /**
   * The conference a conversation id or focus URI names, if the agent is in it.
   */
  conferenceOf(target: { readonly focusUri?: string; readonly conversationId?: string }): Conference | undefined {
    if (target.focusUri !== undefined) {
      return this.find(target.focusUri);
    }
    const key = [...this.conversations.entries()].find(([, conversation]) => conversation === target.conversationId)?.[0];
    return key === undefined ? undefined : this.conferences.get(key);
  }

  /** The conversation id of a conference the agent is in. */
  conversationOf(focusUri: string): string | undefined {
    return this.conversations.get(focusUri.toLowerCase());
  }

  /** Leaves the conference; false when the agent is not in it. */
  leave(focusUri: string): boolean {
    const conference = this.find(focusUri);
    if (!conference) {
      return false;
    }
    void conference.leave();
    return true;
  }

  /** Mutes or unmutes in the conference; false when the agent is not in it. */
  mute(focusUri: string, muted: boolean): boolean {
    const conference = this.find(focusUri);
    if (!conference) {
      return false;
    }
    void conference.setMuted(muted);
    return true;
  }

  /**
   * Dials the conference's A/V MCU: audio the invitation did not offer, or audio again after it
   * ended; false when not in it or its audio is up or connecting.
   */
  reconnectAudio(focusUri: string): boolean {
    return this.find(focusUri)?.reconnectAudio() ?? false;
  }

  /** Declines pending invitations and leaves every conference. */
  async dispose(): Promise<void> {
    this.invitations.dispose();
    await Promise.all([...this.conferences.values()].map((c) => c.leave('agent stopping')));
  }

  private join(invite: ConfInvite, conversationId: string, inviter: string, prepared?: PreparedOffer): void {
    if (this.find(invite.focusUri)) {
      prepared?.discard();
      this.log.info('already in this conference', { focusUri: invite.focusUri });
      return;
    }
    const conference = new Conference(
      {
        ua: this.engine.userAgent,
        clock: this.deps.clock,
        logger: this.deps.logger,
        media: this.deps.media,
        emit: (event) => this.engine.report(event),
        faults: this.engine.faults,
        recovery: this.engine.recovery,
        nextRequestId: () => ++this.requestId,
        newGuid: this.deps.newGuid,
        conversationId,
        im: invite.im,
        // Join the modalities offered: no MCU dialog when the invitation says audio is not available.
        audio: invite.audioUnavailable !== true,
        ...(prepared !== undefined && { prepared }),
        onLeft: (c) => {
          const key = c.focusUri.toLowerCase();
          this.conferences.delete(key);
          const conversation = this.conversations.get(key);
          this.conversations.delete(key);
          this.inviters.delete(key);
          if (conversation !== undefined) {
            this.onConversationEnded?.(conversation);
          }
        },
      },
      invite.focusUri,
      this.options,
    );
    this.conferences.set(invite.focusUri.toLowerCase(), conference);
    this.conversations.set(invite.focusUri.toLowerCase(), conversationId);
    this.inviters.set(invite.focusUri.toLowerCase(), inviter);
    void conference.join().catch((error: unknown) => this.log.error('join failed', { error: String(error) }));
  }

  private find(focusUri: string): Conference | undefined {
    return this.conferences.get(focusUri.toLowerCase());
  }

  /**
   * BENOTIFY: a NOTIFY that wants no response (open question 16). It counts only inside the
   * roster subscription it belongs to, matched by Call-ID and tags like any in-dialog request
   * (RFC 3261 §12.2.2); the document's `entity` proves nothing, since every participant knows
   * the focus URI. Anything else is logged and dropped, unanswered.
   */
  private onBenotify(raw: string): void {
    const message = Parser.parseMessage(raw, quietParserLogger);
    if (!message) {
      this.log.warn('ignoring unreadable BENOTIFY');
      return;
    }
    const chat = [...this.conferences.values()].find((c) => c.ownsImDialog(message.callId));
    if (chat) {
      // A delivery report of the IM MCU ([MS-CONFIM] IMDN), never answered (BENOTIFY).
      this.engine.faults.run(message.callId, 'IM BENOTIFY', () => chat.applyImReport(message.body ?? ''));
      return;
    }
    const conference = [...this.conferences.values()].find((c) => c.ownsRosterDialog(message.callId, message.fromTag, message.toTag));
    if (!conference) {
      this.log.warn('ignoring BENOTIFY outside our roster subscriptions', { callId: message.callId, from: message.from?.uri.toString() });
      return;
    }
    this.engine.faults.run(message.callId, 'BENOTIFY', () => conference.applyBenotify(message.body ?? ''));
  }
}
