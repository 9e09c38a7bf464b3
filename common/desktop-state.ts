import { z } from 'zod';
import { channelStateSchema, conferenceMediaStateSchema, dialogRoleSchema, presenceViewSchema, rosterUserSchema, type AgentEvent } from './agent-events';
import { callAudioEventSchema, callIdOf, callName, callViewSchema, CALLS_KEPT, isCallEvent, newCallView, reduceCall, type CallEvent, type CallView } from './desktop-calls';
import { chatSchema, emptyChat, isChatEvent, reduceChat } from './desktop-chat';
import { normalizeAppId } from './extension-manifest';

/**
 * What the desktop shows, as one value: reduced from the agent's events by {@link reduceDesktop}.
 * The host keeps one copy (to answer a window's snapshot and to decide which windows to show)
 * and every window keeps its own, fed by the same events, so both always agree.
 */

/** Agent lifecycle as the host reports it; the registration phases come from agent events. */
export const hostAgentStateSchema = z.enum(['not-configured', 'starting', 'running', 'stopped', 'failed']);

/** Events the desktop host adds to the agent's own. */
export const hostEventSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('host.agent'),
    state: hostAgentStateSchema,
    server: z.string().optional(),
    aor: z.string().optional(),
    message: z.string().optional(),
    /** The embedded lab is running and this agent is registered with it. */
    lab: z.boolean(),
    /** The embedded lab's customer page (http on 127.0.0.1), while it runs. */
    customerPage: z.string().regex(/^http:\/\/127\.0\.0\.1:\d+\/$/).optional(),
  }),
  /** The extension registry changed: windows list it again. */
  z.strictObject({ type: z.literal('host.extensions') }),
  /** New SIP messages were traced (sent at most a few times a second). */
  z.strictObject({ type: z.literal('host.trace'), lastSeq: z.number().int() }),
  /**
   * Where a conference's audio runs and with which devices: a window's WebRTC stack with the
   * agent's microphone and speaker, or the host's own engine (headless, no devices).
   */
  z.strictObject({
    type: z.literal('host.audio'),
    focusUri: z.string(),
    where: z.enum(['window', 'host']),
    microphone: z.string().optional(),
    speaker: z.string().optional(),
    problem: z.string().optional(),
  }),
  /** A line for the agent from the host itself (a try-it action, a settings problem). */
  z.strictObject({ type: z.literal('host.notice'), level: z.enum(['info', 'warning', 'error']), text: z.string() }),
  /** A pane tried to leave its page and was closed (bridge `pane.ejected`). */
  z.strictObject({ type: z.literal('host.pane.ejected'), conversationId: z.string(), appId: z.string() }),
  /** The agent read a conversation's chat (its window is in front, or its toast was accepted): unread 0, toast gone. */
  z.strictObject({ type: z.literal('host.im.read'), conversationId: z.string() }),
  /** Conversations restored from the history on disk at start (ended, with their chat and lines). */
  z.strictObject({ type: z.literal('host.history'), conversations: z.array(z.lazy(() => conversationSchema)) }),
  /** The agent started or stopped watching a contact (bridge `presence.watch`, `presence.unwatch`, or settings at sign-in). */
  z.strictObject({ type: z.literal('host.watch'), aor: z.string(), watching: z.boolean() }),
  /** Where a two-party call's audio runs and with which devices (as `host.audio` for a conference). */
  callAudioEventSchema,
]);
/** @public */
export type HostEvent = z.infer<typeof hostEventSchema>;

/** Everything a window is told: the agent's events and the host's. @public */
export type DesktopEvent = AgentEvent | HostEvent;

export const connectionPhaseSchema = z.enum(['not-configured', 'starting', 'connecting', 'registered', 'reconnecting', 'offline', 'failed']);
/** @public */
export type ConnectionPhase = z.infer<typeof connectionPhaseSchema>;

const pendingSchema = z.strictObject({
  /** `im`: the first message of a new two-party conversation (Accept opens it); `call`: a ringing call. */
  kind: z.enum(['invitation', 'channel', 'im', 'call']),
  id: z.string(),
  from: z.string(),
  conversationId: z.string(),
  at: z.number(),
  subject: z.string().optional(),
  focusUri: z.string().optional(),
  audio: z.boolean(),
  im: z.boolean(),
  appId: z.string().optional(),
  name: z.string().optional(),
  toast: z.string().optional(),
  /** Do not disturb: shown, but the host does not ring for it. */
  quiet: z.boolean().optional(),
  /** A call's caller as it named itself (`From` display name). */
  displayName: z.string().optional(),
});
/** An invitation, channel request, first message or call waiting for the agent (the toast). @public */
export type Pending = z.infer<typeof pendingSchema>;

const paneDataSchema = z.strictObject({ n: z.number().int(), channelId: z.string(), contentType: z.string(), body: z.string() });
/** One INFO body delivered to a pane, numbered in arrival order. @public */
export type PaneData = z.infer<typeof paneDataSchema>;

