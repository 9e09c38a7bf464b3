import { z } from 'zod';
import { availabilitySchema } from './availability';

/**
 * Connection states of the agent's signaling link, as hosts see them.
 * @remarks `lost` is reported once when an established link drops; `reconnecting` then
 * repeats for each attempt with its backoff delay.
 * @public
 */
export const connectionStateSchema = z.enum([
  'connecting',
  'connected',
  'lost',
  'reconnecting',
  'disconnected',
]);
/** @public */
export type ConnectionState = z.infer<typeof connectionStateSchema>;

/** Error codes carried by `error` events and mapped to exit codes by the CLI. */
export const agentErrorCodeSchema = z.enum([
  'unreachable',
  'conference-failed',
  'unknown-id',
  'auth-failed',
  'registration-failed',
  'bad-command',
  'internal',
]);
/** @public */
export type AgentErrorCode = z.infer<typeof agentErrorCodeSchema>;

const connectionEvent = z.object({
  type: z.literal('connection'),
  state: connectionStateSchema,
  server: z.string(),
  reason: z.string().optional(),
  attempt: z.number().int().optional(),
  retryInMs: z.number().int().optional(),
});

const registeredEvent = z.object({
  type: z.literal('registered'),
  aor: z.string(),
  expires: z.number().int(),
});

const unregisteredEvent = z.object({
  type: z.literal('unregistered'),
  aor: z.string(),
  reason: z.string().optional(),
});

const errorEvent = z.object({
  type: z.literal('error'),
  code: agentErrorCodeSchema,
  message: z.string(),
  /** The dialog an `internal` error ended (its Call-ID), when one did. */
  callId: z.string().optional(),
});

const messageEvent = z.object({
  type: z.literal('message'),
  from: z.string(),
  contentType: z.string(),
  body: z.string(),
});

const messageSentEvent = z.object({
  type: z.literal('message.sent'),
  to: z.string(),
  status: z.number().int(),
  reason: z.string(),
});

const traceEvent = z.object({
  type: z.literal('trace'),
  text: z.string(),
  dialogs: z.array(z.object({ dialog: z.string(), methods: z.array(z.string()) })),
});

const invitationEvent = z.object({
  type: z.literal('invitation'),
  id: z.string(),
  from: z.string(),
  focusUri: z.string(),
  subject: z.string(),
  audio: z.boolean(),
  im: z.boolean(),
  /** `Ms-Conversation-ID` of the invitation, else its Call-ID: the conversation it opens. */
  conversationId: z.string().optional(),
  /** Do not disturb, sender not trusted: shown without ringing, answered 486 if nobody decides. */
  quiet: z.boolean().optional(),
});

const invitationDecided = (type: 'invitation.accepted' | 'invitation.declined') =>
  z.object({ type: z.literal(type), id: z.string(), focusUri: z.string() });

/** The inviter withdrew (CANCEL) or nobody answered in time (480). */
const invitationCancelledEvent = z.object({
  type: z.literal('invitation.cancelled'),
  id: z.string(),
  focusUri: z.string(),
  reason: z.enum(['cancelled', 'timeout']),
});

/**
 * A roster entry as shown to the agent: one per conference user.
 * @remarks A modality is `connected` only once that user has a connected endpoint of that
 * session type ([MS-CONFAV]; protocol-notes §2 "gray until media joined").
 */
export const rosterUserSchema = z.object({
  entity: z.string(),
  displayText: z.string().optional(),
  roles: z.array(z.string()),
  self: z.boolean(),
  modalities: z.object({
    audio: z.enum(['none', 'connected', 'muted']),
    im: z.enum(['none', 'connected']),
    /** Present while the MCU hears this participant talk. */
    speaking: z.literal(true).optional(),
    /** Present while the conference (a moderator), not the participant, keeps them muted. */
    mutedByFocus: z.literal(true).optional(),
  }),
});
/** @public */
export type RosterUser = z.infer<typeof rosterUserSchema>;

