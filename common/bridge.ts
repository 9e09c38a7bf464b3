import { z } from 'zod';
import { agentEventSchema, availabilitySchema } from './agent-events';
import { desktopStateSchema, hostEventSchema, type DesktopEvent, type DesktopState } from './desktop-state';
import { EXTENSION_PERMISSIONS, PANE_SIZES } from './extension-manifest';
import { mediaCommandSchema, mediaReplySchema, mediaReportSchema, type MediaCommand } from './media-link';

/**
 * The one contract between a window (renderer) and its host. Electron carries it over IPC
 * (one `bridge:<method>` channel per method, pushes on {@link BRIDGE_PUSH_CHANNEL}); the
 * browser host carries the same messages over a loopback WebSocket with a per-session token.
 * The receiving side always validates: the host validates requests with
 * {@link bridgeMethods}' params, a window validates pushes and results.
 * @public
 */
export const BRIDGE_PROTOCOL = 'switchboard-bridge/1';

/** The IPC channel of pushes (host → window) in Electron. */
export const BRIDGE_PUSH_CHANNEL = 'bridge:push';

/** The IPC channel of media commands (host → the one window carrying audio) in Electron. */
export const BRIDGE_MEDIA_CHANNEL = 'bridge:media';

/** The IPC channel of one method in Electron. */
export const bridgeChannel = (method: BridgeMethod): string => `bridge:${method}`;

const sipUri = z
  .string()
  .max(1024)
  .regex(/^sips?:[^@\s]+@[^\s]+$/i, 'must be a SIP URI with a user, e.g. sip:agent@lab.local');
const wsUrl = z
  .string()
  .max(1024)
  .regex(/^wss?:\/\/[^\s]+$/i, 'must be a ws:// or wss:// URL');
const device = z.strictObject({ id: z.string().max(512), label: z.string().max(256) });
const empty = z.strictObject({});
const done = z.strictObject({});

/** The agent's account and preferences, as stored (the password is kept apart, see secrets). */
export const settingsSchema = z.strictObject({
  /** Empty when no account is configured: the host then runs the embedded lab. */
  server: z.union([z.literal(''), wsUrl]),
  aor: z.union([z.literal(''), sipUri]),
  authUser: z.string().max(256).optional(),
  autoAccept: z.boolean(),
  trust: z.array(sipUri).max(100),
  audioInput: device.optional(),
  audioOutput: device.optional(),
  /** Ring on the speaker while an invitation or channel request waits; absent means on. */
  ring: z.boolean().optional(),
  /** The availability the agent chose, published at every sign-in; absent means Available. */
  presence: z.strictObject({ availability: availabilitySchema, note: z.string().max(256).optional() }).optional(),
  /** Contacts whose presence the agent watches (team, supervisor). */
  watch: z.array(sipUri).max(100).optional(),
  /** Days conversation history (chat, joins, panes) is kept on disk; 0 keeps none; absent means 30. */
  historyDays: z.number().int().min(0).max(3650).optional(),
});
/** @public */
export type Settings = z.infer<typeof settingsSchema>;

/** Settings as a window sees them: never the password itself. */
export const settingsViewSchema = z.strictObject({
  settings: settingsSchema,
  passwordStored: z.boolean(),
  /** Where a password is kept: the OS keychain (Electron safeStorage) or only for this run. */
  passwordStorage: z.enum(['os-keychain', 'this-session']),
  configDir: z.string(),
});
/** @public */
export type SettingsView = z.infer<typeof settingsViewSchema>;

export const appInfoSchema = z.strictObject({
  name: z.string(),
  version: z.string(),
  host: z.enum(['electron', 'browser']),
  /** The embedded lab can be started (its bundle is present). */
  labAvailable: z.boolean(),
});
/** Static facts about the running host. @public */
export type AppInfo = z.infer<typeof appInfoSchema>;

const extensionSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  version: z.string(),
  scope: z.enum(['user', 'machine']),
  entry: z.string(),
  size: z.enum(Object.keys(PANE_SIZES) as [keyof typeof PANE_SIZES, ...(keyof typeof PANE_SIZES)[]]),
  permissions: z.array(z.enum(EXTENSION_PERMISSIONS)),
  effective: z.boolean(),
  shadowed: z.boolean(),
  forbidden: z.boolean(),
  /** Where the host serves the pane's entry (browser host), relative to the app. */
  paneUrl: z.string().optional(),
});
/** An installed extension as the extensions manager lists it. @public */
export type ExtensionInfo = z.infer<typeof extensionSchema>;

const traceEntrySchema = z.strictObject({
  seq: z.number().int(),
  at: z.number(),
  direction: z.enum(['in', 'out']),
  dialog: z.string(),
  startLine: z.string(),
  method: z.string(),
  status: z.number().int().optional(),
  raw: z.string(),
});
/** @public */
export type TraceEntryView = z.infer<typeof traceEntrySchema>;

/** Try-it actions of the embedded lab. */
export const labActionSchema = z.enum(['invitation', 'channel-in-conference', 'channel', 'unregistered-channel', 'customer']);
/** @public */
export type LabAction = z.infer<typeof labActionSchema>;

const callIds = z.array(z.string().max(512)).max(64);
/** A two-party call's id, as its `call` and `call.state` events name it. */
const callId = z.string().min(1).max(64);

/**
 * Every method a window may call: params validated by the host, result by the window.
 * @public
 */
