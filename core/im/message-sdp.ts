/**
 * The SDP of an IM session: one `m=message` line, no media (im-presence §1.2).
 * @packageDocumentation
 */
import { IM_ACCEPT_TYPES } from './im-content';

/**
 * An offer (`null` as the format) or an answer (our SIP URI there).
 * @remarks im-presence §1.2: `m=message <port> sip null` in the offer, the answerer's URI in the
 * answer; `c=IN IP4 0.0.0.0` and port 5060, which carry no meaning over WebSocket (open
 * question 19, decided as recommended); `a=accept-types` as {@link IM_ACCEPT_TYPES}. Never the
 * legacy `x-ms-message`, and not MSRP.
 * @public
 */
export function buildMessageSdp(answerUri?: string): string {
  return [
    'v=0',
    'o=- 0 0 IN IP4 0.0.0.0',
    's=session',
    'c=IN IP4 0.0.0.0',
    't=0 0',
    `m=message 5060 sip ${answerUri ?? 'null'}`,
    `a=accept-types:${IM_ACCEPT_TYPES.join(' ')}`,
    '',
  ].join('\r\n');
}

/** What a peer's IM SDP says. @public */
export type MessageSdp = { readonly acceptTypes: readonly string[] };

/**
 * Reads an SDP as an IM session description: it must have an `m=message … sip …` line (not
 * MSRP's `TCP/MSRP`, not `x-ms-message`); `a=accept-types` is read when present.
 * @returns undefined when the SDP offers no SIP-signalled message session
 * @public
 */
export function parseMessageSdp(sdp: string): MessageSdp | undefined {
  const lines = sdp.split(/\r?\n/).map((l) => l.trim());
  const media = lines.filter((l) => l.startsWith('m='));
  const message = media.find((l) => /^m=message\s+\d+\s+sip\s+\S+/i.test(l));
  if (message === undefined) {
    return undefined;
  }
  const accept = lines.find((l) => l.toLowerCase().startsWith('a=accept-types:'));
  const acceptTypes = accept === undefined ? ['text/plain'] : accept.slice('a=accept-types:'.length).trim().split(/\s+/).slice(0, 32);
  return { acceptTypes };
}