const paneSchema = z.strictObject({
  /** Canonical application GUID. */
  appId: z.string(),
  name: z.string().optional(),
  channels: z.array(z.strictObject({ channelId: z.string(), state: channelStateSchema })),
  context: z.strictObject({ channelId: z.string(), data: z.string().optional(), simpleLink: z.string().optional() }).optional(),
  state: z.enum(['opening', 'open', 'interrupted', 'closed']),
  /** The latest INFO bodies, so a window opened late still shows what arrived. */
  data: z.array(paneDataSchema),
  dataCount: z.number().int(),
  /** The page tried to leave the pane: it stays closed in this conversation, whatever its channels do. */
  ejected: z.boolean().optional(),
});
/** @public */
export type PaneState = z.infer<typeof paneSchema>;

const historySchema = z.strictObject({ at: z.number(), text: z.string(), link: z.string().optional() });

const conversationSchema = z.strictObject({
  id: z.string(),
  /** `call`: one or more two-party calls (with the panes of their context channels). */
  kind: z.enum(['conference', 'channel', 'im', 'call']),
  subject: z.string(),
  from: z.string(),
  focusUri: z.string().optional(),
  state: z.enum(['joining', 'active', 'ended']),
  /** The connection dropped and the conference's dialogs are being refreshed or rebuilt. */
  reconnecting: z.boolean().optional(),
  startedAt: z.number(),
  joinedAt: z.number().optional(),
  endedAt: z.number().optional(),
  /** Why it ended, as the engine said it (`conference.left`'s reason); the window words it for the agent. */
  endReason: z.string().max(500).optional(),
  roster: z.array(rosterUserSchema),
  media: z
    .strictObject({
      /** `none`: joined without audio (the invitation offered none); Join audio adds it. */
      state: conferenceMediaStateSchema,
      muted: z.boolean(),
      packetsSent: z.number().int(),
      packetsReceived: z.number().int(),
      /** How loud the conference arrives, 0 (silence) to 1, from the media event's `level`; absent when unknown. */
      level: z.number().optional(),
    })
    .optional(),
  audio: z
    .strictObject({ where: z.enum(['window', 'host']), microphone: z.string().optional(), speaker: z.string().optional(), problem: z.string().optional() })
    .optional(),
  panes: z.array(paneSchema),
  history: z.array(historySchema),
  /** Instant messages, once the conversation has any (conference chat or two-party). */
  chat: chatSchema.optional(),
  /** Two-party calls in this conversation, oldest first; ended ones stay with their reason. */
  calls: z.array(callViewSchema).optional(),
  /** Restored from the history on disk: read only. */
  restored: z.boolean().optional(),
});
/** One conversation window's content. @public */
export type Conversation = z.infer<typeof conversationSchema>;

const dialogSchema = z.strictObject({ callId: z.string(), role: dialogRoleSchema, peer: z.string() });
/** A SIP dialog of a conversation (its Call-ID keys the trace). @public */
export type ConversationDialog = z.infer<typeof dialogSchema>;

const noticeSchema = z.strictObject({
  n: z.number().int(),
  at: z.number(),
  level: z.enum(['info', 'warning', 'error']),
  text: z.string(),
  link: z.string().optional(),
  appId: z.string().optional(),
});
/** @public */
export type Notice = z.infer<typeof noticeSchema>;

export const desktopStateSchema = z.strictObject({
  connection: z.strictObject({
    phase: connectionPhaseSchema,
    server: z.string().optional(),
    aor: z.string().optional(),
    reason: z.string().optional(),
    retryInMs: z.number().int().optional(),
    lab: z.boolean(),
    /** The embedded lab's customer page, while the agent is signed in to the lab. */
    customerPage: z.string().optional(),
  }),
  pending: z.array(pendingSchema),
  /** Newest first. */
  conversations: z.array(conversationSchema),
  dialogs: z.record(z.string(), z.array(dialogSchema)),
  /** Newest last. */
  notices: z.array(noticeSchema),
  noticeCount: z.number().int(),
  /** Our published state (`self`, once the server accepted or refused it) and the watched contacts'. */
  presence: z.strictObject({ self: presenceViewSchema.optional(), contacts: z.array(presenceViewSchema) }),
});
/** @public */
export type DesktopState = z.infer<typeof desktopStateSchema>;

/** Bounds that keep a day-long session's state small (agents share VDI hosts by the hundred). */
export const DESKTOP_LIMITS = {
  conversations: 30,
  paneData: 200,
  history: 200,
  notices: 20,
  dialogConversations: 60,
} as const;

/** The state before any event. */
export function initialDesktopState(): DesktopState {
  return {
    connection: { phase: 'starting', lab: false },
    pending: [],
    conversations: [],
    dialogs: {},
    notices: [],
    noticeCount: 0,
    presence: { contacts: [] },
  };
}

const last = <T>(items: readonly T[], max: number): T[] => (items.length > max ? items.slice(items.length - max) : [...items]);

function withNotice(log: NoticeLog, at: number, notice: Omit<Notice, 'n' | 'at'>): NoticeLog {
  const n = log.noticeCount + 1;
  return { noticeCount: n, notices: last([...log.notices, { n, at, ...notice }], DESKTOP_LIMITS.notices) };
}

function updateConversation(conversations: Conversation[], match: (c: Conversation) => boolean, update: (c: Conversation) => Conversation): Conversation[] {
  const index = conversations.findIndex(match);
  if (index === -1) {
    return conversations;
  }
  const next = [...conversations];
  next[index] = update(next[index] as Conversation);
  return next;
}