export const bridgeMethods = {
  'app.info': { params: empty, result: appInfoSchema },
  /** The host's current state and the sequence number of the last event it reflects. */
  'state.snapshot': { params: empty, result: z.strictObject({ seq: z.number().int(), state: desktopStateSchema }) },
  /** Accepts a ringing invitation or channel request. */
  'agent.accept': { params: z.strictObject({ id: z.string().min(1).max(64) }), result: done },
  'agent.decline': { params: z.strictObject({ id: z.string().min(1).max(64) }), result: done },
  'conference.leave': { params: z.strictObject({ focusUri: z.string().min(1).max(1024) }), result: done },
  'conference.mute': { params: z.strictObject({ focusUri: z.string().min(1).max(1024), muted: z.boolean() }), result: done },
  /** Data from a pane, sent as INFO; resolves when the peer answered. */
  'pane.send': {
    params: z.strictObject({
      appId: z.string().min(1).max(64),
      conversationId: z.string().min(1).max(256),
      channelId: z.string().max(256).optional(),
      contentType: z.string().min(1).max(255),
      body: z.string().max(64 * 1024),
    }),
    result: z.strictObject({ ok: z.boolean(), status: z.number().int(), reason: z.string(), seq: z.number().int() }),
  },
  'pane.close': { params: z.strictObject({ appId: z.string().min(1).max(64), conversationId: z.string().min(1).max(256) }), result: done },
  /**
   * A pane's page tried to leave it (its frame navigated, reloaded or was redirected): the
   * window or shell that saw it has already taken the page down; the host logs it with the
   * extension id, marks the pane closed for good in this conversation and closes its channels.
   * `url` is where it went, when the reporter can know it (Electron; never an opaque iframe).
   */
  'pane.ejected': {
    params: z.strictObject({ appId: z.string().min(1).max(64), conversationId: z.string().min(1).max(256), url: z.string().max(2048).optional() }),
    result: done,
  },
  'trace.list': { params: z.strictObject({ callIds }), result: z.strictObject({ entries: z.array(traceEntrySchema) }) },
  'trace.export': { params: z.strictObject({ callIds }), result: z.strictObject({ text: z.string() }) },
  'extensions.list': {
    params: empty,
    result: z.strictObject({
      extensions: z.array(extensionSchema),
      problems: z.array(z.strictObject({ scope: z.enum(['user', 'machine']), location: z.string(), message: z.string() })),
      userInstallsAllowed: z.boolean(),
      userDir: z.string(),
      machineDir: z.string(),
    }),
  },
  /** Installs a package folder or archive from a path on this machine. */
  'extensions.install': {
    params: z.strictObject({ path: z.string().min(1).max(4096) }),
    result: z.strictObject({ id: z.string(), name: z.string(), version: z.string(), replacedVersion: z.string().optional() }),
  },
  /** Installs an archive a window read from a file picker (20 MiB at most). */
  'extensions.upload': {
    params: z.strictObject({
      fileName: z.string().min(1).max(255).regex(/\.(zip|tgz|tar\.gz)$/i, 'must be a .zip, .tgz or .tar.gz archive'),
      dataBase64: z.string().max(28 * 1024 * 1024),
    }),
    result: z.strictObject({ id: z.string(), name: z.string(), version: z.string(), replacedVersion: z.string().optional() }),
  },
  'extensions.remove': {
    params: z.strictObject({ id: z.string().min(1).max(64) }),
    result: z.strictObject({ id: z.string(), machineCopyRemains: z.boolean() }),
  },
  /** Asks the host for a native file or folder picker (Electron); the browser host has none. */
  'extensions.pick': { params: z.strictObject({ folder: z.boolean() }), result: z.strictObject({ path: z.string().optional() }) },
  'settings.get': { params: empty, result: settingsViewSchema },
  /**
   * Saves settings. A change to the account or its decisions restarts the agent with them
   * (`restarted`); a change of devices only switches the calls in progress to them.
   */
  'settings.set': {
    params: z.strictObject({
      settings: settingsSchema,
      password: z.string().max(1024).optional(),
      clearPassword: z.boolean().optional(),
    }),
    result: settingsViewSchema.extend({ restarted: z.boolean() }),
  },
  'lab.try': { params: z.strictObject({ action: labActionSchema }), result: z.strictObject({ message: z.string() }) },
  /** Opens an https: link in the system browser; false when this host cannot (browser host). */
  'shell.openExternal': { params: z.strictObject({ url: z.url({ protocol: /^https$/ }).max(2048) }), result: z.strictObject({ opened: z.boolean() }) },
  /**
   * Places an extension pane over the given rectangle of the calling window (CSS pixels), or
   * hides it (`bounds: null`). Electron hosts each pane in its own sandboxed WebContentsView;
   * the browser host answers `placed: false` and the window uses a sandboxed iframe instead.
   */
  'pane.place': {
    params: z.strictObject({
      conversationId: z.string().min(1).max(256),
      appId: z.string().min(1).max(64),
      bounds: z.strictObject({ x: z.number(), y: z.number(), width: z.number().min(0), height: z.number().min(0) }).nullable(),
    }),
    result: z.strictObject({ placed: z.boolean() }),
  },
  /** Dials the conference's A/V MCU again after its audio failed or ended. */
  'conference.reconnectAudio': { params: z.strictObject({ focusUri: z.string().min(1).max(1024) }), result: done },
  /**
   * This window carries conference audio from now on, with its own microphone and speaker
   * (see `media-link.ts`); the host sends it media commands until it goes away.
   */
  'media.attach': { params: empty, result: z.strictObject({ attached: z.boolean() }) },
  /** The outcome of a media command's offer or answer step. */
  'media.reply': { params: mediaReplySchema, result: done },
  /** State, RTP counters and devices of a session this window carries. */
  'media.report': { params: mediaReportSchema, result: done },
  /**
   * Sends an instant message into a conversation (its chat) or to a peer (`to`, opening a
   * two-party conversation); resolves with where it went once it is queued, delivery follows as
   * `im.delivery` events.
   */
  'im.send': {
    params: z.strictObject({ conversationId: z.string().min(1).max(256).optional(), to: sipUri.optional(), text: z.string().min(1).max(16_384) }),
    result: z.strictObject({ conversationId: z.string(), messageId: z.string() }),
  },
  /** The agent is typing in a conversation (or stopped); two-party only. */
  'im.typing': { params: z.strictObject({ conversationId: z.string().min(1).max(256), typing: z.boolean() }), result: done },
  /** The agent has read a conversation's chat: unread count back to 0, its toast gone. */
  'im.read': { params: z.strictObject({ conversationId: z.string().min(1).max(256) }), result: done },
  /** Chooses the agent's availability: published at once and at every sign-in (kept in settings). */
  'presence.set': { params: z.strictObject({ availability: availabilitySchema, note: z.string().max(256).optional() }), result: done },
  /** Starts or stops watching a contact's presence (kept in settings). */
  'presence.watch': { params: z.strictObject({ aor: sipUri }), result: done },
  'presence.unwatch': { params: z.strictObject({ aor: sipUri }), result: done },
  /** The window saw no input for the idle time (or input again): Available turns Away meanwhile. */
  'presence.idle': { params: z.strictObject({ idle: z.boolean() }), result: done },
  /** Answers a ringing two-party call; its audio runs in the window that carries audio. */
  'call.answer': { params: z.strictObject({ id: callId }), result: done },
  /** Declines a ringing call (603 Decline). */
  'call.decline': { params: z.strictObject({ id: callId }), result: done },
  /** Ends a call: BYE once connected, CANCEL while the agent's own call rings, 603 while theirs does. */
  'call.hangup': { params: z.strictObject({ id: callId }), result: done },
  /** Holds (a re-INVITE `sendonly`, RFC 3264 §8.4) or resumes (`sendrecv`) a connected call. */
  'call.hold': { params: z.strictObject({ id: callId, held: z.boolean() }), result: done },
  /** Mutes the agent in a call (no RTP leaves) or unmutes. */
  'call.mute': { params: z.strictObject({ id: callId, muted: z.boolean() }), result: done },
  /** Sends DTMF digits: RFC 4733 telephone-events when both sides negotiated them, else SIP INFO. */
  'call.dtmf': { params: z.strictObject({ id: callId, digits: z.string().regex(/^[0-9*#A-Da-d]{1,32}$/, 'DTMF digits: 0-9, *, #, A-D, at most 32') }), result: done },
  /**
   * Transfers a call (REFER, RFC 3515): blind to a SIP URI, or consultative to another of the
   * agent's calls, named by its id (`Replaces`, RFC 5589 §7). Resolves once the REFER is sent;
   * progress and outcome follow as `call.transfer` events.
   */
  'call.transfer': {
    params: z.strictObject({ id: callId, to: z.string().min(1).max(1024).regex(/^(?:sips?:\S+|[\w.-]{1,64})$/i, 'must be a SIP URI or the id of another call') }),
    result: done,
  },
  /**
   * Calls a SIP URI (with a user: a bare number is made whole by the window); resolves with the
   * call's id and the conversation it opens (a new one unless `conversationId` names one).
   */
  'call.place': {
    params: z.strictObject({ to: sipUri, conversationId: z.string().min(1).max(256).optional() }),
    result: z.strictObject({ id: z.string(), conversationId: z.string() }),
  },
  /** Shows a conversation in its own window; false when this host shows it in place. */
  'window.openConversation': { params: z.strictObject({ conversationId: z.string().min(1).max(256) }), result: z.strictObject({ opened: z.boolean() }) },
} as const;

/** @public */
export type BridgeMethod = keyof typeof bridgeMethods;
/** @public */
export type BridgeParams<M extends BridgeMethod> = z.input<(typeof bridgeMethods)[M]['params']>;
/**
 * A method's params after the host validated them with {@link bridgeMethods} (defaults
 * applied): what the host's handler of that method receives.
 * @public
 */
export type BridgeParsedParams<M extends BridgeMethod> = z.output<(typeof bridgeMethods)[M]['params']>;
/** @public */
export type BridgeResult<M extends BridgeMethod> = z.output<(typeof bridgeMethods)[M]['result']>;

/** Method names, for the preload's allow-list and the host's dispatcher. */
export const BRIDGE_METHODS = Object.keys(bridgeMethods) as BridgeMethod[];

export const bridgeErrorCodeSchema = z.enum(['bad-request', 'not-found', 'refused', 'unsupported', 'busy', 'unavailable', 'internal']);
/** @public */
export type BridgeErrorCode = z.infer<typeof bridgeErrorCodeSchema>;

/** The error envelope: every failure a window sees has a code and one readable line. */
export const bridgeErrorSchema = z.strictObject({ code: bridgeErrorCodeSchema, message: z.string() });
/** @public */
export type BridgeError = z.infer<typeof bridgeErrorSchema>;

/** A method's answer: a result, or an error envelope. Never a thrown exception across the boundary. */
export type BridgeResponse<M extends BridgeMethod = BridgeMethod> =
  | { readonly ok: true; readonly result: BridgeResult<M> }
  | { readonly ok: false; readonly error: BridgeError };

export const bridgeResponseSchema = z.union([
  z.strictObject({ ok: z.literal(true), result: z.unknown() }),
  z.strictObject({ ok: z.literal(false), error: bridgeErrorSchema }),
]);

/** Host → window: one event, numbered so a window can join its snapshot without gaps. */
export const bridgePushSchema = z.strictObject({
  seq: z.number().int(),
  at: z.number(),
  event: z.union([agentEventSchema, hostEventSchema]),
});
/** @public */
export type BridgePush = { readonly seq: number; readonly at: number; readonly event: DesktopEvent };

/** The browser host's WebSocket frames. */
export const bridgeSocketFrameSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('request'), id: z.number().int().nonnegative(), method: z.string().max(64), params: z.unknown() }),
  z.strictObject({ kind: z.literal('response'), id: z.number().int().nonnegative(), response: bridgeResponseSchema }),
  z.strictObject({ kind: z.literal('push'), push: bridgePushSchema }),
  /** To one window only: a media command for the audio it carries. */
  z.strictObject({ kind: z.literal('media'), command: mediaCommandSchema }),
]);
/** @public */
export type BridgeSocketFrame = z.infer<typeof bridgeSocketFrameSchema>;

/**
 * What a window's code sees of its host, whatever carries it: the preload's
 * `window.switchboard` in Electron, a WebSocket client in the browser host.
 * @public
 */
export type SwitchboardBridge = {
  invoke<M extends BridgeMethod>(method: M, params: BridgeParams<M>): Promise<BridgeResponse<M>>;
  /** Receives every push from now on; returns the unsubscribe. */
  onPush(listener: (push: BridgePush) => void): () => void;
  /** Receives the media commands meant for this window (after `media.attach`); returns the unsubscribe. */
  onMedia(listener: (command: MediaCommand) => void): () => void;
};

/** A snapshot joined with the pushes that followed it. @public */
export type SnapshotWithSeq = { readonly seq: number; readonly state: DesktopState };

/** Validates a method's params; the error message names the field. */
export function parseBridgeParams<M extends BridgeMethod>(method: M, params: unknown): { ok: true; params: BridgeParsedParams<M> } | { ok: false; error: BridgeError } {
  const parsed = bridgeMethods[method].params.safeParse(params ?? {});
  if (parsed.success) {
    return { ok: true, params: parsed.data as BridgeParsedParams<M> };
  }
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return { ok: false, error: { code: 'bad-request', message: `${method}: ${where}${issue?.message ?? 'invalid parameters'}` } };
}

/** Whether `name` is a method of the contract. */
export function isBridgeMethod(name: string): name is BridgeMethod {
  return Object.hasOwn(bridgeMethods, name);
}
