import type { SwitchboardBridge } from '../../../common/bridge';
import { mediaCommandSchema, type MediaCommand, type MediaReply, type MediaReport } from '../../../common/media-link';
import type { HostLink } from '../bridge/connect';
import { ReceivedLevel, type PlayedAudio } from './received-level';
import { Ringer } from './ringer';

/** How long ICE gathering may take before the offer goes out with what was found. */
const GATHERING_TIMEOUT_MS = 3000;
/** Period of state and counter reports while audio is up (the conference reports every second). */
const REPORT_MS = 1000;
/** Length of one DTMF tone and the gap after it (the W3C defaults, within RFC 4733's usual 40–200 ms). */
const DTMF_TONE_MS = 100;
const DTMF_GAP_MS = 70;

type Devices = { microphone?: string | undefined; speaker?: string | undefined };

/** The fields of an RTP stats entry the report reads (W3C webrtc-stats `outbound-rtp`, `inbound-rtp`). */
type AudioRtpStats = {
  type: string;
  kind?: string;
  packetsSent?: number;
  bytesSent?: number;
  packetsReceived?: number;
  bytesReceived?: number;
  totalAudioEnergy?: number;
  totalSamplesDuration?: number;
};

/** `HTMLMediaElement.setSinkId` (Audio Output Devices API); absent from older DOM typings. */
type SinkAudio = HTMLAudioElement & { setSinkId?: (id: string) => Promise<void>; sinkId?: string };

/**
 * Conference and call audio in this window: a WebRTC peer connection per MCU dialog or call,
 * with the microphone and speaker the agent chose in Settings. The host negotiates the dialog and
 * asks this window for its offer, or hands it a caller's offer to answer (see
 * `common/media-link.ts`).
 *
 * @remarks
 * - Offers and answers are complete, never trickled: they are sent after ICE gathering ends
 *   (JSEP, RFC 8829 §5.2.1 and §5.3.1 with `iceGatheringState` awaited), because one INVITE /
 *   200 OK sets up the leg.
 * - DTMF goes out as RFC 4733 telephone-events through the sender's `RTCDTMFSender`. Received
 *   events cannot be heard here (Chromium does not expose them); SIP INFO digits reach the host.
 * - A chosen device that is not plugged in falls back to the default one, and the report says so.
 *   Without any microphone (access refused, none present) the agent still hears the conference.
 * - Mute removes the track from the sender (`replaceTrack(null)`), so no RTP is sent at all, as a
 *   muted Lync client does; `track.enabled = false` would keep sending silence.
 * - Each report carries how loud the conference played here since the last one (the
 *   `inbound-rtp` energy totals of the same `getStats()` call; see `ReceivedLevel`).
 * @public
 */
export class WindowAudio {
  private readonly sessions = new Map<string, AudioSession>();
  private readonly ringer = new Ringer();
  private devices: Devices = {};

  constructor(private readonly bridge: SwitchboardBridge) {
    bridge.onMedia((command) => void this.onCommand(command));
    // A headset plugged in while the call runs on the default device: switch to the chosen one.
    navigator.mediaDevices?.addEventListener('devicechange', () => {
      for (const session of this.sessions.values()) {
        if (session.onFallback) {
          void session.useDevices(this.devices);
        }
      }
    });
  }

  /**
   * Offers this window to carry audio. Call again whenever the link to the host comes back:
   * the host ended the sessions of the old link, so this window closes them too.
   */
  async attach(): Promise<void> {
    for (const session of this.sessions.values()) {
      session.close();
    }
    this.sessions.clear();
    // The host starts the ring again on this link if something still rings.
    this.ringer.stop();
    const response = await this.bridge.invoke('media.attach', {});
    if (!response.ok) {
      console.warn('switchboard: this window cannot carry audio:', response.error.message);
    }
  }

