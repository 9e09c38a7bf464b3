import { randomInt } from 'node:crypto';
import { DtlsClient, RTCPeerConnection, RtpHeader, RtpPacket, usePCMU } from 'werift';
import { pcmuLevel } from '../../core/codecs/pcmu';
import { telephoneEventCodec, WeriftDtmf } from './werift-dtmf';
import { startDtlsPromptly } from './werift-media-dtls';
import type { DtlsSocket, RTCPeerConnectionConfig, RTCRtpTransceiver, RTCSessionDescription } from 'werift';
import { MediaNegotiationError } from '../../core/ports/media';
import type {
  MediaEngine,
  MediaRelay,
  MediaSession,
  MediaSessionOptions,
  MediaState,
  MediaStats,
} from '../../core/ports/media';

/** Options of {@link createWeriftMediaEngine}. */
export type WeriftMediaEngineOptions = {
  /** Monotonic milliseconds; stamps {@link MediaStats} and paces RTP timestamps. */
  readonly clock?: () => number;
  /** Audio per RTP packet, in ms (the SDP `a=ptime`, RFC 8866 §6.4); 20 unless told. */
  readonly packetIntervalMs?: number;
  /** How long to wait for ICE candidate gathering before giving up; 5000 unless told. */
  readonly gatheringTimeoutMs?: number;
};

/** Every socket binds here and only candidates for it are advertised or accepted. */
const LOOPBACK = '127.0.0.1';
/** PCMU (G.711 µ-law) is static payload type 0 at 8 kHz (RFC 3551 §6). */
const PCMU_PAYLOAD_TYPE = 0;
/** The received level is the loudest packet of this long (10 packets of 20 ms). */
const LEVEL_WINDOW_MS = 200;
const LEVEL_WINDOW_PACKETS = 16;
const PCMU_CLOCK_RATE = 8000;
const SAMPLES_PER_MS = PCMU_CLOCK_RATE / 1000;

/** werift's DTLS flight counter once a handshake is over (RFC 6347 §4.2.4 numbers flights 1 to 6). */
const DTLS_HANDSHAKE_DONE = 7;

/** Most packets one timer tick sends to catch up with the clock. */
const MAX_CATCH_UP_PACKETS = 3;

const ignore = (): void => undefined;

/**
 * {@link MediaEngine} on werift's RTCPeerConnection: one sendrecv PCMU stream over ICE and
 * DTLS-SRTP (RFC 5763/5764), with host candidates on 127.0.0.1 only.
 *
 * @remarks
 * - Non-trickle: offers and answers are returned only after ICE gathering completes, so they
 *   carry every candidate plus `a=end-of-candidates`; the default candidate also goes into the
 *   `m=` and `c=` lines, where RFC 8839 puts the default destination, for SIP peers that read them.
 * - Loopback only, by design: werift scans no interfaces (`iceUseIpv4/6: false` with
 *   127.0.0.1 as an additional host address), binds its socket to 127.0.0.1, pairs only with
 *   127.0.0.1 candidates, and the remote SDP loses every other candidate before werift sees
 *   it (a `.local` one would make werift start multicast DNS). werift falls back to
 *   stun.l.google.com when no STUN server is configured, even with `iceServers: []`; each
 *   session clears that before gathering, so no name is ever resolved.
 * - Sending: one packet per interval once connected, a quiet 440 Hz µ-law tone, or in echo
 *   mode the peer's own payloads sent straight back. Packets go to the RTP sender directly,
 *   not through a track's `writeRtp`, which would clone each packet once more.
 * - Timers are unref'd and stop while muted, not connected, or closed.
 * @public
 */
export function createWeriftMediaEngine(options: WeriftMediaEngineOptions = {}): MediaEngine {
  const clock = options.clock ?? (() => performance.now());
  const packetIntervalMs = options.packetIntervalMs ?? 20;
  if (!Number.isInteger(packetIntervalMs) || packetIntervalMs < 10 || packetIntervalMs > 100) {
    throw new RangeError(`packetIntervalMs must be an integer from 10 to 100, got ${packetIntervalMs}`);
  }
  const gatheringTimeoutMs = options.gatheringTimeoutMs ?? 5000;
  return {
    createSession: (sessionOptions: MediaSessionOptions = {}) =>
      new WeriftMediaSession({ clock, packetIntervalMs, gatheringTimeoutMs, echo: sessionOptions.echo ?? false, ...(sessionOptions.relay !== undefined && { relay: sessionOptions.relay }) }),
  };
}