const conferenceJoinedEvent = z.object({
  type: z.literal('conference.joined'),
  focusUri: z.string(),
  conversationId: z.string().optional(),
  role: z.string().optional(),
});

const rosterEvent = z.object({
  type: z.literal('roster'),
  focusUri: z.string(),
  subject: z.string().optional(),
  users: z.array(rosterUserSchema),
});

/** States of the agent's own media leg to the A/V MCU. */
/**
 * `interrupted`: connected, but no RTP from the MCU for 5 s (or ICE consent unanswered); back to
 * `connected` when packets arrive again.
 */
export const mediaStateSchema = z.enum(['connecting', 'connected', 'interrupted', 'failed', 'closed']);

/**
 * A conference's audio: the media states, or `none` when the conference was joined without
 * audio because its invitation said `<audio available="false"/>` (docs/protocol/1-messages.md
 * §1.1, open question 35). No MCU dialog exists then; `reconnect-audio` adds audio.
 */
export const conferenceMediaStateSchema = z.enum([...mediaStateSchema.options, 'none']);

const mediaEvent = z.object({
  type: z.literal('media'),
  focusUri: z.string(),
  state: conferenceMediaStateSchema,
  muted: z.boolean(),
  packetsSent: z.number().int(),
  packetsReceived: z.number().int(),
  bytesSent: z.number().int(),
  bytesReceived: z.number().int(),
  /**
   * How loud the conference's audio arriving is, 0 (silence) to 1 (full scale): the loudest
   * packet of the last 200 ms (headless agents; proves what one participant sends another hears).
   */
  level: z.number().optional(),
});

/**
 * The agent's place in a conference: `joined` (first join, or back after a reconnection, with
 * `reason` saying how), `reconnecting` (the connection dropped; the dialogs are being refreshed
 * or rebuilt), `left` (with the reason, as `conference.left`).
 */
const conferenceStateEvent = z.object({
  type: z.literal('conference.state'),
  focusUri: z.string(),
  state: z.enum(['joined', 'reconnecting', 'left']),
  reason: z.string().optional(),
});

const conferenceLeftEvent = z.object({
  type: z.literal('conference.left'),
  focusUri: z.string(),
  reason: z.string(),
});

/** States of a context channel (issue 4; core/channels/channel-state.ts has the diagram). */
export const channelStateSchema = z.enum(['Idle', 'Establishing', 'Established', 'Recovering', 'Terminating', 'Terminated']);

/** Which pane and channel a channel event is about. */
const channelKey = {
  appId: z.string(),
  conversationId: z.string(),
  channelId: z.string(),
};

/** A registered application asks for a pane and the agent decides (accept/decline with `id`). */
const channelRequestEvent = z.object({
  type: z.literal('channel.request'),
  id: z.string(),
  ...channelKey,
  from: z.string(),
  name: z.string(),
  toast: z.string().optional(),
  /** Do not disturb, sender not trusted: shown without ringing, answered 486 if nobody decides. */
  quiet: z.boolean().optional(),
});

const channelStateEvent = z.object({ type: z.literal('channel.state'), ...channelKey, state: channelStateSchema });

/** The initial context of a channel, decoded, for the pane (UCMA ContextualData). */
const channelContextEvent = z.object({
  type: z.literal('channel.context'),
  ...channelKey,
  /** The data as UTF-8 text, when it is valid UTF-8. */
  data: z.string().optional(),
  dataBase64: z.string().optional(),
  simpleLink: z.string().optional(),
});

/** One INFO delivered to the pane, exactly once and in order. */
const channelDataEvent = z.object({ type: z.literal('channel.data'), ...channelKey, contentType: z.string(), body: z.string() });

/** Outcome of a `send` from the pane. */
const channelSentEvent = z.object({
  type: z.literal('channel.sent'),
  ...channelKey,
  seq: z.number().int(),
  ok: z.boolean(),
  status: z.number().int(),
  reason: z.string(),
});

