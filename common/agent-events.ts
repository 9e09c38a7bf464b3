import { z } from 'zod';

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
]);
/** @public */
export type AgentEvent = z.infer<typeof agentEventSchema>;
/** The event of one `type`. */
export type AgentEventOf<T extends AgentEvent['type']> = Extract<AgentEvent, { type: T }>;