type SessionConfig = {
  readonly clock: () => number;
  readonly packetIntervalMs: number;
  readonly gatheringTimeoutMs: number;
  readonly echo: boolean;
  readonly relay?: MediaRelay;
};

/**
 * Where a session is in its offer/answer exchanges: the first one from `idle`, then any number
 * of ICE restarts from `negotiated` (RFC 8445 §9), each back to `negotiated`.
 */
type Phase = 'idle' | 'negotiating' | 'offered' | 'negotiated' | 'failed';

function peerConfig(): RTCPeerConnectionConfig {
  return {
    iceServers: [],
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: [LOOPBACK],
    iceInterfaceAddresses: { udp4: LOOPBACK },
    iceUseTcp: false,
    iceFilterCandidatePair: (pair) => pair.remoteCandidate.host === LOOPBACK,
    bundlePolicy: 'max-bundle',
    codecs: { audio: [usePCMU(), telephoneEventCodec()], video: [] },
    headerExtensions: { audio: [], video: [] },
  };
}

class WeriftMediaSession implements MediaSession {
  private readonly pc = new RTCPeerConnection(peerConfig());
  private readonly listeners = new Set<(state: MediaState) => void>();
  private readonly dtmfListeners = new Set<(digit: string) => void>();
  private readonly dtmf: WeriftDtmf;
  private dtmfTimer: ReturnType<typeof setInterval> | undefined;
  private readonly unsubscribers: Array<() => void> = [];
  private readonly samplesPerPacket: number;
  private readonly toneFrames: readonly Buffer[];
  private transceiver: RTCRtpTransceiver | undefined;
  private phase: Phase = 'idle';
  /** Whether the first exchange hooked the transport; restarts keep that hook and the DTLS association. */
  private attached = false;
  private currentState: MediaState = 'new';
  private isMuted = false;
  private closing: Promise<void> | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  // One packet object for the whole stream: werift's sender clones it synchronously on entry
  // to sendRtp, so reusing it saves an RtpPacket and an RtpHeader per packet.
  private readonly header: RtpHeader;
  private readonly packet: RtpPacket;
  private lastSentAt: number | undefined;
  private talkspurtStart = true;
  private toneIndex = 0;
  private lastEchoAt: number | undefined;
  private nextToneAt = 0;

  /** RMS of the last packets received, newest last ({@link LEVEL_WINDOW} of them). */
  private readonly levels: { at: number; level: number }[] = [];
  private packetsSent = 0;
  private packetsReceived = 0;
  private bytesSent = 0;
  private bytesReceived = 0;
  private firstPacketSentAt: number | undefined;
  private firstPacketReceivedAt: number | undefined;

  constructor(private readonly config: SessionConfig) {
    this.samplesPerPacket = config.packetIntervalMs * SAMPLES_PER_MS;
    this.dtmf = new WeriftDtmf(this.samplesPerPacket);
    this.toneFrames = toneFrames(this.samplesPerPacket);
    // Random initial sequence number and timestamp (RFC 3550 §5.1).
    this.header = new RtpHeader({
      payloadType: PCMU_PAYLOAD_TYPE,
      sequenceNumber: randomInt(0x10000),
      timestamp: randomInt(0x1_0000_0000),
    });
    this.packet = new RtpPacket(this.header, this.toneFrames[0] ?? Buffer.alloc(0));
    const { unSubscribe } = this.pc.connectionStateChange.subscribe((state) => this.setState(state));
    this.unsubscribers.push(unSubscribe);
    if (config.relay) {
      // The mixer's frames go to the peer as they come; no tone of our own.
      this.unsubscribers.push(config.relay.subscribe((payload) => this.isMuted || this.send(Buffer.from(payload.buffer, payload.byteOffset, payload.length))));
    }
  }

  get state(): MediaState {
    return this.currentState;
  }

  get muted(): boolean {
    return this.isMuted;
  }

  async createOffer(): Promise<string> {
    this.enterNegotiation('idle', 'createOffer');
    try {
      this.transceiver = this.pc.addTransceiver('audio', { direction: 'sendrecv' });
      this.unsubscribers.push(startDtlsPromptly(this.transceiver.dtlsTransport));
      const offer = await this.pc.createOffer();
      await this.setLocalDescription(offer);
      this.phase = 'offered';
      return this.localSdp();
    } catch (error) {
      throw this.fail(error, 'createOffer');
    }
  }