/** Adds a conversation at the front, dropping the oldest ended ones beyond the limit. */
function addConversation(conversations: readonly Conversation[], conversation: Conversation): Conversation[] {
  const next = [conversation, ...conversations];
  while (next.length > DESKTOP_LIMITS.conversations) {
    const oldestEnded = next.findLastIndex((c) => c.state === 'ended');
    if (oldestEnded === -1) {
      break;
    }
    next.splice(oldestEnded, 1);
  }
  return next;
}

function note(conversation: Conversation, at: number, text: string, link?: string): Conversation {
  return { ...conversation, history: last([...conversation.history, { at, text, ...(link !== undefined && { link }) }], DESKTOP_LIMITS.history) };
}

const byFocus = (focusUri: string) => (c: Conversation) => c.focusUri?.toLowerCase() === focusUri.toLowerCase() && c.state !== 'ended';

const sameApp = (a: string, b: string): boolean => (normalizeAppId(a) ?? a) === (normalizeAppId(b) ?? b);

/** The pane's overall state from its channels' (any established one makes it open). */
function paneStateOf(channels: PaneState['channels']): PaneState['state'] {
  if (channels.some((c) => c.state === 'Established')) {
    return 'open';
  }
  if (channels.some((c) => c.state === 'Recovering')) {
    return 'interrupted';
  }
  if (channels.some((c) => c.state === 'Idle' || c.state === 'Establishing')) {
    return 'opening';
  }
  return 'closed';
}

/** The pane with its channel `channelId` at `state` (added when new), its own state derived again (a pane that left its page stays closed). */
function withChannel(pane: PaneState, channelId: string, state: PaneState['channels'][number]['state']): PaneState {
  const channels = pane.channels.some((ch) => ch.channelId === channelId)
    ? pane.channels.map((ch) => (ch.channelId === channelId ? { ...ch, state } : ch))
    : [...pane.channels, { channelId, state }];
  return { ...pane, channels, state: pane.ejected === true ? 'closed' : paneStateOf(channels) };
}

function updatePane(conversation: Conversation, appId: string, update: (pane: PaneState) => PaneState, name?: string): Conversation {
  const index = conversation.panes.findIndex((p) => sameApp(p.appId, appId));
  const panes = [...conversation.panes];
  const pane: PaneState =
    index === -1
      ? { appId: normalizeAppId(appId) ?? appId, ...(name !== undefined && { name }), channels: [], state: 'opening', data: [], dataCount: 0 }
      : (panes[index] as PaneState);
  const next = update(pane);
  if (index === -1) {
    panes.push(next);
  } else {
    panes[index] = next;
  }
  return { ...conversation, panes };
}

/** The conversation a channel belongs to, created when the channel is the first thing in it. */
function ensureChannelConversation(
  conversations: Conversation[],
  pending: readonly Pending[],
  event: { conversationId: string; appId: string },
  at: number,
  from?: string,
  name?: string,
): Conversation[] {
  if (conversations.some((c) => c.id === event.conversationId)) {
    return conversations;
  }
  const request = pending.find((p) => p.kind === 'channel' && p.conversationId === event.conversationId);
  return addConversation(conversations, {
    id: event.conversationId,
    kind: 'channel',
    subject: name ?? request?.name ?? 'Context channel',
    from: from ?? request?.from ?? '',
    state: 'active',
    startedAt: at,
    joinedAt: at,
    roster: [],
    panes: [],
    history: [],
  });
}

type EventOf<T extends DesktopEvent['type']> = Extract<DesktopEvent, { type: T }>;
type Connection = DesktopState['connection'];
/** The notice area's slice: the latest notices and how many there were in all. */
type NoticeLog = Pick<DesktopState, 'notices' | 'noticeCount'>;

/**
 * Applies one event. Pure: the same events in the same order give the same state in the host
 * and in every window.
 *
 * Each area of the state has its own reducer, a pure function of that area's slice and the
 * event: connection, pending (the toasts), conversations (conference, roster, media),
 * panes (channels), dialogs, notices. An area that needs a fact another area owns (the
 * invitation an accept refers to, the pane a notice names) reads it from the state before the
 * event and never writes it. When no area changes, `state` itself comes back.
 * @param at - when the host saw the event (ms since the epoch).
 */
export function reduceDesktop(state: DesktopState, event: DesktopEvent, at: number): DesktopState {
  const connection = reduceConnection(state.connection, event);
  const pending = reducePending(state.pending, event, at, state.conversations);
  const conversations = reducePanes(reduceConversations(state.conversations, event, at, state.pending), event, at, state.pending);
  const dialogs = reduceDialogs(state.dialogs, event, state.conversations);
  const { notices, noticeCount } = reduceNotices({ notices: state.notices, noticeCount: state.noticeCount }, event, at, state);
  const presence = reducePresence(state.presence, event, state.connection.aor);
  const unchanged =
    connection === state.connection &&
    pending === state.pending &&
    conversations === state.conversations &&
    dialogs === state.dialogs &&
    notices === state.notices &&
    presence === state.presence;
  return unchanged ? state : { ...state, connection, pending, conversations, dialogs, notices, noticeCount, presence };
}

/**
 * Presence area: our own publication's outcome (a `presence` event with our AOR) and each
 * watched contact's state, in the order they were added; `unknown` until its server says.
 * @param ownAor - the agent's AOR, from the connection area before the event
 */