  private async onCommand(raw: MediaCommand): Promise<void> {
    const parsed = mediaCommandSchema.safeParse(raw);
    if (!parsed.success) {
      console.warn('switchboard: dropped an invalid media command', parsed.error.issues[0]?.message);
      return;
    }
    const command = parsed.data;
    switch (command.op) {
      case 'offer':
        this.devices = { microphone: command.microphone, speaker: command.speaker };
        await this.newSession(command.mediaId).offer(this.devices, command.ahead === true);
        return;
      case 'accepted':
        this.sessions.get(command.mediaId)?.accepted();
        return;
      case 'answer-offer':
        this.devices = { microphone: command.microphone, speaker: command.speaker };
        await this.newSession(command.mediaId).answerOffer(command.sdp, this.devices);
        return;
      case 'reanswer':
        await this.sessions.get(command.mediaId)?.reanswer(command.sdp);
        return;
      case 'dtmf':
        this.sessions.get(command.mediaId)?.sendDtmf(command.digits);
        return;
      case 'restart':
        await this.sessions.get(command.mediaId)?.restart();
        return;
      case 'answer':
        await this.sessions.get(command.mediaId)?.answer(command.sdp);
        return;
      case 'mute':
        await this.sessions.get(command.mediaId)?.setMuted(command.muted);
        return;
      case 'devices':
        this.devices = { microphone: command.microphone, speaker: command.speaker };
        await Promise.all([...this.sessions.values()].map((s) => s.useDevices(this.devices)));
        return;
      case 'close':
        this.sessions.get(command.mediaId)?.close();
        return;
      case 'ring':
        if (command.ringing) {
          await this.ringer.start(command.speaker);
        } else {
          this.ringer.stop();
        }
        return;
    }
  }

  private newSession(mediaId: string): AudioSession {
    const session = new AudioSession(mediaId, this.bridge, () => this.sessions.delete(mediaId));
    this.sessions.set(mediaId, session);
    return session;
  }
}

/** Starts window audio and attaches it again each time the link to the host opens. */
export function startWindowAudio(host: HostLink): WindowAudio {
  const audio = new WindowAudio(host.bridge);
  // The socket bridge reports 'open' on every (re)connection; Electron's IPC is open from the start.
  host.onStatus((status) => status === 'open' && void audio.attach());
  if (host.status() === 'open') {
    void audio.attach();
  }
  return audio;
}

/**
 * The description with its audio direction made `sendrecv`. The window keeps its transceiver
 * sending and receiving whatever a caller offers: hold is the call's to apply (it mutes the
 * window and writes the direction into the SDP it sends, RFC 3264 §8.4, in `core/calls`), so a
 * later resume needs no new negotiation here.
 */
function bothWays(sdp: string): string {
  return sdp.replace(/^a=(?:sendonly|recvonly|inactive)(\r?)$/gm, 'a=sendrecv$1');
}

