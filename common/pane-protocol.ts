// zod/mini: the same checks with a tree-shakable API, so a pane's bundle carries only the
// validators it uses (the full zod namespace made every pane ~460 KB; issue 15, screen pop).
import * as z from 'zod/mini';

/**
 * The messages between an extension pane and its host, over `postMessage` (a sandboxed iframe
 * in the browser host, the pane preload in Electron). Both sides validate what they receive
 * with these schemas; anything else is dropped.
 * @public
 */
export const PANE_PROTOCOL = 'switchboard-pane/1';

/** Electron IPC channel of pane → host messages (pane preload → main). */
export const PANE_TO_HOST_CHANNEL = 'pane:to-host';
/** Electron IPC channel of host → pane messages (main → pane preload). */
export const PANE_TO_PANE_CHANNEL = 'pane:to-pane';

const participant = z.strictObject({ uri: z.string(), displayName: z.optional(z.string()), self: z.boolean() });
const conversation = z.strictObject({ id: z.string(), subject: z.optional(z.string()), participants: z.array(participant) });

/** Host → pane. */
export const hostToPaneSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    protocol: z.literal(PANE_PROTOCOL),
    kind: z.literal('init'),
    appId: z.string(),
    size: z.enum(['small', 'medium', 'large']),
    permissions: z.array(z.enum(['clipboard-write', 'notifications', 'open-external'])),
    initialContext: z.strictObject({ channelId: z.string(), data: z.optional(z.string()), simpleLink: z.optional(z.string()) }),
    conversation,
    state: z.enum(['open', 'interrupted', 'closed']),
  }),
  z.strictObject({ protocol: z.literal(PANE_PROTOCOL), kind: z.literal('data'), channelId: z.string(), contentType: z.string(), body: z.string() }),
  z.strictObject({ protocol: z.literal(PANE_PROTOCOL), kind: z.literal('state'), state: z.enum(['open', 'interrupted', 'closed']), reason: z.optional(z.string()) }),
  z.strictObject({ protocol: z.literal(PANE_PROTOCOL), kind: z.literal('channels'), channelIds: z.array(z.string()) }),
  z.strictObject({ protocol: z.literal(PANE_PROTOCOL), kind: z.literal('conversation'), conversation }),
  // A page loaded ahead of its channel (a spare, see renderer/src/panes/pane-pool.ts): its `init`
  // comes when a channel opens, however long that takes. An SDK that knows this answers with its
  // own `standby`; older ones drop it, and the host then stops loading that pane ahead.
  z.strictObject({ protocol: z.literal(PANE_PROTOCOL), kind: z.literal('standby') }),
  z.strictObject({
    protocol: z.literal(PANE_PROTOCOL),
    kind: z.literal('sent'),
    requestId: z.int(),
    ok: z.boolean(),
    reason: z.optional(z.string()),
    status: z.optional(z.int()),
    message: z.optional(z.string()),
  }),
]);
/** @public */
export type HostToPane = z.infer<typeof hostToPaneSchema>;

/** Pane → host. */
export const paneToHostSchema = z.discriminatedUnion('kind', [
  z.strictObject({ protocol: z.literal(PANE_PROTOCOL), kind: z.literal('hello') }),
  z.strictObject({
    protocol: z.literal(PANE_PROTOCOL),
    kind: z.literal('send'),
    requestId: z.int().check(z.nonnegative()),
    contentType: z.string().check(z.minLength(1), z.maxLength(255)),
    body: z.string().check(z.maxLength(64 * 1024)),
    channelId: z.optional(z.string()),
  }),
  z.strictObject({ protocol: z.literal(PANE_PROTOCOL), kind: z.literal('close') }),
  // The answer to the host's `standby`: this pane waits for its `init` without a timeout.
  z.strictObject({ protocol: z.literal(PANE_PROTOCOL), kind: z.literal('standby') }),
]);
/** @public */
export type PaneToHost = z.infer<typeof paneToHostSchema>;
