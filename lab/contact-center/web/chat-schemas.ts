/**
 * What the customer page sends the web gateway, and what it receives: validated on the way in
 * with zod, typed on the way out.
 * @packageDocumentation
 */
import { z } from 'zod';

/** Text a person typed: no control characters but line breaks and tabs. */
const typed = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, 'control characters are not allowed');

/** POST /api/chats: the chat form. @public */
export const chatRequestSchema = z.strictObject({
  name: typed(100).regex(/^[^\n\r\t]*$/, 'a name is one line'),
  email: z.string().trim().max(254).pipe(z.email('an email address like ada@example.org')),
  question: typed(2000),
  /** "Call me": the agent's invitation carries audio too. */
  call: z.boolean().default(false),
});
/** @public */
export type ChatRequest = z.infer<typeof chatRequestSchema>;

/** POST /api/chats/:id/messages. @public */
export const chatMessageSchema = z.strictObject({ text: typed(2000) });

/** Why a chat ended, as the page says it. @public */
export type ChatEndReason = 'customer' | 'agent' | 'closed';

/** One event of a chat, pushed to the page over server-sent events. @public */
export type ChatEvent =
  /** Still waiting; `position` among the customers waiting for the same skill (1: next). */
  | { readonly type: 'waiting'; readonly position: number }
  /** An agent took the chat. */
  | { readonly type: 'connected'; readonly agent: string }
  | { readonly type: 'message'; readonly from: 'customer' | 'agent'; readonly name: string; readonly text: string; readonly at: number }
  /** Someone else came into the conversation (a supervisor, another agent). */
  | { readonly type: 'joined'; readonly name: string; readonly role: 'agent' | 'supervisor' }
  | { readonly type: 'left'; readonly name: string }
  | { readonly type: 'ended'; readonly reason: ChatEndReason };
