import type { Logger } from '../core/ports/logger';
import { silentLogger } from '../core/ports/logger';
import type { MediaEngine } from '../core/ports/media';
import type { SipTrace } from '../core/sip/sip-trace';
import { createWeriftMediaEngine } from '../main/adapters/werift-media';
import { ConversationContextChannel } from './channels/conversation-context-channel';
import { LabImPeer } from './im/lab-im-peer';
import { LabPhone } from './calls/lab-phone';
import { ConferenceInvitation, type DeliverOptions, type InvitationOutcome } from './conference/conference-invitation';
import { LabConferenceServer } from './conference/conference-server';
import type { LabConference } from './conference/lab-conference';
import { startLabUserAgent, type LabSignaling, type LabUserAgent } from './sip/lab-user-agent';

/** Options of {@link Lab.start}. */
export type LabOptions = {
  readonly signaling: LabSignaling;
  readonly domain?: string;
  readonly logger?: Logger;
  readonly media?: MediaEngine;
  /** The organizer named in conferences the lab creates. */
  readonly organizer?: string;
  /** Session interval the focus grants (RFC 4028); default 1800 s. */
  readonly sessionExpiresSec?: number;
};

/**
 * The reference lab: a conference server (focus and A/V MCU) and a contact-center application
 * that invites agents, on one SIP identity. Runs standalone (agents register with its own
 * WebSocket endpoint) or behind a proxy such as Kamailio (the lab speaks UDP to it).
 */
export class Lab {
  readonly conferences: LabConferenceServer;
  /** The contact center's two-party IM peer (sessions and pager mode, with an echo). */
  readonly im: LabImPeer;
  /** The contact center's telephone: calls agents, answers their calls. */
  readonly phone: LabPhone;

  private constructor(
    private readonly signaling: LabUserAgent,
    readonly domain: string,
    private readonly organizer: string,
    media: MediaEngine,
    logger: Logger,
    sessionExpiresSec: number | undefined,
  ) {
    const ua = signaling.ua;
    this.conferences = new LabConferenceServer(ua, media, domain, logger, signaling.serviceUser, sessionExpiresSec);
    this.im = new LabImPeer(ua, logger.child('lab.im'));
    this.phone = new LabPhone(ua, media, logger.child('lab.phone'));
    const core = ua.userAgentCore;
    core.delegate.onMessage = (request) => this.im.handleMessage(request);
    core.delegate.onInvite = (request) => {
      if (!this.conferences.handleInvite(request) && !this.im.handleInvite(request) && !this.phone.handleInvite(request)) {
        request.reject({ statusCode: 404, reasonPhrase: 'Not Found' });
      }
    };
    core.delegate.onSubscribe = (request) => {
      if (!this.conferences.handleSubscribe(request)) {
        request.reject({ statusCode: 404, reasonPhrase: 'Not Found' });
      }
    };
    const transport = ua.transport;
    const deliver = transport.onMessage;
    transport.onMessage = (raw: string) => {
      if (!this.conferences.notifier.interceptSubscribe(raw)) {
        deliver?.(raw);
      }
    };
  }

  /** Starts the lab's signaling and services. */
  static async start(options: LabOptions): Promise<Lab> {
    const domain = options.domain ?? 'lab.local';
    const logger = options.logger ?? silentLogger;
    const signaling = await startLabUserAgent(options.signaling, domain, logger);
    return new Lab(signaling, domain, options.organizer ?? `sip:organizer@${domain}`, options.media ?? createWeriftMediaEngine(), logger, options.sessionExpiresSec);
  }

  /** Where agents connect in standalone mode (`ws://127.0.0.1:PORT`). */
  get wsUrl(): string | undefined {
    return this.signaling.edge?.url;
  }

  /** Registrations the standalone edge holds. */
  registrations(): { aor: string }[] {
    return this.signaling.edge?.registrations() ?? [];
  }

  /** Every SIP message the lab sent or received. */
  get trace(): SipTrace {
    return this.signaling.trace;
  }

  /** Creates a conference and invites `agent` to it (UCMA ConferenceInvitation.Deliver). */
  async invite(agent: string, subject: string, options: DeliverOptions = {}): Promise<{ conference: LabConference; invitation: ConferenceInvitation; outcome: Promise<InvitationOutcome>; conversationId: string }> {
    const conference = this.conferences.create(subject, this.organizer);
    const invitation = new ConferenceInvitation(this.signaling.ua, conference);
    // The conference's conversation: channels opened "in" it carry the same id.
    const conversationId = options.conversationId ?? `conv-${conference.id}`;
    const outcome = invitation.deliver(agent, { ...options, conversationId });
    return { conference, invitation, outcome, conversationId };
  }

  /**
   * Invites `agent` into a conference the lab already made (a second agent joining the first):
   * the same conversation id unless `options` names another.
   */
  inviteTo(conference: LabConference, agent: string, options: DeliverOptions = {}): { invitation: ConferenceInvitation; outcome: Promise<InvitationOutcome>; conversationId: string } {
    const invitation = new ConferenceInvitation(this.signaling.ua, conference);
    const conversationId = options.conversationId ?? `conv-${conference.id}`;
    return { invitation, outcome: invitation.deliver(agent, { ...options, conversationId }), conversationId };
  }

  /**
   * A context channel from the lab's contact-center application to `agent`
   * (UCMA ConversationContextChannel); call `establish` on it.
   */
  channel(agent: string, conversationId = `conv-${Math.random().toString(36).slice(2, 10)}`): ConversationContextChannel {
    return new ConversationContextChannel(this.signaling.ua, { id: conversationId }, agent);
  }

  /** Drops agents' connections as a crashed server would (standalone mode). */
  dropConnections(): void {
    this.signaling.edge?.dropConnections();
  }

  async stop(): Promise<void> {
    this.conferences.endAll();
    this.im.end();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await this.signaling.stop();
  }
}
