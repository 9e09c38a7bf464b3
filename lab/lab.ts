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
import { ContactCenterConfigError, loadContactCenterConfig, parseContactCenterConfig, type ContactCenterConfig, type ContactCenterConfigInput } from './contact-center/config';
import { ContactCenter } from './contact-center/contact-center';
import type { ContactCenterLab } from './contact-center/contact-center-lab';
import type { Clock } from '../core/ports/clock';
import { startCustomerSite, type CustomerSite } from './contact-center/web/customer-site';

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

/** Options of {@link Lab.contactCenter}. */
export type LabContactCenterOptions = {
  /** The customer page on 127.0.0.1 (`port` 0: a free one); `false`: no page. Default: a free port. */
  readonly customerSite?: { readonly port?: number } | false;
  /** For tests: the contact center's timers (offers, wrap-up) run on this clock. */
  readonly clock?: Clock;
};

/** A contact center running on the lab, with its customer page. */
export type LabContactCenter = {
  readonly center: ContactCenter;
  readonly site: CustomerSite | undefined;
  /** Stops the page and the contact center (every conversation ends). */
  stop(): Promise<void>;
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
  private readonly centers = new Set<LabContactCenter>();

  private constructor(
    private readonly signaling: LabUserAgent,
    readonly domain: string,
    private readonly organizer: string,
    media: MediaEngine,
    private readonly logger: Logger,
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

  /** Creates a conference organized by the lab, with nobody in it yet. */
  createConference(subject: string): LabConference {
    return this.conferences.create(subject, this.organizer);
  }

  /**
   * What a server application builds on (lab/contact-center/README.md, "Your own application"):
   * the lab's SIP identity, its conference server, the inviter and context channels.
   */
  services(): ContactCenterLab {
    return {
      domain: this.domain,
      userAgent: this.signaling.ua,
      conferences: this.conferences,
      createConference: (subject) => this.createConference(subject),
      inviteTo: (conference, agent, deliver) => this.inviteTo(conference, agent, deliver),
      channel: (agent, conversationId) => this.channel(agent, conversationId),
    };
  }

  /**
   * Starts a contact center on the lab (lab/contact-center/README.md): it watches the agents'
   * presence, routes customers' requests, runs the conversations, and serves the customer page.
   * @param config - the configuration, or the path of its JSON file
   * @throws ContactCenterConfigError when the configuration is invalid
   */
  async contactCenter(config: ContactCenterConfigInput | string, options: LabContactCenterOptions = {}): Promise<LabContactCenter> {
    const valid = await validConfig(config);
    const center = new ContactCenter(this.services(), valid, { logger: this.logger, ...(options.clock !== undefined && { clock: options.clock }) });
    center.start();
    const site = options.customerSite === false ? undefined : await startCustomerSite(center, { port: options.customerSite?.port ?? 0, logger: this.logger });
    const running: LabContactCenter = {
      center,
      site,
      stop: async () => {
        this.centers.delete(running);
        await site?.stop();
        await center.stop();
      },
    };
    this.centers.add(running);
    return running;
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
    for (const center of [...this.centers]) {
      await center.stop();
    }
    this.conferences.endAll();
    this.im.end();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await this.signaling.stop();
  }
}

async function validConfig(config: ContactCenterConfigInput | string): Promise<ContactCenterConfig> {
  if (typeof config === 'string') {
    return loadContactCenterConfig(config);
  }
  const parsed = parseContactCenterConfig(config);
  if (!parsed.ok) {
    throw new ContactCenterConfigError('(configuration object)', parsed.errors);
  }
  return parsed.config;
}
