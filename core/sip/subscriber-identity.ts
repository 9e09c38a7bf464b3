import type { Subscriber } from 'sip.js';

/**
 * The Call-ID and our tag of a `Subscriber`'s SUBSCRIBE, for the SIP trace and for matching
 * requests to the subscription's dialog (RFC 6665 §4.1.3). sip.js 0.21 builds the request in
 * the constructor but keeps it private, so the fields are read structurally; empty when absent.
 * @public
 */
export function subscriberIdentity(subscriber: Subscriber): { callId: string; localTag: string } {
  const message = (subscriber as unknown as { outgoingRequestMessage?: { callId?: unknown; fromTag?: unknown } }).outgoingRequestMessage;
  return {
    callId: typeof message?.callId === 'string' ? message.callId : '',
    localTag: typeof message?.fromTag === 'string' ? message.fromTag : '',
  };
}
