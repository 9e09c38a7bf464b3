/**
 * Conversation context channels: the `ms-session-invite+xml` body, the decision on a channel
 * INVITE, the channel state machine, and the platform-free codecs they need. Pure code, no I/O.
 * @packageDocumentation
 */
export type { Base64Failure, Base64Result } from './base64';
export { decodeBase64, decodeBase64Utf8, encodeBase64, encodeBase64Utf8 } from './base64';
export type { ChannelDecision, ChannelInstallNotice, ChannelInviteFacts, ChannelRegistration } from './channel-decision';
export { INVITE_ACCEPT, UNTRUSTED_SENDER_REASON, decideChannelInvite } from './channel-decision';
export type { ChannelTransition } from './channel-state';
export { CHANNEL_TRANSITIONS, ChannelState, IllegalChannelTransitionError, channelCarriesInfo, transitionChannel } from './channel-state';
export { LINK_SCHEMES, checkLink } from './link';
export type {
  BuildSessionInviteResult,
  SessionDataResult,
  SessionInvite,
  SessionInviteData,
  SessionInviteInput,
  SessionInviteResult,
  SessionInviteRule,
} from './session-invite';
export { MIME_SESSION_INVITE, SESSION_INVITE_LIMITS, buildSessionInvite, parseSessionData, parseSessionInvite } from './session-invite';
export { isListedSipAor, normalizeSipAor } from './sip-identity';
export { decodeUtf8, encodeUtf8 } from './utf8';
export { MAX_WARNING_TEXT, toWarningText } from './warning-text';
