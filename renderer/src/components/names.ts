import type { Conversation } from '../../../common/desktop-state';

/** A SIP address as people read it: without its `sip:` scheme. */
export const addressText = (uri: string): string => uri.replace(/^sips?:/i, '');

/** What a conversation is listed and titled as: a chat by its peer, the others by their subject. */
export function conversationName(conversation: Conversation): string {
  return conversation.kind === 'im' ? addressText(conversation.from || conversation.subject) : conversation.subject;
}

/** What kind of conversation it is, in the agent's words. */
export function conversationKindText(conversation: Conversation): string {
  return conversation.kind === 'conference' ? 'Conference' : conversation.kind === 'im' ? 'Chat' : 'Application';
}

/**
 * A SIP address from what the agent typed: `sip:` is added to a bare `user@host`; undefined
 * when it is not an address with a user (the host would refuse it).
 */
export function sipAddressFrom(typed: string): string | undefined {
  const text = typed.trim();
  const uri = /^sips?:/i.test(text) ? text : `sip:${text}`;
  return /^sips?:[^@\s]+@[^\s@]+$/i.test(uri) && uri.length <= 1024 ? uri : undefined;
}