  async acceptAnswer(sdp: string): Promise<void> {
    this.enterNegotiation('offered', 'acceptAnswer');
    try {
      const answer = sanitizeRemoteSdp(sdp, 'answer');
      await this.pc.setRemoteDescription({ type: 'answer', sdp: answer });
      this.dtmf.noteRemote(answer);
      this.attachMedia();
    } catch (error) {
      throw this.fail(error, 'acceptAnswer');
    }
  }

  /**
   * ICE restart (RFC 8445 §9): a new complete offer with fresh `ice-ufrag`/`ice-pwd` (JSEP,
   * RFC 8829 §5.2.1 `iceRestart`), gathered again for the addresses we have now; the DTLS
   * association and the RTP stream carry on. {@link WeriftMediaSession.acceptAnswer} takes the answer.
   */
  async restartIce(): Promise<string> {
    this.enterNegotiation('negotiated', 'restartIce');
    try {
      const offer = await this.pc.createOffer({ iceRestart: true });
      await this.setLocalDescription(offer);
      this.phase = 'offered';
      return this.localSdp();
    } catch (error) {
      throw this.fail(error, 'restartIce');
    }
  }

  /**
   * Answers a re-offer on a negotiated session (RFC 3264 §8): an offer with new ICE credentials
   * restarts ICE on our side too, with new credentials in the answer (RFC 8445 §9.2).
   */
  async reanswer(offerSdp: string): Promise<string> {
    this.enterNegotiation('negotiated', 'reanswer');
    try {
      const offer = sanitizeRemoteSdp(offerSdp, 'offer');
      await this.pc.setRemoteDescription({ type: 'offer', sdp: offer });
      this.dtmf.noteRemote(offer);
      const answer = await this.pc.createAnswer();
      await this.setLocalDescription(answer);
      this.restartChecks();
      this.phase = 'negotiated';
      this.updateSending();
      return this.localSdp();
    } catch (error) {
      throw this.fail(error, 'reanswer');
    }
  }

  async answer(offerSdp: string): Promise<string> {
    this.enterNegotiation('idle', 'answer');
    try {
      const offer = sanitizeRemoteSdp(offerSdp, 'offer');
      await this.pc.setRemoteDescription({ type: 'offer', sdp: offer });
      this.dtmf.noteRemote(offer);
      this.transceiver = this.pc.getTransceivers().find((t) => t.kind === 'audio' && !t.stopped);
      if (this.transceiver === undefined) {
        throw new MediaNegotiationError('rejected', 'the offer has no usable audio stream');
      }
      this.unsubscribers.push(startDtlsPromptly(this.transceiver.dtlsTransport));
      // werift answers recvonly for a transceiver it created from the offer unless told.
      this.transceiver.setDirection('sendrecv');
      const answer = await this.pc.createAnswer();
      await this.setLocalDescription(answer);
      this.attachMedia();
      return this.localSdp();
    } catch (error) {
      throw this.fail(error, 'answer');
    }
  }

  /**
   * Sends DTMF as RFC 4733 telephone-events on the audio stream, one digit after another
   * (100 ms each, 60 ms apart); the tone pauses meanwhile.
   * @returns false when the peer did not negotiate telephone-events or a digit is not DTMF
   */
  sendDtmf(digits: string): boolean {
    if (this.closing !== undefined || !this.dtmf.queue(digits)) {
      return false;
    }
    if (this.dtmfTimer === undefined) {
      this.dtmfTimer = setInterval(() => this.dtmfTick(), this.config.packetIntervalMs);
      this.dtmfTimer.unref();
      this.dtmfTick();
    }
    return true;
  }

  onDtmf(listener: (digit: string) => void): () => void {
    this.dtmfListeners.add(listener);
    return () => this.dtmfListeners.delete(listener);
  }