/** A channel request that was refused, with the status sent. */
const channelRefusedEvent = z.object({
  type: z.literal('channel.refused'),
  appId: z.string(),
  status: z.number().int(),
  reason: z.string(),
  from: z.string().optional(),
});

/** An application that is not installed asked for a pane: name and install link to show. */
const channelInstallEvent = z.object({
  type: z.literal('channel.install'),
  appId: z.string(),
  name: z.string().optional(),
  link: z.string().optional(),
});

// Availabilities live in availability.ts (the agent loads them without the event schemas); they
// are re-exported here for the hosts that import them with the events.
export { availabilitySchema, type AvailabilityName } from './availability';

/**
 * A presence state: a watched contact's change (`unknown` until its presence server says
 * something), or, with our own AOR, the outcome of our publication (`error` when the server
 * refused it or did not answer; the agent keeps retrying).
 */
export const presenceViewSchema = z.object({
  aor: z.string(),
  availability: z.union([availabilitySchema, z.literal('unknown')]),
  activity: z.string().optional(),
  note: z.string().optional(),
  error: z.string().optional(),
});
/** @public */
export type PresenceView = z.infer<typeof presenceViewSchema>;

const presenceEvent = presenceViewSchema.extend({ type: z.literal('presence') });

/**
 * An instant message in a conversation: received (from its author: `Ms-Sender` in a conference,
 * else the peer) or, with `outgoing`, one the agent sent (its `im.delivery` events follow).
 * `text` is always plain text: HTML arrives sanitized to text (open question 20).
 */
const imEvent = z.object({
  type: z.literal('im'),
  conversationId: z.string(),
  focusUri: z.string().optional(),
  from: z.string(),
  contentType: z.string(),
  text: z.string(),
  messageId: z.string(),
  outgoing: z.boolean().optional(),
  /** Two-party conversations: the other party (for both directions). */
  peer: z.string().optional(),
  /** Pager mode (RFC 3428): the message came outside any IM session. */
  pager: z.boolean().optional(),
});

/** An IM session's life: the IM MCU dialog of a conference, or a two-party session. */
const imStateEvent = z.object({
  type: z.literal('im.state'),
  conversationId: z.string(),
  focusUri: z.string().optional(),
  peer: z.string().optional(),
  state: z.enum(['connecting', 'connected', 'ended']),
  reason: z.string().optional(),
  /** The first message a peer's INVITE carried (`ms-text-format`), for a toast only: the MESSAGE follows. */
  preview: z.string().optional(),
});

/**
 * Delivery of a message the agent sent: `sent` (accepted by the IM MCU, 202), `delivered`
 * (200, or no failure report 10 s after a 202: open question 26), `failed` (with the
 * recipients a delivery report named, or the reason).
 */
const imDeliveryEvent = z.object({
  type: z.literal('im.delivery'),
  conversationId: z.string(),
  messageId: z.string(),
  state: z.enum(['sent', 'delivered', 'failed']),
  reason: z.string().optional(),
  failed: z.array(z.object({ uri: z.string(), status: z.number().int(), diagnostics: z.string().optional() })).optional(),
});

/** Someone in the conversation started or stopped typing. */
const imTypingEvent = z.object({ type: z.literal('im.typing'), conversationId: z.string(), from: z.string(), typing: z.boolean() });

/** Roles a SIP dialog plays in a conversation, for the conversation's SIP trace. */
export const dialogRoleSchema = z.enum(['invitation', 'focus', 'roster', 'mcu', 'channel', 'im', 'call']);
/** @public */
export type DialogRole = z.infer<typeof dialogRoleSchema>;

/**
 * A dialog began that belongs to a conversation: its Call-ID, which is the trace's dialog key
 * (RFC 3261 §12), so a conversation window can list exactly its own messages.
 */
const dialogEvent = z.object({
  type: z.literal('dialog'),
  conversationId: z.string(),
  callId: z.string(),
  role: dialogRoleSchema,
  peer: z.string(),
});

