/**
 * The first look at a call's SDP offer, before the agent is asked: refusals the agent could
 * not change by answering.
 * @packageDocumentation
 */

/** Largest offer looked at, first or re-offer (a WebRTC offer with a few candidates is 1–3 KB). @public */
export const MAX_OFFER_BYTES = 16 * 1024;

/** Outcome of {@link checkCallOffer}. @public */
export type CallOfferCheck = { readonly ok: true } | { readonly ok: false; readonly warning: string };

/**
 * Whether an offer can become a call here: one audio stream that is not refused (port 0,
 * RFC 3264 §6), secured and connected the WebRTC way, i.e. DTLS-SRTP (`UDP/TLS/RTP/SAVP[F]` with
 * `a=fingerprint`, RFC 8842 §5) and ICE (`a=ice-ufrag`, RFC 8839 §5.4).
 * @remarks The agent's media engines are WebRTC stacks (the window's, werift headless): plain
 * RTP/AVP cannot reach them. Deployments put a media relay (rtpengine, as the lab does for
 * softphones) between plain-RTP peers and agents; an offer that did not go through one is
 * refused here with 488 and a Warning saying so, instead of ringing a call that cannot connect.
 * @public
 */
export function checkCallOffer(sdp: string): CallOfferCheck {
  if (sdp.length > MAX_OFFER_BYTES) {
    return { ok: false, warning: `SDP offer larger than ${MAX_OFFER_BYTES} bytes` };
  }
  const audio = /^m=audio[ \t]+(\d+)(?:\/\d+)?[ \t]+(\S+)/m.exec(sdp);
  if (!audio) {
    return { ok: false, warning: 'the offer has no audio stream' };
  }
  if (audio[1] === '0') {
    return { ok: false, warning: 'the offer refuses its own audio stream (port 0)' };
  }
  const profile = (audio[2] ?? '').toUpperCase();
  if (!/^UDP\/TLS\/RTP\/SAVPF?$/.test(profile) || !/^a=fingerprint:/im.test(sdp)) {
    // The profile is the peer's text: only its token characters go into our Warning.
    const shown = profile.replace(/[^A-Z0-9/._+-]/g, '?').slice(0, 32);
    return { ok: false, warning: `audio must be DTLS-SRTP (UDP/TLS/RTP/SAVPF), not ${shown}: route plain RTP through a media relay` };
  }
  if (!/^a=ice-ufrag:/im.test(sdp)) {
    return { ok: false, warning: 'the offer has no ICE credentials (a=ice-ufrag)' };
  }
  return { ok: true };
}