function reducePresence(presence: DesktopState['presence'], event: DesktopEvent, ownAor: string | undefined): DesktopState['presence'] {
  switch (event.type) {
    case 'presence': {
      const { aor, availability, activity, note, error } = event;
      const view = { aor, availability, ...(activity !== undefined && { activity }), ...(note !== undefined && { note }), ...(error !== undefined && { error }) };
      if (ownAor !== undefined && sameAor(event.aor, ownAor)) {
        return { ...presence, self: view };
      }
      const index = presence.contacts.findIndex((c) => sameAor(c.aor, event.aor));
      return index === -1 ? presence : { ...presence, contacts: presence.contacts.map((c, i) => (i === index ? view : c)) };
    }
    case 'host.watch': {
      const others = presence.contacts.filter((c) => !sameAor(c.aor, event.aor));
      if (!event.watching) {
        return others.length === presence.contacts.length ? presence : { ...presence, contacts: others };
      }
      return others.length < presence.contacts.length ? presence : { ...presence, contacts: [...others, { aor: event.aor, availability: 'unknown' }] };
    }
    case 'host.agent':
      // A new sign-in publishes afresh: what the last one published is no longer known.
      return event.state === 'starting' && presence.self !== undefined ? { ...presence, self: undefined } : presence;
    default:
      return presence;
  }
}

const sameAor = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** Connection area: the agent's life cycle as the host reports it, the signaling link and the registration. */
function reduceConnection(connection: Connection, event: DesktopEvent): Connection {
  switch (event.type) {
    case 'host.agent':
      return agentConnection(connection, event);
    case 'connection':
      return linkConnection(connection, event);
    case 'registered':
      return { lab: connection.lab, ...labPage(connection), ...(connection.server !== undefined && { server: connection.server }), aor: event.aor, phase: 'registered' };
    case 'unregistered':
      return { ...connection, phase: 'offline', aor: event.aor, ...(event.reason !== undefined && { reason: event.reason }) };
    case 'error':
      return isSignInFailure(event) ? { ...connection, phase: 'failed', reason: event.message } : connection;
    default:
      return connection;
  }
}

/** The lab's customer page, carried from one connection state to the next. */
function labPage(connection: Connection): { customerPage?: string } {
  return connection.customerPage === undefined ? {} : { customerPage: connection.customerPage };
}

/** `host.agent`: the connection phase follows the agent's life cycle. */
function agentConnection(connection: Connection, event: EventOf<'host.agent'>): Connection {
  const phase = event.state === 'not-configured' ? 'not-configured' : event.state === 'failed' ? 'failed' : event.state === 'stopped' ? 'offline' : connection.phase === 'not-configured' || connection.phase === 'failed' ? 'starting' : connection.phase;
  // The lab's page stays known while the agent stays on the lab (its events may omit it).
  const customerPage = event.lab ? (event.customerPage ?? connection.customerPage) : undefined;
  return {
    phase: event.state === 'starting' ? 'starting' : phase,
    lab: event.lab,
    ...(customerPage !== undefined && { customerPage }),
    ...(event.server !== undefined && { server: event.server }),
    ...(event.aor !== undefined && { aor: event.aor }),
    ...(event.message !== undefined && { reason: event.message }),
  };
}

/** `connection`: connecting, reconnecting (with the retry delay) or offline. */
function linkConnection(connection: Connection, event: EventOf<'connection'>): Connection {
  const base = { lab: connection.lab, ...labPage(connection), server: event.server, ...(connection.aor !== undefined && { aor: connection.aor }) };
  switch (event.state) {
    case 'connecting':
    case 'connected':
      return connection.phase === 'registered' ? connection : { ...base, phase: 'connecting' };
    case 'lost':
    case 'reconnecting':
      return {
        ...base,
        phase: 'reconnecting',
        ...((event.reason ?? connection.reason) !== undefined && { reason: event.reason ?? connection.reason }),
        ...(event.retryInMs !== undefined && { retryInMs: event.retryInMs }),
      };
    case 'disconnected':
      return { ...base, phase: 'offline', ...(event.reason !== undefined && { reason: event.reason }) };
  }
  return connection;
}

/** An error that means the agent is not signed in (the others are only reported). */
const isSignInFailure = (event: EventOf<'error'>): boolean => event.code === 'auth-failed' || event.code === 'registration-failed' || event.code === 'unreachable';

/** Pending area: invitations and channel requests ringing (the toasts) until they are decided. */
function reducePending(pending: DesktopState['pending'], event: DesktopEvent, at: number, conversations: readonly Conversation[]): DesktopState['pending'] {
  switch (event.type) {
    case 'im':
      return imToast(pending, event, at, conversations);
    case 'host.im.read':
      return pending.some((p) => p.kind === 'im' && p.conversationId === event.conversationId) ? pending.filter((p) => !(p.kind === 'im' && p.conversationId === event.conversationId)) : pending;
    case 'host.agent':
      // A new agent has none of the old one's invitations.
      return event.state === 'running' ? pending : [];
    case 'invitation':
      return [...pending, invitationToast(event, at)];
    case 'channel.request':
      return [...pending, channelToast(event, at)];
    case 'invitation.accepted':
    case 'invitation.declined':
    case 'invitation.cancelled':
      return pending.filter((p) => p.id !== event.id);
    case 'channel.state':
      // A decided request stops ringing.
      return event.state !== 'Idle' && event.state !== 'Establishing' ? pending.filter((p) => p.id !== event.channelId) : pending;
    case 'call':
      // A call that replaces one of ours (a consultative transfer to the agent) is answered at once.
      return event.replaces !== undefined ? pending : [...pending, callToast(event, at)];
    case 'call.state':
      // Answered, declined, cancelled or unanswered: it stops ringing.
      return event.state !== 'ringing' && pending.some((p) => p.kind === 'call' && p.id === event.id) ? pending.filter((p) => !(p.kind === 'call' && p.id === event.id)) : pending;
    default:
      return pending;
  }
}

