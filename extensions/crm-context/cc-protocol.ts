// zod/mini: the same checks with a tree-shakable API, so the pane bundles only what it uses.
import * as z from 'zod/mini';

/**
 * The messages between a contact center and the `crm-context` pane, over a context channel:
 * the initial context (base64 in the channel INVITE, at most 4 KB: docs/protocol/4-limits.md)
 * and JSON bodies of INFO both ways. Both sides validate what they receive with these schemas;
 * anything else is dropped (or answered with an `error`).
 *
 * The application owns this protocol, as a CRM vendor would publish theirs: the lab's contact
 * center (lab/contact-center/) imports it, and the pane bundles it.
 * @packageDocumentation
 */

/** `kind` of an initial context written by a contact center (a plain customer card has none). @public */
export const CC_CONTEXT_KIND = 'switchboard.contact-center/1';
/** Content type of every INFO body of this protocol. @public */
export const CC_CONTENT_TYPE = 'application/json';
/** Longest note the pane sends. @public */
export const MAX_NOTE_CHARS = 2000;

/** A string of `min` to `max` characters. */
const text = (min: number, max: number): z.ZodMiniString<string> => z.string().check(z.minLength(min), z.maxLength(max));
/** A non-negative integer (a count, or epoch milliseconds). */
const count = (): z.ZodMiniNumberFormat => z.int().check(z.nonnegative());

const requestId = z.string().check(z.regex(/^[A-Za-z0-9-]{1,64}$/));
const sipUri = z.string().check(z.regex(/^sips?:[^\s<>"]{1,300}$/));
const skill = z.string().check(z.regex(/^[a-z][a-z0-9-]{0,31}$/));

/** A wrap-up code the agent may pick. @public */
export const wrapUpCodeSchema = z.strictObject({ code: text(1, 40), label: text(1, 60) });

/** A page the visitor looked at, as the full context lists it. @public */
export const pageVisitSchema = z.strictObject({ url: text(0, 512), title: text(0, 200), at: count() });

/**
 * The initial context: a summary that fits the channel INVITE, with the request id the pane
 * fetches the rest by when `complete` is false.
 * @public
 */
export const contextSummarySchema = z.strictObject({
  kind: z.literal(CC_CONTEXT_KIND),
  id: requestId,
  /** `agent`: serves the customer and picks a wrap-up code (routed, or escalated to by skill); `supervisor`: called in to help. */
  role: z.enum(['agent', 'supervisor']),
  name: text(0, 400),
  email: text(0, 254),
  question: text(0, 4000),
  /** Paths of the pages visited, oldest first (maybe only the latest when `complete` is false). */
  pages: z.array(text(0, 512)).check(z.maxLength(50)),
  pageCount: count(),
  skill,
  call: z.boolean(),
  /** The customer in the conference's roster (a chat-only guest): not someone to remove. */
  customer: sipUri,
  /** False when something was shortened or left out: the pane asks for the full context. */
  complete: z.boolean(),
  wrapUpCodes: z.array(wrapUpCodeSchema).check(z.maxLength(20)),
  skills: z.array(skill).check(z.maxLength(32)),
});
/** @public */
export type ContextSummary = z.infer<typeof contextSummarySchema>;

/** The full captured context, sent over the channel when the pane asks for it. @public */
export const fullContextSchema = z.strictObject({
  type: z.literal('context'),
  id: requestId,
  name: text(0, 400),
  email: text(0, 254),
  question: text(0, 4000),
  pages: z.array(pageVisitSchema).check(z.maxLength(100)),
  visitorId: text(0, 64),
  call: z.boolean(),
  skill,
  requestedAt: count(),
});
/** @public */
export type FullContext = z.infer<typeof fullContextSchema>;

const escalate = z
  .strictObject({ type: z.literal('escalate'), supervisor: z.optional(z.literal(true)), skill: z.optional(skill) })
  .check(z.refine((m) => (m.supervisor === true) !== (m.skill !== undefined), 'escalate names either "supervisor": true or a "skill"'));

/** Pane → contact center. @public */
export const paneToCenterSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('context.request'), id: requestId }),
  z.strictObject({ type: z.literal('note'), text: z.string().check(z.trim(), z.minLength(1), z.maxLength(MAX_NOTE_CHARS)) }),
  z.strictObject({ type: z.literal('wrapup'), code: text(1, 40) }),
  escalate,
  z.strictObject({ type: z.literal('remove'), agent: sipUri }),
]);
/** @public */
export type PaneToCenter = z.infer<typeof paneToCenterSchema>;

/** Contact center → pane. @public */
export const centerToPaneSchema = z.discriminatedUnion('type', [
  fullContextSchema,
  /** What became of an escalation the pane asked for. */
  z.strictObject({
    type: z.literal('escalation'),
    state: z.enum(['offered', 'joined', 'declined', 'unavailable']),
    agent: z.optional(sipUri),
    name: z.optional(text(0, 64)),
  }),
  /** A note, wrap-up or removal was taken. */
  z.strictObject({ type: z.literal('ack'), ref: z.enum(['note', 'wrapup', 'remove']) }),
  /** A message the contact center refused, and why. */
  z.strictObject({ type: z.literal('error'), ref: text(0, 40), message: text(0, 300) }),
  /** The customer ended the chat: time to pick a wrap-up code. */
  z.strictObject({ type: z.literal('customer.left') }),
]);
/** @public */
export type CenterToPane = z.infer<typeof centerToPaneSchema>;

/**
 * Reads a JSON body against a schema; undefined when it is not JSON or not that shape.
 * @public
 */
export function readJson<T>(schema: z.ZodMiniType<T>, text: string | undefined): T | undefined {
  if (text === undefined) {
    return undefined;
  }
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
