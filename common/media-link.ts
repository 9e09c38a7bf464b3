import { z } from 'zod';

/**
 * The media link between the host and the window whose WebRTC stack carries conference and call
 * audio (and plays the ring, on the same speaker).
 *
 * @remarks
 * The agent engine negotiates the A/V MCU dialog and two-party calls in the host (one SDP
 * offer/answer per dialog, RFC 3264), but the microphone and speaker belong to a window:
 * `getUserMedia` and `HTMLMediaElement.setSinkId` exist only there. For a conference the host
 * asks a window for the offer and hands it the MCU's answer; for a call someone else placed it
 * hands the window the caller's offer and takes back its answer. The window reports its state
 * and RTP counters back. Commands go to one window only (not to every window like state
 * pushes); replies and reports are bridge methods. Offers and answers are complete (all
 * candidates, never trickled), as one INVITE / 200 OK exchange needs (JSEP, RFC 8829 §5.2 and
 * §5.3 with gathering awaited).
 */

/** Identifies one media session across the link; chosen by the host. */
const mediaId = z.string().regex(/^m[0-9]{1,12}$/, 'must be a media id such as m1');
/** A `MediaDeviceInfo.deviceId` (W3C Media Capture and Streams §9.2). */
const deviceId = z.string().max(512);
/** An SDP body (RFC 8866); 64 KiB is far above any audio offer. */
const sdp = z.string().min(1).max(64 * 1024);

/** Host → window: one step of one session, or new device choices for every session. @public */
export const mediaCommandSchema = z.discriminatedUnion('op', [
  /**
   * Capture audio (from `microphone` if it is plugged in) and reply with a complete offer.
   * `ahead`: the invitation still rings (issue 15), so the window must not prompt: it captures
   * at once only when microphone access is granted already, and otherwise waits for `accepted`
   * before it captures (and maybe prompts) and offers.
   */
  z.strictObject({
    op: z.literal('offer'),
    mediaId,
    focusUri: z.string().max(1024).optional(),
    microphone: deviceId.optional(),
    speaker: deviceId.optional(),
    ahead: z.boolean().optional(),
  }),
  /** The agent accepted the invitation an `ahead` offer was made for: the window may prompt now. */
  z.strictObject({ op: z.literal('accepted'), mediaId }),
  /**
   * Restart ICE on a negotiated session (RFC 8445 §9) and reply with the new complete offer, as
   * for `offer`: the agent reconnected, maybe on another network. The `answer` command follows.
   */
  z.strictObject({ op: z.literal('restart'), mediaId }),
  /** Apply the MCU's answer (to an offer or a restart offer) and start ICE; reply when applied. */
  z.strictObject({ op: z.literal('answer'), mediaId, sdp }),
  /**
   * Answering side (a call to the agent): take the caller's offer, capture audio (from
   * `microphone` if it is plugged in) and reply with a complete answer (RFC 3264 §6, JSEP
   * RFC 8829 §5.3). `callId` names the call the audio is for.
   */
  z.strictObject({
    op: z.literal('answer-offer'),
    mediaId,
    sdp,
    callId: z.string().max(64).optional(),
    microphone: deviceId.optional(),
    speaker: deviceId.optional(),
  }),
  /**
   * Answering side, once negotiated: the caller re-offered with new ICE credentials (an ICE
   * restart, RFC 8445 §9.2, after its network changed): reply with a new complete answer. The
   * track, mute state and DTLS carry on.
   */
  z.strictObject({ op: z.literal('reanswer'), mediaId, sdp }),
  /**
   * Send DTMF digits as RFC 4733 telephone-events through the session's `RTCDTMFSender`
   * (queued after any digits still playing). No reply: the host only asks when the window's
   * last report said it can (`dtmf`).
   */
  z.strictObject({ op: z.literal('dtmf'), mediaId, digits: z.string().regex(/^[0-9*#A-D]{1,32}$/, 'DTMF digits: 0-9, *, #, A-D') }),
  /** Stop (or resume) sending RTP altogether, as a muted Lync client does. */
  z.strictObject({ op: z.literal('mute'), mediaId, muted: z.boolean() }),
  /** The agent chose other devices in Settings: switch every live session now. */
  z.strictObject({ op: z.literal('devices'), microphone: deviceId.optional(), speaker: deviceId.optional() }),
  z.strictObject({ op: z.literal('close'), mediaId }),
  /** Ring (or stop ringing) on the chosen speaker: an invitation or channel request is waiting. */
  z.strictObject({ op: z.literal('ring'), ringing: z.boolean(), speaker: deviceId.optional() }),
]);
/** @public */
export type MediaCommand = z.infer<typeof mediaCommandSchema>;

/** Why a window could not do a step; the host maps it to the engine's negotiation errors. */
export const mediaFailureCodeSchema = z.enum(['malformed-sdp', 'unsupported-sdp', 'rejected', 'invalid-state', 'timeout']);

/** Window → host: the outcome of an `offer`, `restart`, `answer`, `answer-offer` or `reanswer` command. @public */
export const mediaReplySchema = z.strictObject({
  mediaId,
  op: z.enum(['offer', 'restart', 'answer', 'answer-offer', 'reanswer']),
  /** The offer (`offer`, `restart`) or the answer (`answer-offer`, `reanswer`) when it worked. */
  sdp: sdp.optional(),
  error: z.strictObject({ code: mediaFailureCodeSchema, message: z.string().max(1024) }).optional(),
});
/** @public */
export type MediaReply = z.infer<typeof mediaReplySchema>;

const counter = z.number().int().nonnegative();

/** Window → host: the session's state (W3C `RTCPeerConnectionState`), counters and devices. @public */
export const mediaReportSchema = z.strictObject({
  mediaId,
  state: z.enum(['new', 'connecting', 'connected', 'disconnected', 'failed', 'closed']),
  /** RTP counters from `getStats()` (`outbound-rtp` and `inbound-rtp`, W3C webrtc-stats §3). */
  stats: z.strictObject({
    packetsSent: counter,
    packetsReceived: counter,
    bytesSent: counter,
    bytesReceived: counter,
    /**
     * How loud the conference's audio played in the window was since the previous report, 0
     * (silence) to 1 (full scale): the RMS over that time from the `inbound-rtp` totals
     * `totalAudioEnergy` and `totalSamplesDuration`. Absent when nothing was played out, so the
     * level is unknown. Becomes `MediaStats.receivedLevel`.
     */
    receivedLevel: z.number().min(0).max(1).optional(),
  }),
  /** Label of the microphone actually captured, or absent when none could be. */
  microphone: z.string().max(256).optional(),
  /** Label of the output device playing the conference. */
  speaker: z.string().max(256).optional(),
  /** A device problem the agent should read (chosen device missing, access refused). */
  problem: z.string().max(512).optional(),
  /**
   * Whether the session can send RFC 4733 telephone-events now: `RTCDTMFSender.canInsertDTMF`
   * (both sides negotiated `telephone-event` and media flows, which Chromium says only once the
   * transport is up) with a microphone track feeding the encoder. Absent means no.
   */
  dtmf: z.boolean().optional(),
});
/** @public */
export type MediaReport = z.infer<typeof mediaReportSchema>;