/**
 * A two-party call rings (an INVITE with audio SDP): `id` names it in commands, `from` is the
 * caller's URI, `displayName` the name they gave, `conversationId` the conversation it belongs
 * to (its `Ms-Conversation-ID`, else its Call-ID), so a context channel with the same id opens
 * its pane beside the call. `quiet` while the agent chose Do not disturb.
 */
const callEvent = z.object({
  type: z.literal('call'),
  id: z.string(),
  from: z.string(),
  displayName: z.string().optional(),
  conversationId: z.string(),
  quiet: z.boolean().optional(),
  /** The call this one replaces (a consultative transfer to the agent, RFC 3891): answered at once. */
  replaces: z.string().optional(),
});

/**
 * States of a two-party call: `dialing` (ours, not ringing yet), `ringing` (theirs at us, or
 * ours at them), `connected`, `held` (by the agent), `remote-held` (the other side holds),
 * `ended` (with `reason`).
 */
export const callStateSchema = z.enum(['dialing', 'ringing', 'connected', 'held', 'remote-held', 'ended']);
/** @public */
export type CallState = z.infer<typeof callStateSchema>;

/** A call changed state: `peer` is the other side, `outgoing` whether the agent called. */
const callStateEvent = z.object({
  type: z.literal('call.state'),
  id: z.string(),
  state: callStateSchema,
  peer: z.string(),
  conversationId: z.string(),
  outgoing: z.boolean(),
  reason: z.string().optional(),
});

/** A call's audio, as `media` reports a conference's (every second, and at once on a change). */
const callMediaEvent = z.object({
  type: z.literal('call.media'),
  id: z.string(),
  state: mediaStateSchema,
  muted: z.boolean(),
  packetsSent: z.number().int(),
  packetsReceived: z.number().int(),
  level: z.number().optional(),
});

/**
 * A transfer the agent asked for (REFER, RFC 3515): `requested`, `accepted` (202), then
 * `succeeded` (the call then ends, reason `transferred`) or `failed` (with the status and reason;
 * the call stays).
 */
const callTransferEvent = z.object({
  type: z.literal('call.transfer'),
  id: z.string(),
  to: z.string(),
  state: z.enum(['requested', 'accepted', 'succeeded', 'failed']),
  status: z.number().int().optional(),
  reason: z.string().optional(),
});

/** A DTMF digit the other side sent (SIP INFO `application/dtmf-relay`, or RFC 4733 events). */
const callDtmfEvent = z.object({ type: z.literal('call.dtmf'), id: z.string(), digit: z.string(), via: z.enum(['info', 'rtp']) });

/**
 * Every event the headless agent reports, one JSON object per line with `--json`.
 * @public
 */
export const agentEventSchema = z.discriminatedUnion('type', [
  connectionEvent,
  registeredEvent,
  unregisteredEvent,
  errorEvent,
  messageEvent,
  messageSentEvent,
  traceEvent,
  invitationEvent,
  invitationDecided('invitation.accepted'),
  invitationDecided('invitation.declined'),
  invitationCancelledEvent,
  conferenceJoinedEvent,
  rosterEvent,
  mediaEvent,
  conferenceStateEvent,
  conferenceLeftEvent,
  channelRequestEvent,
  channelStateEvent,
  channelContextEvent,
  channelDataEvent,
  channelSentEvent,
  channelRefusedEvent,
  channelInstallEvent,
  dialogEvent,
  presenceEvent,
  imEvent,
  imStateEvent,
  imDeliveryEvent,
  imTypingEvent,
  callEvent,
  callStateEvent,
  callMediaEvent,
  callDtmfEvent,
  callTransferEvent,
]);
/** @public */
export type AgentEvent = z.infer<typeof agentEventSchema>;
/** The event of one `type`. */
export type AgentEventOf<T extends AgentEvent['type']> = Extract<AgentEvent, { type: T }>;
