import { z } from 'zod';
import { availabilitySchema } from './availability';

const sipUri = z
  .string()
  .max(1024)
  .regex(/^sips?:[^\s]+$/i, 'must be a sip: or sips: URI');

/**
 * Commands the headless agent takes, one JSON object per line on stdin with `--json`.
 * @remarks Validated on receipt; a bad line is answered with an `error` event of code
 * `bad-command` and never stops the agent.
 * @public
 */
export const agentCommandSchema = z.discriminatedUnion('cmd', [
  z.object({ cmd: z.literal('quit') }).strict(),
  z
    .object({
      cmd: z.literal('message'),
      to: sipUri,
      body: z.string().max(64 * 1024),
      contentType: z.string().max(255).default('text/plain'),
    })
    .strict(),
  z.object({ cmd: z.literal('trace'), dialog: z.string().optional() }).strict(),
  z.object({ cmd: z.literal('accept'), id: z.string().min(1).max(64) }).strict(),
  z.object({ cmd: z.literal('decline'), id: z.string().min(1).max(64) }).strict(),
  z.object({ cmd: z.literal('leave'), focusUri: sipUri }).strict(),
  /** Mutes the agent in a conference (`focusUri`) or a two-party call (`id`). */
  z
    .object({ cmd: z.literal('mute'), focusUri: sipUri.optional(), id: z.string().min(1).max(64).optional(), muted: z.boolean() })
    .strict()
    .refine((c) => (c.focusUri === undefined) !== (c.id === undefined), 'name exactly one of focusUri or id'),
  /**
   * Dials the conference's A/V MCU: audio its invitation did not offer (`media` state `none`), or
   * audio again after it failed or the MCU hung up.
   */
  z.object({ cmd: z.literal('reconnect-audio'), focusUri: sipUri }).strict(),
  z
    .object({
      cmd: z.literal('send'),
      appId: z.string().min(1).max(64),
      contentType: z.string().min(1).max(255),
      body: z.string().max(64 * 1024),
      conversationId: z.string().max(256).optional(),
      channelId: z.string().max(256).optional(),
    })
    .strict(),
  /**
   * Sends an instant message: into a conference's IM MCU (by `focusUri` or `conversationId`),
   * into a two-party conversation (`conversationId`), or to a peer (`to`, opening a session or
   * falling back to pager mode). `id` names the message in its `im.delivery` events.
   */
  z
    .object({
      cmd: z.literal('im'),
      focusUri: sipUri.optional(),
      conversationId: z.string().min(1).max(256).optional(),
      to: sipUri.optional(),
      text: z.string().min(1).max(16_384),
      contentType: z.enum(['text/plain', 'text/html']).optional(),
      id: z.string().min(1).max(64).optional(),
    })
    .strict()
    .refine((c) => [c.focusUri, c.conversationId, c.to].filter((v) => v !== undefined).length === 1, 'name exactly one of focusUri, conversationId or to'),
  /** The agent is typing in a two-party conversation (or stopped). */
  z.object({ cmd: z.literal('typing'), conversationId: z.string().min(1).max(256), typing: z.boolean() }).strict(),
  /** Chooses the agent's availability (published at once, and kept across reconnections). */
  z.object({ cmd: z.literal('presence'), availability: availabilitySchema, note: z.string().max(256).optional() }).strict(),
  /** Starts or stops watching a contact's presence (`presence` events follow). */
  z.object({ cmd: z.literal('watch'), aor: sipUri }).strict(),
  z.object({ cmd: z.literal('unwatch'), aor: sipUri }).strict(),
  /** Answers a ringing two-party call (`decline` refuses it with 603). */
  z.object({ cmd: z.literal('answer'), id: z.string().min(1).max(64) }).strict(),
  /** Ends a call: BYE when connected, CANCEL while ours rings, 603 while theirs rings. */
  z.object({ cmd: z.literal('hangup'), id: z.string().min(1).max(64) }).strict(),
  /** Holds (re-INVITE `sendonly`) or resumes (`sendrecv`) a connected call. */
  z.object({ cmd: z.literal('hold'), id: z.string().min(1).max(64), held: z.boolean() }).strict(),
  /** Transfers a call: blind to a SIP URI, or consultative to another call of the agent's (its id). */
  z.object({ cmd: z.literal('transfer'), id: z.string().min(1).max(64), to: z.string().min(1).max(1024) }).strict(),
  /** Sends DTMF digits in a call (RFC 4733 events, else SIP INFO dtmf-relay). */
  z.object({ cmd: z.literal('dtmf'), id: z.string().min(1).max(64), digits: z.string().regex(/^[0-9*#A-Da-d]{1,32}$/, 'DTMF digits: 0-9, *, #, A-D, at most 32') }).strict(),
  /** Calls a SIP URI; `conversationId` puts the call in an existing conversation. */
  z.object({ cmd: z.literal('call'), to: sipUri, conversationId: z.string().min(1).max(256).optional() }).strict(),
  z.object({ cmd: z.literal('close'), appId: z.string().min(1).max(64), conversationId: z.string().max(256).optional() }).strict(),
]);
/** @public */
export type AgentCommand = z.infer<typeof agentCommandSchema>;