/** `call`: a two-party call rings, with the caller's name and address. */
function callToast(event: EventOf<'call'>, at: number): Pending {
  return {
    kind: 'call',
    id: event.id,
    from: event.from,
    conversationId: event.conversationId,
    at,
    audio: true,
    im: false,
    ...(event.displayName !== undefined && { displayName: event.displayName }),
    ...(event.quiet === true && { quiet: true }),
  };
}

/**
 * `im`: the first message from a peer in a new two-party conversation shows a toast (issue 13:
 * Accept opens it); later messages only count as unread. Conference chat never toasts: the
 * agent accepted the conference already.
 */
function imToast(pending: DesktopState['pending'], event: EventOf<'im'>, at: number, conversations: readonly Conversation[]): DesktopState['pending'] {
  if (event.outgoing === true || event.focusUri !== undefined || pending.some((p) => p.kind === 'im' && p.conversationId === event.conversationId)) {
    return pending;
  }
  const existing = conversations.find((c) => c.id === event.conversationId);
  if (existing && existing.kind !== 'im') {
    return pending;
  }
  // A conversation that already has messages (ours or theirs) is not new: no toast for a reply.
  if (existing && (existing.chat?.messages.length ?? 0) > 0) {
    return pending;
  }
  return [...pending, { kind: 'im', id: `im:${event.conversationId}`, from: event.from, conversationId: event.conversationId, at, audio: false, im: true, toast: [...event.text].slice(0, 120).join('') }];
}

/** `invitation`: a conference invitation starts ringing. */
function invitationToast(event: EventOf<'invitation'>, at: number): Pending {
  return {
    kind: 'invitation',
    id: event.id,
    from: event.from,
    conversationId: event.conversationId ?? event.id,
    at,
    subject: event.subject,
    focusUri: event.focusUri,
    audio: event.audio,
    im: event.im,
    ...(event.quiet === true && { quiet: true }),
  };
}

/** `channel.request`: a channel request starts ringing. */
function channelToast(event: EventOf<'channel.request'>, at: number): Pending {
  return {
    kind: 'channel',
    id: event.id,
    from: event.from,
    conversationId: event.conversationId,
    at,
    audio: false,
    im: false,
    appId: event.appId,
    name: event.name,
    ...(event.toast !== undefined && { toast: event.toast }),
    ...(event.quiet === true && { quiet: true }),
  };
}

/**
 * Conversation area: an accepted invitation's conversation and its conference (join,
 * reconnection, roster, media, where the audio runs, end).
 * @param pending - the toasts before the event (the invitation an accept refers to).
 */
function reduceConversations(conversations: Conversation[], event: DesktopEvent, at: number, pending: readonly Pending[]): Conversation[] {
  if (isChatEvent(event)) {
    return reduceChatConversation(conversations, event, at);
  }
  if (isCallEvent(event)) {
    return reduceCallConversation(conversations, event, at, pending);
  }
  switch (event.type) {
    case 'host.im.read':
      return updateConversation(conversations, (c) => c.id === event.conversationId && (c.chat?.unread ?? 0) > 0, (c) => ({ ...c, chat: { ...(c.chat ?? emptyChat()), unread: 0 } }));
    case 'host.history': {
      const known = new Set(conversations.map((c) => c.id));
      const restored = event.conversations.filter((c) => !known.has(c.id)).map((c) => ({ ...c, restored: true }));
      return restored.length === 0 ? conversations : [...conversations, ...restored].slice(0, DESKTOP_LIMITS.conversations);
    }
    case 'invitation.accepted':
      return acceptInvitation(conversations, event, at, pending);
    case 'conference.joined':
      return updateConversation(
        conversations,
        (c) => (event.conversationId !== undefined && c.id === event.conversationId && c.state !== 'ended') || byFocus(event.focusUri)(c),
        (c) => note({ ...c, state: 'active', joinedAt: at }, at, event.role ? `Joined the conference as ${event.role}` : 'Joined the conference'),
      );
    case 'conference.state':
      // The first join and the end have their own events (and history lines); this one adds the reconnection.
      if (event.state === 'left' || (event.state === 'joined' && event.reason === undefined)) {
        return conversations;
      }
      return updateConversation(conversations, byFocus(event.focusUri), (c) =>
        note({ ...c, reconnecting: event.state === 'reconnecting' }, at, event.state === 'reconnecting' ? 'Connection lost: reconnecting…' : `Back in the conference (${event.reason ?? 'reconnected'})`),
      );
    case 'roster':
      return updateConversation(conversations, byFocus(event.focusUri), (c) => ({ ...c, roster: event.users, ...(event.subject ? { subject: event.subject } : {}) }));
    case 'media':
      return updateConversation(conversations, byFocus(event.focusUri), (c) => ({
        ...c,
        media: {
          state: event.state,
          muted: event.muted,
          packetsSent: event.packetsSent,
          packetsReceived: event.packetsReceived,
          ...(event.level !== undefined && { level: event.level }),
        },
      }));
    case 'host.audio': {
      const { where, microphone, speaker, problem } = event;
      const audio = { where, ...(microphone !== undefined && { microphone }), ...(speaker !== undefined && { speaker }), ...(problem !== undefined && { problem }) };
      return updateConversation(conversations, byFocus(event.focusUri), (c) => ({ ...c, audio }));
    }
    case 'conference.left':
      return updateConversation(conversations, byFocus(event.focusUri), (c) =>
        note(
          { ...c, state: 'ended', endedAt: at, endReason: event.reason.slice(0, 500), panes: c.panes.map((p) => ({ ...p, state: 'closed' as const })), ...(c.media && c.media.state !== 'none' && { media: { ...c.media, state: 'closed' as const } }) },
          at,
          `Left the conference: ${event.reason}`,
        ),
      );
    default:
      return conversations;
  }
}

