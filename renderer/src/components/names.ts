import type { Conversation } from '../../../common/desktop-state';

/** A SIP address as people read it: without its `sip:` scheme. */
export const addressText = (uri: string): string => uri.replace(/^sips?:/i, '');

/** What a conversation is listed and titled as: a chat by its peer, the others by their subject. */
export function conversationName(conversation: Conversation): string {
  return conversation.kind === 'im' ? addressText(conversation.from || conversation.subject) : conversation.subject;
}

/** What kind of conversation it is, in the agent's words. */
export function conversationKindText(conversation: Conversation): string {
  switch (conversation.kind) {
    case 'conference':
      return 'Conference';
    case 'im':
      return 'Chat';
    case 'call':
      return 'Call';
    case 'channel':
      return 'Application';
  }
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

/** Separators people type inside phone numbers: spaces, dots, dashes, brackets. */
const NUMBER_SEPARATORS = /[\s().-]/g;

/**
 * Whom to call, from what the agent typed in the Call box: a SIP address as typed (`sip:` added
 * to a bare `user@host`), or a bare number or user name at the agent's own domain
 * (`+1 (555) 123-4567` → `sip:+15551234567@<domain>`), as a desk phone dials an extension.
 * @param ownAor - the agent's address of record, whose host part is the domain
 * @returns undefined when nothing callable was typed
 */
export function callTargetFrom(typed: string, ownAor: string | undefined): string | undefined {
  const text = typed.trim();
  if (/^sips?:/i.test(text) || text.includes('@')) {
    return sipAddressFrom(text);
  }
  const domain = ownAor === undefined ? undefined : /^sips?:[^@\s]+@([^\s;?>]+)/i.exec(ownAor)?.[1];
  const user = /^\+?[\d\s().-]+$/.test(text) ? text.replace(NUMBER_SEPARATORS, '') : text;
  if (domain === undefined || !/^\+?[\w.*#!~-]+$/.test(user) || user.length > 64) {
    return undefined;
  }
  return `sip:${user}@${domain}`;
}

/**
 * Why a conference ended, in the agent's words, from the engine's reason (`conference.left`):
 * the focus's BYE (removed, e.g. by the contact center's `deleteUser`), the conference's end,
 * or the agent's own Leave. Anything else is shown as the engine said it.
 */
export function conferenceEndText(reason: string | undefined): string | undefined {
  if (reason === undefined || reason === '') {
    return undefined;
  }
  if (/^removed by the focus/i.test(reason)) {
    return 'You were removed from the conference';
  }
  if (/^the conference (ended|session ended)/i.test(reason)) {
    return 'The conference ended';
  }
  if (/^left by the agent/i.test(reason)) {
    return 'You left';
  }
  return `Ended: ${reason}`;
}
