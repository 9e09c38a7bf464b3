import { z } from 'zod';
import type { AgentEvent } from './agent-events';

/**
 * The chat of one conversation as the desktop shows it: the messages both ways with their
 * delivery state, who is typing, and what the agent has not read yet.
 */

const chatMessageSchema = z.strictObject({
  id: z.string(),
  from: z.string(),
  text: z.string(),
  at: z.number(),
  outgoing: z.boolean().optional(),
  /** Our messages: `sending` until the first delivery event. */
  state: z.enum(['sending', 'sent', 'delivered', 'failed']).optional(),
  /** Why a message of ours failed, or whom it did not reach. */
  problem: z.string().optional(),
  pager: z.boolean().optional(),
});
/** @public */
export type ChatMessage = z.infer<typeof chatMessageSchema>;

export const chatSchema = z.strictObject({
  messages: z.array(chatMessageSchema),
  /** The IM dialog: connecting, connected or ended (absent for pager-only conversations). */
  session: z.enum(['connecting', 'connected', 'ended']).optional(),
  typing: z.array(z.string()),
  unread: z.number().int(),
});
/** @public */
export type Chat = z.infer<typeof chatSchema>;

/** Messages kept per conversation in memory (older ones stay in the history file). */
export const CHAT_MESSAGES_KEPT = 200;

/** A chat with nothing in it yet. */
export function emptyChat(): Chat {
  return { messages: [], typing: [], unread: 0 };
}

type ImEvent = Extract<AgentEvent, { type: 'im' | 'im.state' | 'im.delivery' | 'im.typing' }>;

/** Whether an event belongs to the chat area. */
export function isChatEvent(event: { type: string }): event is ImEvent {
  return event.type === 'im' || event.type === 'im.state' || event.type === 'im.delivery' || event.type === 'im.typing';
}

/**
 * Applies one IM event to a conversation's chat (a pure function of the chat and the event).
 * @param at - when the host saw the event
 */
export function reduceChat(chat: Chat, event: ImEvent, at: number): Chat {
  switch (event.type) {
    case 'im': {
      const message: ChatMessage = {
        id: event.messageId,
        from: event.from,
        text: event.text,
        at,
        ...(event.outgoing === true && { outgoing: true, state: 'sending' as const }),
        ...(event.pager === true && { pager: true }),
      };
      const messages = [...chat.messages, message].slice(-CHAT_MESSAGES_KEPT);
      const typing = event.outgoing === true ? chat.typing : chat.typing.filter((t) => t !== event.from);
      return { ...chat, messages, typing, unread: event.outgoing === true ? chat.unread : chat.unread + 1 };
    }
    case 'im.delivery':
      return {
        ...chat,
        messages: chat.messages.map((m) => (m.outgoing === true && m.id === event.messageId ? deliveryOf(m, event) : m)),
      };
    case 'im.typing': {
      const others = chat.typing.filter((t) => t !== event.from);
      return { ...chat, typing: event.typing ? [...others, event.from].slice(-8) : others };
    }
    case 'im.state':
      return { ...chat, session: event.state, typing: event.state === 'ended' ? [] : chat.typing };
  }
}

function deliveryOf(message: ChatMessage, event: Extract<AgentEvent, { type: 'im.delivery' }>): ChatMessage {
  // A late "delivered" never hides a failure already shown.
  if (message.state === 'failed' && event.state !== 'failed') {
    return message;
  }
  const problem = event.failed !== undefined ? `not delivered to ${event.failed.map((f) => `${f.uri} (${f.status})`).join(', ')}` : event.reason;
  return { ...message, state: event.state, ...(event.state === 'failed' && problem !== undefined && { problem }) };
}