  /** One interval of DTMF: the next event packet, a gap, or the end of the digits. */
  private dtmfTick(): void {
    const next = this.dtmf.next();
    if (next === undefined) {
      clearInterval(this.dtmfTimer);
      this.dtmfTimer = undefined;
      this.talkspurtStart = true;
      return;
    }
    const sender = this.transceiver?.sender;
    const codec = this.dtmf.codec;
    if (next === null || codec === undefined || sender?.codec === undefined || sender.dtlsTransport.state !== 'connected') {
      return;
    }
    const now = this.config.clock();
    const header = this.header;
    header.sequenceNumber = (header.sequenceNumber + 1) & 0xffff;
    if (next.marker && this.lastSentAt !== undefined) {
      // An event's packets all carry the timestamp of its start (RFC 4733 §2.5.1.2).
      header.timestamp = (header.timestamp + Math.max(1, Math.round((now - this.lastSentAt) / this.config.packetIntervalMs)) * this.samplesPerPacket) >>> 0;
    }
    header.marker = next.marker;
    this.packet.payload = Buffer.from(next.payload);
    this.lastSentAt = now;
    this.packetsSent += 1;
    // werift stamps its send codec's payload type on every packet, synchronously on entry to
    // sendRtp: the telephone-event codec stands in for this one packet.
    const primary = sender.codec;
    sender.codec = codec;
    sender.sendRtp(this.packet).catch(ignore);
    sender.codec = primary;
  }

  setMuted(muted: boolean): void {
    if (muted === this.isMuted) {
      return;
    }
    this.isMuted = muted;
    this.updateSending();
  }

  stats(): MediaStats {
    return {
      packetsSent: this.packetsSent,
      packetsReceived: this.packetsReceived,
      bytesSent: this.bytesSent,
      bytesReceived: this.bytesReceived,
      ...(this.firstPacketSentAt !== undefined && { firstPacketSentAt: this.firstPacketSentAt }),
      ...(this.firstPacketReceivedAt !== undefined && { firstPacketReceivedAt: this.firstPacketReceivedAt }),
      receivedLevel: this.receivedLevel(),
    };
  }

  /** The loudest packet of the last {@link LEVEL_WINDOW_MS}, 0 when none arrived. */
  private receivedLevel(): number {
    const since = this.config.clock() - LEVEL_WINDOW_MS;
    return this.levels.reduce((max, l) => (l.at >= since && l.level > max ? l.level : max), 0);
  }

  onStateChange(listener: (state: MediaState) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.stopTimer();
    clearInterval(this.dtmfTimer);
    this.dtmfTimer = undefined;
    this.dtmf.clear();
    this.dtmfListeners.clear();
    for (const unsubscribe of this.unsubscribers.splice(0)) {
      unsubscribe();
    }
    for (const transport of this.pc.dtlsTransports) {
      abandonDtlsHandshake(transport.dtls);
    }
    try {
      await this.pc.close();
    } finally {
      this.setState('closed');
      this.listeners.clear();
    }
  }

  private enterNegotiation(expected: Phase, step: string): void {
    if (this.closing !== undefined) {
      throw new MediaNegotiationError('invalid-state', `${step} on a closed media session`);
    }
    if (this.phase !== expected) {
      throw new MediaNegotiationError(
        'invalid-state',
        `${step} needs a session in phase "${expected}", this one is "${this.phase}" (one offer/answer at a time; renegotiation is an ICE restart only)`,
      );
    }
    this.phase = 'negotiating';
  }

  /** Marks the negotiation failed and turns any error into a {@link MediaNegotiationError}. */
  private fail(error: unknown, step: string): MediaNegotiationError {
    this.phase = 'failed';
    if (this.closing === undefined) {
      this.stopTimer();
      this.setState('failed');
    }
    if (error instanceof MediaNegotiationError) {
      return error;
    }
    const detail = error instanceof Error ? error.message : String(error);
    return new MediaNegotiationError('rejected', `${step} failed in werift: ${detail}`);
  }

  private async setLocalDescription(description: RTCSessionDescription): Promise<void> {
    for (const transport of this.pc.iceTransports) {
      // werift would otherwise query stun.l.google.com (its default) while gathering.
      transport.connection.stunServer = undefined;
    }
    await this.pc.setLocalDescription(description);
    await this.waitForGathering();
  }

