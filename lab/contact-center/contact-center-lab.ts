import type { UserAgent } from 'sip.js';
import type { ConversationContextChannel } from '../channels/conversation-context-channel';
import type { ConferenceInvitation, DeliverOptions, InvitationOutcome } from '../conference/conference-invitation';
import type { LabConferenceServer } from '../conference/conference-server';
import type { LabConference } from '../conference/lab-conference';

/**
 * What the contact center uses of the lab: its SIP identity, the conference server, the
 * inviter and the context channel, i.e. the UCMA-like pieces a server application is written
 * against. `Lab.contactCenter` provides it; another server could too.
 * @public
 */
export type ContactCenterLab = {
  readonly domain: string;
  /** The application's user agent: presence subscriptions go out on it. */
  readonly userAgent: UserAgent;
  readonly conferences: LabConferenceServer;
  /** A new conference organized by the application (UCMA: a conference scheduled by the endpoint). */
  createConference(subject: string): LabConference;
  /** Invites an agent into a conference (UCMA ConferenceInvitation.BeginDeliver). */
  inviteTo(conference: LabConference, agent: string, options?: DeliverOptions): { invitation: ConferenceInvitation; outcome: Promise<InvitationOutcome>; conversationId: string };
  /** A context channel to an agent in a conversation (UCMA ConversationContextChannel). */
  channel(agent: string, conversationId: string): ConversationContextChannel;
};
