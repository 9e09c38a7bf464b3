import type { UserAgent } from 'sip.js';
import type { Body, OutgoingRequestMessage, URI } from 'sip.js/lib/core/index.js';

/**
 * Builds an initial INVITE (RFC 3261 §8.1.1) from this user agent to `target`, with our
 * Contact, for sending through sip.js's core layer (`userAgentCore.invite`), which unlike the
 * `Inviter` API adds no Contact and negotiates no SDP of its own.
 * @param optionTags - option tags for `Supported`, e.g. `timer` (RFC 4028).
 * @param fromDisplayName - the caller's name in `From` (RFC 3261 §20.20)
 */
export function makeInitialInvite(
  ua: UserAgent,
  target: URI,
  optionTags: readonly string[],
  extraHeaders: readonly string[],
  body: Body,
  fromDisplayName?: string,
): OutgoingRequestMessage {
  const core = ua.userAgentCore;
  return core.makeOutgoingRequestMessage(
    'INVITE',
    target,
    core.configuration.aor,
    target,
    { optionTags: [...optionTags], ...(fromDisplayName !== undefined && { fromDisplayName }) },
    [`Contact: ${core.configuration.contact.toString()}`, ...extraHeaders],
    body,
  );
}