/** `invitation.accepted`: the ringing invitation becomes a conversation joining its conference. */
function acceptInvitation(conversations: Conversation[], event: EventOf<'invitation.accepted' | 'invitation.declined'>, at: number, pending: readonly Pending[]): Conversation[] {
  const invitation = pending.find((p) => p.id === event.id);
  if (!invitation) {
    return conversations;
  }
  const existing = conversations.find((c) => c.id === invitation.conversationId);
  if (existing) {
    return updateConversation(conversations, (c) => c === existing, (c) =>
      note({ ...c, kind: 'conference', focusUri: event.focusUri, state: 'joining', subject: invitation.subject || c.subject }, at, `Accepted the invitation from ${invitation.from}`),
    );
  }
  return addConversation(conversations, {
    id: invitation.conversationId,
    kind: 'conference',
    subject: invitation.subject || 'Conference',
    from: invitation.from,
    focusUri: event.focusUri,
    state: 'joining',
    startedAt: at,
    roster: [],
    panes: [],
    history: [{ at, text: `Accepted the invitation from ${invitation.from}` }],
  });
}

/**
 * Chat of a conversation: a conference's (it exists from the accept) or a two-party one, made
 * by its first IM event. A two-party conversation is active while its IM session is, and
 * ended when the session ends (a pager conversation stays active: there is no session to end).
 */
function reduceChatConversation(conversations: Conversation[], event: Extract<DesktopEvent, { type: 'im' | 'im.state' | 'im.delivery' | 'im.typing' }>, at: number): Conversation[] {
  const peer = event.type === 'im' ? event.peer : event.type === 'im.state' ? event.peer : undefined;
  const existing = conversations.find((c) => c.id === event.conversationId && !c.restored);
  if (!existing) {
    if (peer === undefined) {
      return conversations;
    }
    const chat = reduceChat({ messages: [], typing: [], unread: 0 }, event, at);
    return addConversation(conversations, { id: event.conversationId, kind: 'im', subject: peer, from: peer, state: 'active', startedAt: at, roster: [], panes: [], history: [{ at, text: `Chat with ${peer}` }], chat });
  }
  return updateConversation(conversations, (c) => c === existing, (c) => {
    const chat = reduceChat(c.chat ?? emptyChat(), event, at);
    if (c.kind === 'im' && event.type === 'im.state') {
      return event.state === 'ended' ? note({ ...c, chat, state: 'ended', endedAt: at }, at, `Chat ended${event.reason ? `: ${event.reason}` : ''}`) : { ...c, chat, state: 'active' };
    }
    return c.kind === 'im' && event.type === 'im' && c.state === 'ended' ? { ...c, chat, state: 'active' } : { ...c, chat };
  });
}

/**
 * Calls of a conversation. A call joins its conversation once it is the agent's to see there:
 * an outgoing one at once, an incoming one when answered (while it rings it is a toast, and
 * one never answered is a notice). The conversation is its `conversationId`'s: made for the
 * call, or the one its context channel (or an earlier call) opened, so the pane and the call
 * sit side by side. Then the call's state, audio, digits and transfer follow, with a line in
 * the history for each step the agent would want to find again.
 * @param pending - the toasts before the event (a ringing call's display name).
 */
function reduceCallConversation(conversations: Conversation[], event: CallEvent, at: number, pending: readonly Pending[]): Conversation[] {
  const id = callIdOf(event);
  const holder = conversations.find((c) => c.calls?.some((k) => k.id === id));
  if (!holder) {
    return event.type === 'call.state' ? addCall(conversations, event, at, pending) : conversations;
  }
  const before = holder.calls?.find((k) => k.id === id) as CallView;
  const { call, line } = reduceCall(before, event, at);
  if (call === before) {
    return conversations;
  }
  return updateConversation(conversations, (c) => c === holder, (c) => {
    const next = withCallState({ ...c, calls: (c.calls ?? []).map((k) => (k.id === id ? call : k)) }, at);
    return line === undefined ? next : note(next, at, line);
  });
}

