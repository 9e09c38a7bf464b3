/** The SIP `Content-Type` of every SDP body a {@link MediaSession} produces or accepts (RFC 3264). */
export const SDP_CONTENT_TYPE = 'application/sdp';

/**
 * Lifecycle of a {@link MediaSession}, after the W3C `RTCPeerConnectionState` that JSEP
 * (RFC 8829) implementations report:
 * `connecting` while ICE checks and the DTLS handshake run, `connected` once SRTP keys exist,
 * `disconnected` when consent checks (RFC 7675) go unanswered for a while (it may recover),
 * `failed` when they never will, `closed` after {@link MediaSession.close}. A session never
 * leaves `closed`.
 */
export type MediaState = 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';

/**
 * RTP counters of one session since it was created.
 * @remarks Byte counts are RTP payload octets, as in the sender octet count of an RTCP SR
 * (RFC 3550 §6.4.1): no RTP header, padding or SRTP tag. Received packets are every
 * authenticated RTP packet of the session, whatever SSRC the peer uses.
 */
export type MediaStats = {
  readonly packetsSent: number;
  readonly packetsReceived: number;
  readonly bytesSent: number;
  readonly bytesReceived: number;
  /** Monotonic milliseconds (the engine's clock) when the first RTP packet arrived. */
  readonly firstPacketReceivedAt?: number;
  /** Monotonic milliseconds when the first RTP packet left. */
  readonly firstPacketSentAt?: number;
  /**
   * How loud what arrives is, from 0 (silence) to 1 (full scale): the highest RMS of the packets
   * of the last 200 ms; 0 when nothing arrived in that time. Engines that cannot decode omit it.
   */
  readonly receivedLevel?: number;
};

/**
 * A mixer a session hands its audio to, instead of playing a tone or echoing (the lab's A/V MCU
 * on Janus AudioBridge): what the peer sends goes to `send`, what the mixer delivers is sent to
 * the peer. Payloads are PCMU frames of one packet interval.
 */
export type MediaRelay = {
  readonly send: (payload: Uint8Array) => void;
  /** Registers the receiver of the mixer's frames; returns the unregistration. */
  readonly subscribe: (deliver: (payload: Uint8Array) => void) => () => void;
};

/** Options of {@link MediaEngine.createSession}. */
export type MediaSessionOptions = {
  /**
   * Send every received audio payload straight back, as the lab's stand-in for an A/V MCU.
   * While the peer sends nothing (it is muted, say) the session sends its own tone instead,
   * so the peer always has something to count, as it would from a real conference mix.
   */
  readonly echo?: boolean;
  /** Relay the audio through a mixer (see {@link MediaRelay}); takes precedence over `echo`. */
  readonly relay?: MediaRelay;
  /**
   * The conference this session carries audio for. Engines ignore it; a host that runs media
   * elsewhere (in a window's WebRTC stack) uses it to show which conversation a device serves.
   */
  readonly focusUri?: string;
  /**
   * The two-party call (its id in `call` events) this session carries audio for. Engines ignore
   * it; the desktop's window media uses it to tell the call's conversation where its audio runs.
   */
  readonly callId?: string;
  /**
   * Made ahead of the agent's decision, while an invitation rings (issue 15): until
   * {@link MediaSession.accepted} the session must not ask for anything that needs consent (a
   * microphone prompt) and sends no media (it has no answer yet, so it could not anyway).
   * Engines without consent to ask for ignore it.
   */
  readonly ahead?: boolean;
};

/**
 * Class of a negotiation failure. SIP answers most with 488 Not Acceptable Here (RFC 3261
 * §21.4.26), `invalid-state` and `timeout` with 500.
 */
export type MediaErrorCode =
  /** Not an SDP body, or one that breaks RFC 8866 syntax (a multipart body, say). */
  | 'malformed-sdp'
  /** Well-formed, but asks for something the engine cannot do (no audio, no DTLS-SRTP, no ICE). */
  | 'unsupported-sdp'
  /** The peer rejected the audio stream (port 0) or shares no codec with us (RFC 3264 §6). */
  | 'rejected'
  /** A call made in the wrong order, such as an answer before an offer or after close. */
  | 'invalid-state'
  /** Candidate gathering did not finish in time. */
  | 'timeout';