  private waitForGathering(): Promise<void> {
    if (this.pc.iceGatheringState === 'complete') {
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const subscription = this.pc.iceGatheringStateChange.subscribe((state) => {
        if (state === 'complete') {
          clearTimeout(timer);
          subscription.unSubscribe();
          resolve();
        }
      });
      const timer = setTimeout(() => {
        subscription.unSubscribe();
        reject(new MediaNegotiationError('timeout', `ICE gathering did not complete in ${this.config.gatheringTimeoutMs} ms`));
      }, this.config.gatheringTimeoutMs);
      timer.unref();
    });
  }

  /** The local description, made fit for a SIP body; see {@link rewriteLocalSdp}. */
  private localSdp(): string {
    const sdp = this.pc.localDescription?.sdp;
    if (sdp === undefined) {
      throw new MediaNegotiationError('invalid-state', 'werift produced no local description');
    }
    return rewriteLocalSdp(sdp, this.config.packetIntervalMs);
  }

  /** Hooks the negotiated transport: counts (and maybe echoes) what arrives. */
  private attachMedia(): void {
    const transceiver = this.transceiver;
    if (transceiver?.sender.codec === undefined) {
      throw new MediaNegotiationError('rejected', 'no common codec: this engine sends PCMU/8000 (payload type 0) only');
    }
    if (this.attached) {
      // An ICE restart's answer: the transport hooked by the first exchange carries on.
      this.restartChecks();
      this.phase = 'negotiated';
      this.updateSending();
      return;
    }
    this.attached = true;
    // Count on the DTLS transport rather than the remote track: werift routes RTP to a track
    // by the SSRC the peer announced (a=ssrc), and drops packets from an unannounced one.
    const { unSubscribe } = transceiver.dtlsTransport.onRtp.subscribe((rtp) => this.onRtp(rtp));
    this.unsubscribers.push(unSubscribe);
    this.phase = 'negotiated';
    this.updateSending();
  }

  /**
   * Runs the connectivity checks of a restarted ICE agent (RFC 8445 §9: the restart is done once
   * the new checks nominate a pair). werift 0.25 skips them when DTLS is already up, which it
   * is after a restart, so they would never run and the old pair would stay dead.
   */
  private restartChecks(): void {
    for (const transport of this.pc.iceTransports) {
      if (transport.connection.nominated === undefined && transport.state !== 'closed') {
        transport.start().catch(() => {
          // No pair answered the new credentials: the path is gone (RFC 8445 §9 leaves it failed).
          if (this.closing === undefined) {
            this.setState('failed');
          }
        });
      }
    }
  }

  private onRtp(rtp: RtpPacket): void {
    const length = rtp.payload.length;
    this.packetsReceived += 1;
    this.bytesReceived += length;
    const now = this.config.clock();
    this.firstPacketReceivedAt ??= now;
    const digits = this.dtmf.receive(rtp.header.payloadType, rtp.header.timestamp, rtp.payload);
    if (digits !== undefined) {
      digits.forEach((digit) => this.dtmfListeners.forEach((listener) => listener(digit)));
      return;
    }
    if (rtp.header.payloadType === PCMU_PAYLOAD_TYPE) {
      this.levels.push({ at: now, level: pcmuLevel(rtp.payload) });
      if (this.levels.length > LEVEL_WINDOW_PACKETS) {
        this.levels.shift();
      }
    }
    if (this.config.relay) {
      if (rtp.header.payloadType === PCMU_PAYLOAD_TYPE && length > 0) {
        this.config.relay.send(rtp.payload);
      }
      return;
    }
    if (this.config.echo && !this.isMuted && rtp.header.payloadType === PCMU_PAYLOAD_TYPE && length > 0) {
      if (this.send(rtp.payload)) {
        this.lastEchoAt = this.lastSentAt;
      }
    }
  }

  private tick(): void {
    if (this.dtmfTimer !== undefined) {
      // Digits are being sent: RFC 4733 §2.5.1.1 lets the events replace the audio meanwhile.
      return;
    }
    const now = this.config.clock();
    const interval = this.config.packetIntervalMs;
    // In echo mode the tone only fills the gaps while the peer sends nothing to echo.
    if (this.lastEchoAt !== undefined && now - this.lastEchoAt < interval * 1.5) {
      this.nextToneAt = now + interval;
      return;
    }
    // setInterval fires a little late every period, so pace by the clock to keep the packet
    // rate equal to the RTP clock rate; after a stall, skip ahead instead of bursting.
    if (now - this.nextToneAt > interval * MAX_CATCH_UP_PACKETS) {
      this.nextToneAt = now;
    }
    for (let burst = 0; this.nextToneAt <= now + interval / 2 && burst < MAX_CATCH_UP_PACKETS; burst++) {
      const frame = this.toneFrames[this.toneIndex];
      this.toneIndex = (this.toneIndex + 1) % this.toneFrames.length;
      if (frame === undefined || !this.send(frame)) {
        return;
      }
      this.nextToneAt += interval;
    }
  }

  /** Sends one packet carrying `payload`; returns whether it went out. */
  private send(payload: Buffer): boolean {
    const sender = this.transceiver?.sender;
    if (sender?.codec === undefined || sender.dtlsTransport.state !== 'connected' || this.closing !== undefined) {
      return false;
    }
    const now = this.config.clock();
    const header = this.header;
    if (this.lastSentAt !== undefined) {
      // The timestamp follows the sampling clock, also across muted stretches (RFC 3550 §5.1);
      // rounding to whole packets absorbs timer jitter.
      const packets = Math.max(1, Math.round((now - this.lastSentAt) / this.config.packetIntervalMs));
      header.timestamp = (header.timestamp + packets * this.samplesPerPacket) >>> 0;
      header.sequenceNumber = (header.sequenceNumber + 1) & 0xffff;
    }
    // The marker flags the first packet after silence (RFC 3551 §4.1).
    header.marker = this.talkspurtStart;
    this.talkspurtStart = false;
    this.packet.payload = payload;
    this.lastSentAt = now;
    this.packetsSent += 1;
    this.bytesSent += payload.length;
    this.firstPacketSentAt ??= now;
    sender.sendRtp(this.packet).catch(ignore);
    return true;
  }

  private updateSending(): void {
    const shouldSend =
      // Media goes on while an ICE restart is negotiated: the old path may well still work.
      this.currentState === 'connected' && this.attached && this.phase !== 'failed' && !this.isMuted && this.closing === undefined &&
      // A relayed session sends the mixer's frames as they come, not a tone on a timer.
      this.config.relay === undefined;
    if (shouldSend && this.timer === undefined) {
      this.talkspurtStart = true;
      this.nextToneAt = this.config.clock();
      this.timer = setInterval(() => this.tick(), this.config.packetIntervalMs);
      this.timer.unref();
      // Start now rather than one interval late; the first packet also proves the path.
      this.tick();
    } else if (!shouldSend) {
      this.stopTimer();
    }
  }

  private stopTimer(): void {
    if (this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private setState(state: MediaState): void {
    if (state === this.currentState || this.currentState === 'closed') {
      return;
    }
    this.currentState = state;
    this.updateSending();
    for (const listener of [...this.listeners]) {
      try {
        listener(state);
      } catch (error) {
        // werift calls us inside its connect(); a throw there would fail the connection, so a
        // faulty listener surfaces as an uncaught error instead.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}

/**
 * Keeps an unfinished DTLS handshake from outliving {@link MediaSession.close}.
 * @remarks werift's pc.close() does not stop a handshake in progress: each flight is resent in
 * a loop of ref'd timers for 33 s (RFC 6347 §4.2.4 timers, no cancel), and a DTLS client that
 * has not sent its ClientHello yet (see {@link startDtlsPromptly}) would start that loop after
 * the close. The loop ends at its next wake-up once the flight counter shows the handshake done,
 * and a client that has not started yet is made not to.
 */
function abandonDtlsHandshake(socket: DtlsSocket | undefined): void {
  if (socket === undefined) {
    return;
  }
  if (socket instanceof DtlsClient && socket.dtls.flight === 0) {
    socket.connect = () => Promise.resolve();
  }
  if (socket.dtls.flight < DTLS_HANDSHAKE_DONE) {
    socket.dtls.flight = DTLS_HANDSHAKE_DONE;
  }
}

type SdpKind = 'offer' | 'answer';

/**
 * Checks a remote SDP against what this engine can use and returns it with CRLF line ends and
 * without any candidate other than UDP on 127.0.0.1.
 * @throws {@link MediaNegotiationError} naming the first problem found.
 */
function sanitizeRemoteSdp(sdp: unknown, kind: SdpKind): string {
  const lines = readSdpLines(sdp, kind);
  checkAudioStream(lines, kind);
  return `${withoutPortOnlyRtcp(keepLoopbackCandidates(lines, kind)).join('\r\n')}\r\n`;
}

/**
 * Drops `a=rtcp:<port>` lines without an address: RFC 3605 §2.1 allows them (rtpengine writes
 * them), werift 0.25 throws on them, and with rtcp-mux (which this engine requires, RFC 8843
 * bundle on one port) the RTCP port says nothing werift needs.
 */
function withoutPortOnlyRtcp(lines: readonly string[]): string[] {
  return lines.filter((line) => !/^a=rtcp:\d+\s*$/.test(line));
}

/** The lines of an SDP body, once it has the syntax and mandatory lines of RFC 8866 §5. */
function readSdpLines(sdp: unknown, kind: SdpKind): string[] {
  if (typeof sdp !== 'string' || !sdp.startsWith('v=0')) {
    const hint =
      typeof sdp === 'string' && /^--|content-type:/im.test(sdp)
        ? ' (this looks like a multipart body: pass its application/sdp part)'
        : '';
    throw new MediaNegotiationError('malformed-sdp', `the ${kind} is not an SDP body starting with "v=0"${hint}`);
  }
  const lines = sdp.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') {
    lines.pop();
  }
  const bad = lines.findIndex((line) => !/^[a-z]=/.test(line));
  if (bad >= 0) {
    throw new MediaNegotiationError(
      'malformed-sdp',
      `the ${kind} has a line that is not <type>=<value> (RFC 8866 §5), line ${bad + 1}: ${JSON.stringify(lines[bad]?.slice(0, 60))}`,
    );
  }
  for (const type of ['o', 's', 't']) {
    if (!lines.some((line) => line.startsWith(`${type}=`))) {
      throw new MediaNegotiationError('malformed-sdp', `the ${kind} lacks the mandatory "${type}=" line (RFC 8866 §5)`);
    }
  }
  return lines;
}

/** One audio stream this engine can take: DTLS-SRTP (RFC 5764), PCMU, ICE and a fingerprint. */
function checkAudioStream(lines: readonly string[], kind: SdpKind): void {
  const media = lines.filter((line) => line.startsWith('m='));
  if (kind === 'answer' && media.length !== 1) {
    throw new MediaNegotiationError(
      'malformed-sdp',
      `the answer has ${media.length} m= lines; the offer had 1 and an answer must match it (RFC 3264 §6)`,
    );
  }
  const audioLine = media.find((line) => line.startsWith('m=audio '));
  if (audioLine === undefined) {
    throw new MediaNegotiationError('unsupported-sdp', `the ${kind} has no m=audio line`);
  }
  const match = /^m=audio (\d+)(?:\/\d+)? (\S+) ?(.*)$/.exec(audioLine);
  if (match === null) {
    throw new MediaNegotiationError('malformed-sdp', `cannot parse ${JSON.stringify(audioLine)} (RFC 8866 §5.14)`);
  }
  const [, port, proto = '', formats = ''] = match;
  if (port === '0') {
    throw new MediaNegotiationError('rejected', `the ${kind} rejects the audio stream (port 0, RFC 3264 §6)`);
  }
  if (!/^UDP\/TLS\/RTP\/SAVPF?$/.test(proto)) {
    throw new MediaNegotiationError(
      'unsupported-sdp',
      `audio profile ${proto} is not DTLS-SRTP (UDP/TLS/RTP/SAVP[F], RFC 5764); SDES-SRTP and plain RTP are not supported`,
    );
  }
  if (!formats.split(' ').includes(String(PCMU_PAYLOAD_TYPE))) {
    throw new MediaNegotiationError(
      'rejected',
      `no common codec: the ${kind} offers payload types [${formats}], this engine needs PCMU (0)`,
    );
  }
  for (const attribute of ['ice-ufrag', 'ice-pwd', 'fingerprint']) {
    if (!lines.some((line) => line.startsWith(`a=${attribute}:`))) {
      throw new MediaNegotiationError('unsupported-sdp', `the ${kind} has no a=${attribute} (ICE and DTLS-SRTP are required)`);
    }
  }
}

/** The lines without candidates off UDP on 127.0.0.1: this engine stays on loopback. */
function keepLoopbackCandidates(lines: readonly string[], kind: SdpKind): string[] {
  const dropped: string[] = [];
  const kept = lines.filter((line) => {
    if (!line.startsWith('a=candidate:')) {
      return true;
    }
    // candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> (RFC 8839 §5.1)
    const fields = line.slice('a=candidate:'.length).split(' ');
    const usable = fields[2]?.toLowerCase() === 'udp' && fields[4] === LOOPBACK && fields[1] === '1';
    if (!usable) {
      dropped.push(fields[4] ?? '?');
    }
    return usable;
  });
  if (!kept.some((line) => line.startsWith('a=candidate:'))) {
    const seen = dropped.length > 0 ? `; it has only ${dropped.join(', ')}` : '';
    throw new MediaNegotiationError(
      'unsupported-sdp',
      `the ${kind} has no UDP candidate on ${LOOPBACK}${seen} (this engine stays on loopback and never trickles)`,
    );
  }
  return kept;
}

/**
 * Makes werift's local SDP a self-contained SIP body: the default candidate in `m=`, `c=` and
 * `a=rtcp` instead of werift's `9` / `0.0.0.0` placeholders, no `a=ice-options:trickle`
 * (everything is in this one body), `a=ptime` for the packet interval, and no candidate off
 * 127.0.0.1 should werift ever gather one.
 */
function rewriteLocalSdp(sdp: string, packetIntervalMs: number): string {
  const lines = sdp.split(/\r?\n/).filter((line) => line !== '' && line !== 'a=ice-options:trickle');
  const candidate = lines
    .filter((line) => line.startsWith('a=candidate:'))
    .map((line) => line.slice('a=candidate:'.length).split(' '))
    .find((fields) => fields[2]?.toLowerCase() === 'udp' && fields[4] === LOOPBACK);
  const port = candidate?.[5];
  if (port === undefined) {
    throw new MediaNegotiationError('invalid-state', `werift gathered no UDP candidate on ${LOOPBACK}`);
  }
  const out: string[] = [];
  let inAudio = false;
  for (const line of lines) {
    if (line.startsWith('m=')) {
      if (inAudio) {
        out.push(`a=ptime:${packetIntervalMs}`);
      }
      inAudio = line.startsWith('m=audio ');
      out.push(inAudio ? line.replace(/^m=audio \d+/, `m=audio ${port}`) : line);
      if (inAudio) {
        out.push(`c=IN IP4 ${LOOPBACK}`);
      }
    } else if (inAudio && line.startsWith('c=')) {
      // Replaced right after the m= line above.
    } else if (inAudio && line.startsWith('a=rtcp:')) {
      out.push(`a=rtcp:${port} IN IP4 ${LOOPBACK}`);
    } else if (line.startsWith('a=candidate:') && line.split(' ')[4] !== LOOPBACK) {
      // Never advertise an address off loopback.
    } else {
      out.push(line);
    }
  }
  if (inAudio) {
    out.push(`a=ptime:${packetIntervalMs}`);
  }
  return `${out.join('\r\n')}\r\n`;
}

/** A quiet tone: -30 dBFS of full scale. */
const TONE_AMPLITUDE = 1036;
const TONE_HZ = 440;
const toneCache = new Map<number, readonly Buffer[]>();

/**
 * µ-law frames of a 440 Hz tone, shared by every session with the same packet size.
 * @remarks One second at 8 kHz holds exactly 440 periods, so a table of one second plus one
 * frame can be cut into frames at any offset without a seam or a copy.
 */
function toneFrames(samplesPerPacket: number): readonly Buffer[] {
  const cached = toneCache.get(samplesPerPacket);
  if (cached !== undefined) {
    return cached;
  }
  const table = Buffer.alloc(PCMU_CLOCK_RATE + samplesPerPacket);
  for (let i = 0; i < table.length; i++) {
    table[i] = linearToUlaw(Math.round(TONE_AMPLITUDE * Math.sin((2 * Math.PI * TONE_HZ * i) / PCMU_CLOCK_RATE)));
  }
  const count = PCMU_CLOCK_RATE / gcd(PCMU_CLOCK_RATE, samplesPerPacket);
  const frames = Array.from({ length: count }, (_, k) => {
    const offset = (k * samplesPerPacket) % PCMU_CLOCK_RATE;
    return table.subarray(offset, offset + samplesPerPacket);
  });
  toneCache.set(samplesPerPacket, frames);
  return frames;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** 16-bit linear PCM to G.711 µ-law (ITU-T G.711 §3.2, the classic biased-segment encoder). */
function linearToUlaw(sample: number): number {
  const BIAS = 0x84;
  const CLIP = 32635;
  const sign = sample < 0 ? 0x80 : 0;
  let magnitude = Math.min(Math.abs(sample), CLIP) + BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (magnitude & mask) === 0 && exponent > 0; mask >>= 1) {
    exponent -= 1;
  }
  const mantissa = (magnitude >> (exponent + 3)) & 0x0f;
  magnitude = sign | (exponent << 4) | mantissa;
  return ~magnitude & 0xff;
}