/** The first `call.state` of a call the conversation list shows: into its conversation, made if need be. */
function addCall(conversations: Conversation[], event: EventOf<'call.state'>, at: number, pending: readonly Pending[]): Conversation[] {
  if (!event.outgoing && (event.state === 'ringing' || event.state === 'ended')) {
    return conversations;
  }
  const toast = pending.find((p) => p.kind === 'call' && p.id === event.id);
  const call = newCallView(event, at, toast?.displayName);
  const line = event.outgoing ? `Calling ${callName(call)}` : `Answered a call from ${callName(call)}`;
  const existing = conversations.find((c) => c.id === event.conversationId);
  if (!existing) {
    const conversation: Conversation = { id: event.conversationId, kind: 'call', subject: callName(call), from: event.peer, state: 'joining', startedAt: at, roster: [], panes: [], history: [{ at, text: line }], calls: [call] };
    return addConversation(conversations, withCallState(conversation, at));
  }
  return updateConversation(conversations, (c) => c === existing, (c) => {
    // A conversation from the history, or one whose calls all ended, comes back to life.
    const live: Conversation = { ...c };
    delete live.restored;
    delete live.endedAt;
    delete live.endReason;
    const kept = (c.calls ?? []).filter((k, i, all) => k.state !== 'ended' || i >= all.length - (CALLS_KEPT - 1));
    // A context channel that came first named the conversation after its application: the call names it now.
    const becomesCall = c.kind === 'channel' || c.kind === 'im';
    return note(withCallState({ ...live, ...(becomesCall && { kind: 'call' as const, subject: callName(call), from: event.peer }), calls: [...kept, call] }, at), at, line);
  });
}

/**
 * A call conversation's state from its calls: joining while they only dial or ring, active once
 * one is connected (or held), ended when the last one ended. Other kinds keep their own.
 */
function withCallState(conversation: Conversation, at: number): Conversation {
  if (conversation.kind !== 'call') {
    return conversation;
  }
  const live = (conversation.calls ?? []).filter((k) => k.state !== 'ended');
  if (live.length === 0) {
    return conversation.state === 'ended' ? conversation : { ...conversation, state: 'ended', endedAt: at };
  }
  if (live.some((k: CallView) => k.state !== 'dialing' && k.state !== 'ringing')) {
    return conversation.state === 'active' ? conversation : { ...conversation, state: 'active', joinedAt: conversation.joinedAt ?? at };
  }
  return conversation.state === 'joining' ? conversation : { ...conversation, state: 'joining' };
}

/**
 * Pane area: a pane per application in a conversation, following its channels' states,
 * context and data, and closed for good when its page leaves it.
 * @param pending - the toasts before the event (the request a channel answers).
 */
function reducePanes(conversations: Conversation[], event: DesktopEvent, at: number, pending: DesktopState['pending']): Conversation[] {
  switch (event.type) {
    case 'channel.state':
      return applyChannelState(conversations, event, at, pending);
    case 'channel.context':
      return openPane(conversations, event, at, pending);
    case 'channel.data':
      return updateConversation(conversations, (c) => c.id === event.conversationId, (c) =>
        updatePane(c, event.appId, (pane) => ({
          ...pane,
          dataCount: pane.dataCount + 1,
          data: last([...pane.data, { n: pane.dataCount + 1, channelId: event.channelId, contentType: event.contentType, body: event.body }], DESKTOP_LIMITS.paneData),
        })),
      );
    case 'host.pane.ejected': {
      const ejected = paneToEject(conversations, event);
      if (!ejected) {
        return conversations;
      }
      return updateConversation(conversations, (c) => c === ejected.conversation, (c) =>
        note(updatePane(c, event.appId, (p) => ({ ...p, ejected: true, state: 'closed' })), at, ejectionText(ejected.pane)),
      );
    }
    default:
      return conversations;
  }
}

/** `channel.state`: an established channel gets (or updates) its pane; a channel-only conversation ends with its last pane. */
function applyChannelState(conversations: Conversation[], event: EventOf<'channel.state'>, at: number, pending: DesktopState['pending']): Conversation[] {
  const request = pending.find((p) => p.kind === 'channel' && p.id === event.channelId);
  // A pane appears once its channel is established: a request still ringing, or refused,
  // shows no pane. Later states update the pane that exists.
  const hasPane = conversations.some((c) => c.id === event.conversationId && c.panes.some((p) => p.channels.some((ch) => ch.channelId === event.channelId)));
  if (!hasPane && event.state !== 'Established') {
    return conversations;
  }
  // A new conversation is named after what still rings once this request is decided.
  const next = ensureChannelConversation(conversations, reducePending(pending, event, at, conversations), event, at, request?.from, request?.name);
  return updateConversation(next, (c) => c.id === event.conversationId, (c) => {
    const updated = updatePane(
      c,
      event.appId,
      (pane) => withChannel(pane, event.channelId, event.state),
      request?.name,
    );
    // A conversation made only of channels ends with its last pane.
    if (updated.kind === 'channel' && updated.state !== 'ended' && updated.panes.every((p) => p.state === 'closed')) {
      return note({ ...updated, state: 'ended', endedAt: at }, at, 'The application ended the conversation');
    }
    return updated;
  });
}