/** Rejection of a {@link MediaSession} negotiation step; `code` tells the SIP layer how to answer. */
export class MediaNegotiationError extends Error {
  override readonly name = 'MediaNegotiationError';
  constructor(
    readonly code: MediaErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One audio stream with one peer, negotiated by an offer/answer exchange (RFC 3264): either
 * {@link MediaSession.createOffer} then {@link MediaSession.acceptAnswer} (the agent, whose INVITE
 * carries the offer), or {@link MediaSession.answer} (the lab MCU, whose 200 OK carries the
 * answer). The only renegotiation is an ICE restart (RFC 8445 §9), for a peer whose addresses
 * changed: {@link MediaSession.restartIce} then {@link MediaSession.acceptAnswer} on the offering
 * side, {@link MediaSession.reanswer} on the answering side; one exchange at a time.
 *
 * @remarks
 * Every SDP is complete, never trickled: it carries all ICE candidates and
 * `a=end-of-candidates`, so a single INVITE / 200 OK exchange sets up media (JSEP, RFC 8829,
 * with gathering awaited before the description is returned). Bodies are plain
 * {@link SDP_CONTENT_TYPE} text; a Lync `multipart/alternative` body must be unpacked first.
 *
 * Once connected the session sends one RTP packet per packet interval (RFC 3550 §5.1: sequence
 * numbers step by one per packet, timestamps by the samples each packet carries).
 * @public
 */
export interface MediaSession {
  /** Current state; see {@link MediaState}. */
  readonly state: MediaState;
  /** Whether {@link MediaSession.setMuted} has stopped sending. */
  readonly muted: boolean;
  /** Creates the SDP offer (RFC 3264 §5) with one `m=audio` line. */
  createOffer(): Promise<string>;
  /**
   * Applies the peer's answer to our offer (RFC 3264 §6) and starts ICE; media flows once the
   * state reaches `connected`. Rejects with a {@link MediaNegotiationError} on an unusable answer.
   */
  acceptAnswer(sdp: string): Promise<void>;
  /** Answering side: takes the peer's offer and returns our answer (RFC 3264 §6). */
  answer(offerSdp: string): Promise<string>;
  /**
   * Offering side, once negotiated: a new complete offer with fresh `ice-ufrag`/`ice-pwd`
   * (an ICE restart, RFC 8445 §9.1; JSEP `iceRestart`, RFC 8829 §5.2.1), candidates gathered
   * anew for the addresses we have now; then {@link MediaSession.acceptAnswer} takes the answer.
   * The DTLS association and the RTP stream (and the mute state) carry on. Absent when the
   * engine cannot restart ICE: a new session is then the only way.
   */
  restartIce?(): Promise<string>;
  /**
   * Answering side, once negotiated: answers the peer's re-offer (RFC 3264 §8). When its ICE
   * credentials changed, ICE restarts here too and the answer has new ones (RFC 8445 §9.2).
   */
  reanswer?(offerSdp: string): Promise<string>;
  /**
   * Muting stops sending RTP packets altogether (no silence frames), as a muted Lync client
   * does; RTCP and reception go on. Unmuting resumes the same stream: the next packet has the
   * marker bit set and a timestamp advanced by the time spent muted (RFC 3551 §4.1).
   */
  setMuted(muted: boolean): void;
  /**
   * Sends DTMF digits (0–9, *, #, A–D) as RFC 4733 telephone-events in the audio stream.
   * @returns false when the peer did not negotiate telephone-events (the caller may fall back to
   * SIP INFO) or a digit is not DTMF. Absent when the engine cannot send events.
   */
  sendDtmf?(digits: string): boolean;
  /** Calls `listener` with each digit the peer sends as an RFC 4733 event; returns the unsubscribe. */
  onDtmf?(listener: (digit: string) => void): () => void;
  stats(): MediaStats;
  /** Calls `listener` on every state change; returns the unsubscribe function. */
  onStateChange(listener: (state: MediaState) => void): () => void;
  /** Stops sending, releases sockets and timers. Idempotent. */
  close(): Promise<void>;
  /**
   * The agent accepted the conversation a session made {@link MediaSessionOptions.ahead} is for:
   * from now on it may ask for consent (the window prompts for the microphone if it has to).
   * Absent when the engine has nothing to wait for.
   */
  accepted?(): void;
}

/**
 * Creates {@link MediaSession}s. Hosts implement it (werift in Node); the engine only holds the port.
 * @public
 */
export interface MediaEngine {
  createSession(options?: MediaSessionOptions): MediaSession;
}