/** One MCU leg's or call's peer connection, its captured microphone and its playing element. */
class AudioSession {
  private readonly pc = new RTCPeerConnection({ iceServers: [], bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
  private readonly player: SinkAudio = new Audio();
  private sender: RTCRtpSender | undefined;
  private track: MediaStreamTrack | undefined;
  private muted = false;
  private closed = false;
  private problems: { microphone?: string | undefined; speaker?: string | undefined } = {};
  private devices: Devices = {};
  private speakerLabel: string | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly level = new ReceivedLevel();
  /** Resolves when the agent accepted (or the session closed): an `ahead` offer waits on it to capture. */
  private readonly consent: Promise<void>;
  private consented: () => void = () => undefined;

  constructor(
    readonly id: string,
    private readonly bridge: SwitchboardBridge,
    private readonly forget: () => void,
  ) {
    this.consent = new Promise((resolve) => (this.consented = resolve));
    this.player.autoplay = true;
    this.pc.addEventListener('track', (event) => {
      this.player.srcObject = event.streams[0] ?? new MediaStream([event.track]);
      void this.player.play().catch(() => undefined);
    });
    this.pc.addEventListener('connectionstatechange', () => {
      const state = this.pc.connectionState;
      if (state === 'connected' && this.timer === undefined) {
        this.timer = setInterval(() => void this.report(), REPORT_MS);
      } else if (state !== 'connected' && state !== 'disconnected') {
        this.stopReports();
      }
      void this.report();
    });
  }

  /** Whether a chosen device is missing and a default one stands in for it. */
  get onFallback(): boolean {
    return this.problems.microphone !== undefined || this.problems.speaker !== undefined;
  }

  /**
   * Captures the microphone and replies with a complete offer. Made `ahead` (the invitation still
   * rings), it captures at once only when access is granted already; otherwise it waits for the
   * agent's Accept ({@link AudioSession.accepted}) and captures then, when a prompt is the
   * agent's doing. It does not offer first and add the track later: until the page may use the
   * microphone Chromium hides its host addresses behind mDNS names (RFC 8828 mode 3), an offer
   * a peer on 127.0.0.1 (the embedded lab) cannot reach.
   */
  async offer(devices: Devices, ahead = false): Promise<void> {
    this.devices = devices;
    try {
      if (ahead && !(await microphoneGranted())) {
        await this.consent;
        if (this.closed) {
          return;
        }
      }
      await this.capture(devices.microphone);
      if (this.track) {
        this.sender = this.pc.addTrack(this.track, new MediaStream([this.track]));
      } else {
        this.sender = this.pc.addTransceiver('audio', { direction: 'sendrecv' }).sender;
      }
      // The speaker matters once audio plays, not for the offer: choosing it (setSinkId,
      // enumerateDevices; hundreds of ms in Chromium) runs beside the gathering.
      const playing = this.playOn(devices.speaker);
      await this.pc.setLocalDescription(await this.pc.createOffer());
      await this.gathered();
      const sdp = this.pc.localDescription?.sdp;
      if (!sdp) {
        throw new Error('no local description after gathering');
      }
      await playing;
      await this.reply({ mediaId: this.id, op: 'offer', sdp });
      void this.report();
    } catch (error) {
      await this.reply({ mediaId: this.id, op: 'offer', error: { code: 'invalid-state', message: describe(error) } });
      this.close();
    }
  }

  /**
   * ICE restart (RFC 8445 §9; JSEP `restartIce()`, RFC 8829 §4.1.18): the agent reconnected,
   * maybe on another network with other addresses. The new offer has fresh credentials and the
   * candidates gathered now, complete as the first one; the track, mute and DTLS carry on.
   */
  async restart(): Promise<void> {
    try {
      this.pc.restartIce();
      await this.pc.setLocalDescription(await this.pc.createOffer());
      await this.gathered(true);
      const sdp = this.pc.localDescription?.sdp;
      if (!sdp) {
        throw new Error('no local description after gathering');
      }
      await this.reply({ mediaId: this.id, op: 'restart', sdp });
    } catch (error) {
      await this.reply({ mediaId: this.id, op: 'restart', error: { code: 'invalid-state', message: describe(error) } });
      this.close();
    }
  }

  async answer(sdp: string): Promise<void> {
    try {
      await this.pc.setRemoteDescription({ type: 'answer', sdp });
      await this.reply({ mediaId: this.id, op: 'answer' });
    } catch (error) {
      await this.reply({ mediaId: this.id, op: 'answer', error: { code: 'rejected', message: describe(error) } });
      this.close();
    }
  }

  /**
   * Answering side (a call to the agent, RFC 3264 §6; JSEP RFC 8829 §5.3): takes the caller's
   * offer, sends the chosen microphone on the audio transceiver the offer made, and replies
   * with a complete answer once gathering ended.
   */
  async answerOffer(offer: string, devices: Devices): Promise<void> {
    this.devices = devices;
    try {
      await this.pc.setRemoteDescription({ type: 'offer', sdp: bothWays(offer) });
      const transceiver = this.pc.getTransceivers().find((t) => t.receiver.track.kind === 'audio');
      if (!transceiver) {
        throw new Error('the offer has no audio stream');
      }
      await this.capture(devices.microphone);
      transceiver.direction = 'sendrecv';
      this.sender = transceiver.sender;
      if (this.track) {
        await this.sender.replaceTrack(this.muted ? null : this.track);
        this.sender.setStreams(new MediaStream([this.track]));
      }
      await this.playOn(devices.speaker);
      await this.pc.setLocalDescription(await this.pc.createAnswer());
      await this.gathered();
      const sdp = this.pc.localDescription?.sdp;
      if (!sdp) {
        throw new Error('no local description after gathering');
      }
      await this.reply({ mediaId: this.id, op: 'answer-offer', sdp });
      void this.report();
    } catch (error) {
      await this.reply({ mediaId: this.id, op: 'answer-offer', error: { code: 'unsupported-sdp', message: describe(error) } });
      this.close();
    }
  }

  /**
   * A re-offer with new ICE credentials (the caller restarted ICE, RFC 8445 §9.2): a new
   * complete answer with fresh candidates; the track, mute and DTLS carry on.
   */
  async reanswer(offer: string): Promise<void> {
    try {
      await this.pc.setRemoteDescription({ type: 'offer', sdp: bothWays(offer) });
      await this.pc.setLocalDescription(await this.pc.createAnswer());
      await this.gathered(true);
      const sdp = this.pc.localDescription?.sdp;
      if (!sdp) {
        throw new Error('no local description after gathering');
      }
      await this.reply({ mediaId: this.id, op: 'reanswer', sdp });
    } catch (error) {
      await this.reply({ mediaId: this.id, op: 'reanswer', error: { code: 'unsupported-sdp', message: describe(error) } });
      this.close();
    }
  }

  /**
   * Sends digits as RFC 4733 telephone-events. `insertDTMF` replaces the tones still queued
   * (W3C WebRTC §7.2), so new digits go after them: a fast typist loses none.
   */
  sendDtmf(digits: string): void {
    const dtmf = this.sender?.dtmf;
    if (!dtmf?.canInsertDTMF) {
      console.warn('switchboard: this call cannot send DTMF tones now');
      return;
    }
    dtmf.insertDTMF(dtmf.toneBuffer + digits, DTMF_TONE_MS, DTMF_GAP_MS);
  }

  async setMuted(muted: boolean): Promise<void> {
    this.muted = muted;
    await this.sender?.replaceTrack(muted ? null : (this.track ?? null));
  }

  /** Switches to newly chosen devices in the middle of the call. */
  async useDevices(devices: Devices): Promise<void> {
    if (this.closed) {
      return;
    }
    this.devices = devices;
    const old = this.track;
    await this.capture(devices.microphone);
    if (this.track !== old) {
      await this.sender?.replaceTrack(this.muted ? null : (this.track ?? null));
      old?.stop();
    }
    await this.playOn(devices.speaker);
    await this.report();
  }

  /** The agent accepted the invitation this session's offer was made ahead for. */
  accepted(): void {
    this.consented();
  }

  close(): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    this.consented();
    this.stopReports();
    this.pc.close();
    this.track?.stop();
    this.player.pause();
    this.player.srcObject = null;
    this.forget();
  }

  /** Captures the chosen microphone, or the default one when it is missing. */
  private async capture(microphone: string | undefined): Promise<void> {
    if (!navigator.mediaDevices?.getUserMedia) {
      this.problems.microphone = 'This page cannot use a microphone (it needs http://127.0.0.1 or https): you can listen but not speak.';
      return;
    }
    const constraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
    let stream: MediaStream | undefined;
    this.problems.microphone = undefined;
    if (microphone !== undefined && microphone !== '' && microphone !== 'default') {
      stream = await navigator.mediaDevices.getUserMedia({ audio: { ...constraints, deviceId: { exact: microphone } } }).catch(() => undefined);
      if (!stream) {
        this.problems.microphone = 'The microphone chosen in Settings is not connected: using the default microphone.';
      }
    }
    try {
      stream ??= await navigator.mediaDevices.getUserMedia({ audio: constraints });
    } catch (error) {
      this.problems.microphone = `No microphone (${describe(error)}): you can listen but not speak.`;
      return;
    }
    const track = stream.getAudioTracks()[0];
    this.track = track;
    // Unplugged mid-call: carry on with what is there instead of going silent.
    track?.addEventListener('ended', () => {
      if (this.track === track && !this.closed) {
        void this.useDevices(this.devices).then(() => {
          this.problems.microphone ??= 'The microphone was unplugged: using the default microphone.';
          return this.report();
        });
      }
    });
  }

  /** Plays the conference on the chosen speaker, or the default one when it is missing. */
  private async playOn(speaker: string | undefined): Promise<void> {
    this.problems.speaker = undefined;
    const wanted = speaker !== undefined && speaker !== '' ? speaker : 'default';
    if (typeof this.player.setSinkId === 'function') {
      try {
        await this.player.setSinkId(wanted === 'default' ? '' : wanted);
      } catch {
        this.problems.speaker = 'The speaker chosen in Settings is not connected: playing on the default speaker.';
        await this.player.setSinkId('').catch(() => undefined);
      }
    } else if (wanted !== 'default') {
      this.problems.speaker = 'This browser cannot choose a speaker: playing on the default one.';
    }
    const sink = this.player.sinkId || 'default';
    const outputs = await navigator.mediaDevices?.enumerateDevices().catch(() => []) ?? [];
    this.speakerLabel = outputs.find((d) => d.kind === 'audiooutput' && d.deviceId === sink)?.label || (sink === 'default' ? 'Default speaker' : undefined);
  }

  /**
   * Waits for ICE gathering to end. After a restart the state may still read `complete` from
   * the previous round until the new one starts, so the description must show a candidate too.
   */
  private gathered(restarting = false): Promise<void> {
    const isDone = (): boolean =>
      this.pc.iceGatheringState === 'complete' && (!restarting || /^a=candidate:/m.test(this.pc.localDescription?.sdp ?? ''));
    if (isDone()) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.pc.removeEventListener('icegatheringstatechange', check);
        resolve();
      };
      const check = (): void => {
        if (isDone()) {
          finish();
        }
      };
      const timer = setTimeout(finish, GATHERING_TIMEOUT_MS);
      this.pc.addEventListener('icegatheringstatechange', check);
    });
  }

  private async report(): Promise<void> {
    const stats: MediaReport['stats'] = this.closed ? { packetsSent: 0, packetsReceived: 0, bytesSent: 0, bytesReceived: 0 } : await this.readStats();
    const problem = [this.problems.microphone, this.problems.speaker].filter((p) => p !== undefined).join(' ');
    const report: MediaReport = {
      mediaId: this.id,
      state: this.closed ? 'closed' : this.pc.connectionState,
      stats,
      ...(this.track !== undefined && { microphone: this.track.label || 'Default microphone' }),
      ...(this.speakerLabel !== undefined && { speaker: this.speakerLabel }),
      ...(problem !== '' && { problem }),
      ...(!this.closed && this.canSendDtmf() && { dtmf: true }),
    };
    await this.bridge.invoke('media.report', report);
  }

  /**
   * RTP counters and the received level from one `getStats()`, the call the report makes anyway:
   * the level costs no timer, node or audio thread of its own (see {@link ReceivedLevel}).
   */
  private async readStats(): Promise<MediaReport['stats']> {
    const stats = { packetsSent: 0, packetsReceived: 0, bytesSent: 0, bytesReceived: 0 };
    let played: PlayedAudio | undefined;
    const report = await this.pc.getStats().catch(() => undefined);
    report?.forEach((entry: AudioRtpStats) => {
      if (entry.kind !== 'audio') {
        return;
      }
      if (entry.type === 'outbound-rtp') {
        stats.packetsSent += entry.packetsSent ?? 0;
        stats.bytesSent += entry.bytesSent ?? 0;
      } else if (entry.type === 'inbound-rtp') {
        stats.packetsReceived += entry.packetsReceived ?? 0;
        stats.bytesReceived += entry.bytesReceived ?? 0;
        if (entry.totalAudioEnergy !== undefined && entry.totalSamplesDuration !== undefined) {
          played = { energy: (played?.energy ?? 0) + entry.totalAudioEnergy, duration: (played?.duration ?? 0) + entry.totalSamplesDuration };
        }
      }
    });
    const receivedLevel = this.level.next(played, performance.now());
    return { ...stats, ...(receivedLevel !== undefined && { receivedLevel: Math.round(receivedLevel * 10_000) / 10_000 }) };
  }

  private async reply(reply: MediaReply): Promise<void> {
    const response = await this.bridge.invoke('media.reply', reply);
    if (!response.ok) {
      console.warn('switchboard: the host did not take a media reply:', response.error.message);
    }
  }

  /**
   * Whether digits can go out as RFC 4733 events: both sides negotiated telephone-event and the
   * transport is up (`canInsertDTMF`, which Chromium only says once media can flow), and a
   * microphone track feeds the encoder, which is what paces the event packets in Chromium.
   */
  private canSendDtmf(): boolean {
    return this.track !== undefined && this.sender?.dtmf?.canInsertDTMF === true;
  }

  private stopReports(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

/**
 * Whether this page may use the microphone without a prompt (W3C Permissions §5, the
 * `microphone` name of Media Capture and Streams §11.1). Unknown counts as no: a ringing
 * invitation must never make a prompt appear.
 */
async function microphoneGranted(): Promise<boolean> {
  try {
    const status = await navigator.permissions.query({ name: 'microphone' });
    return status.state === 'granted';
  } catch {
    return false;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