/**
 * `channel.context`: the pane opens with the channel's initial context. The agent reports it as
 * it answers 200, before the ACK: the pane then knows that channel as still opening, so the
 * channel's later states (Established, or Terminated when no ACK comes) reach it.
 */
function openPane(conversations: Conversation[], event: EventOf<'channel.context'>, at: number, pending: readonly Pending[]): Conversation[] {
  const request = pending.find((p) => p.kind === 'channel' && p.id === event.channelId);
  const next = ensureChannelConversation(conversations, pending, event, at, request?.from, request?.name);
  return updateConversation(next, (c) => c.id === event.conversationId, (c) => {
    const withPane = updatePane(
      c,
      event.appId,
      (pane) => {
        const known = pane.channels.some((ch) => ch.channelId === event.channelId);
        return {
          ...(known ? pane : withChannel(pane, event.channelId, 'Establishing')),
          context: {
            channelId: event.channelId,
            ...(event.data !== undefined && { data: event.data }),
            ...(event.simpleLink !== undefined && { simpleLink: event.simpleLink }),
          },
        };
      },
      request?.name,
    );
    const name = withPane.panes.find((p) => sameApp(p.appId, event.appId))?.name ?? 'An application';
    return note(withPane, at, `${name} opened its pane`, event.simpleLink);
  });
}

/** The pane a `host.pane.ejected` takes down, unless it is unknown or already down. */
function paneToEject(conversations: readonly Conversation[], event: EventOf<'host.pane.ejected'>): { conversation: Conversation; pane: PaneState } | undefined {
  const conversation = conversations.find((c) => c.id === event.conversationId);
  const pane = conversation?.panes.find((p) => sameApp(p.appId, event.appId));
  return conversation && pane && pane.ejected !== true ? { conversation, pane } : undefined;
}

const ejectionText = (pane: PaneState): string => `${pane.name ?? 'An extension'} tried to leave its pane and was closed`;

/**
 * Dialog area: each conversation's SIP dialogs for its trace, bounded in conversations.
 * @param conversations - the conversations before the event (a live one keeps its dialogs).
 */
function reduceDialogs(dialogs: DesktopState['dialogs'], event: DesktopEvent, conversations: readonly Conversation[]): DesktopState['dialogs'] {
  if (event.type !== 'dialog') {
    return dialogs;
  }
  const known = dialogs[event.conversationId] ?? [];
  if (known.some((d) => d.callId === event.callId)) {
    return dialogs;
  }
  const next = { ...dialogs, [event.conversationId]: [...known, { callId: event.callId, role: event.role, peer: event.peer }] };
  const keys = Object.keys(next);
  for (const key of keys.slice(0, Math.max(0, keys.length - DESKTOP_LIMITS.dialogConversations))) {
    if (!conversations.some((c) => c.id === key && c.state !== 'ended')) {
      delete next[key];
    }
  }
  return next;
}

/**
 * Notice area: lines for the agent from the host, errors, pager messages, missed invitations,
 * declined and uninstalled applications, and panes that left their page.
 * @param before - the state before the event (the invitation missed, the pane that left).
 */
function reduceNotices(log: NoticeLog, event: DesktopEvent, at: number, before: Pick<DesktopState, 'pending' | 'conversations'>): NoticeLog {
  switch (event.type) {
    case 'host.notice':
      return withNotice(log, at, { level: event.level, text: event.text });
    case 'host.pane.ejected': {
      const ejected = paneToEject(before.conversations, event);
      return ejected ? withNotice(log, at, { level: 'warning', text: `${ejectionText(ejected.pane)} (${ejected.pane.appId})` }) : log;
    }
    case 'error':
      return withNotice(log, at, { level: 'error', text: event.message });
    case 'message':
      return withNotice(log, at, { level: 'info', text: `Message from ${event.from}: ${event.body.slice(0, 500)}` });
    case 'invitation.cancelled': {
      const invitation = before.pending.find((p) => p.id === event.id);
      if (!invitation) {
        return log;
      }
      const why = event.reason === 'timeout' ? 'not answered in time' : 'withdrawn by the caller';
      return withNotice(log, at, { level: 'warning', text: `Missed invitation from ${invitation.from}: "${invitation.subject ?? ''}" (${why})` });
    }
    case 'call.state': {
      const ringing = before.pending.find((p) => p.kind === 'call' && p.id === event.id);
      if (!ringing || event.state !== 'ended' || event.reason === 'declined') {
        return log;
      }
      const why = event.reason === 'cancelled' ? 'the caller hung up' : event.reason === 'no answer' ? 'not answered in time' : (event.reason ?? 'ended');
      return withNotice(log, at, { level: 'warning', text: `Missed call from ${ringing.displayName ?? ringing.from} (${why})` });
    }
    case 'channel.refused':
      return event.status === 603 ? withNotice(log, at, { level: 'info', text: `Declined ${event.appId} from ${event.from ?? 'unknown'}` }) : log;
    case 'channel.install':
      return withNotice(log, at, {
        level: 'warning',
        text: `${event.name ?? 'An application'} wants to open a pane, but it is not installed (${event.appId}). Ask your administrator, or install it from the Extensions page.`,
        appId: event.appId,
        ...(event.link !== undefined && { link: event.link }),
      });
    default:
      return log;
  }
}
