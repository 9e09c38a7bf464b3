import { createHash, randomInt } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import type { Logger } from '../../core/ports/logger';
import type { MediaEngine, MediaRelay, MediaSession } from '../../core/ports/media';
import type { JanusClient, JanusReply } from './janus-client';
import { TalkDetector } from './talk-detector';

/** PCMU: the lab's agents' codec (werift here, PCMU in the window too), so frames pass untouched. */
const PCMU = 0;
/** How long Janus may take to say where it listens for a participant. */
const JOIN_TIMEOUT_MS = 5000;
/** 20 ms of PCMU digital silence (µ-law 0xFF). */
const SILENCE_FRAME = new Uint8Array(160).fill(0xff);
/** A talker whose frames stopped this long ago (muted, or the leg went quiet) is not talking. */
const QUIET_AFTER_MS = 600;

/**
 * A change of one participant's state in the room, as Janus reported it (`muted`: from its
 * `participants` events or its answer to our `configure`) or as the relay measured it
 * (`talking`, see {@link TalkDetector}). `byModerator` marks a mute the room imposed (`mute`
 * request), not one the participant asked for.
 */
export type MixChange = { readonly muted: boolean; readonly byModerator: boolean } | { readonly talking: boolean };

/**
 * The lab's A/V MCU media on Janus AudioBridge (issue 16): one room per conference, and per MCU
 * dialog a werift leg toward the agent (WebRTC on 127.0.0.1, as the echo MCU had) relayed to one
 * AudioBridge plain-RTP participant, so every participant hears the mix of the others.
 * @remarks Janus's ICE never gathers on loopback (lab/janus/README.md, measured), so the lab
 * terminates WebRTC itself and gives Janus plain RTP on 127.0.0.1. The room is PCMU at 8 kHz, the
 * agents' codec, so frames cross the relay as they are.
 */
export class AudioBridgeMcu {
  private readonly rooms = new Map<string, Promise<number>>();
  private readonly participants = new Map<string, Participant>();
  /** Muted state per room and participant as Janus last reported it, so repeats are dropped. */
  private readonly mutedInRoom = new Map<string, Map<string, boolean>>();
  /** The muted state each participant last asked for itself (C3P), to tell a moderator's mute apart. */
  private readonly mutedBySelf = new Map<string, boolean>();
  private quietSweep: NodeJS.Timeout | undefined;
  /** Called when Janus loses a participant (it died, or dropped the session): the MCU dialog must end. */
  onParticipantLost: ((conferenceId: string, display: string, reason: string) => void) | undefined;
  /** Called when a participant's muted or talking state in the room changes: the roster follows it. */
  onMixChange: ((conferenceId: string, display: string, change: MixChange) => void) | undefined;

  constructor(
    private readonly client: JanusClient,
    private readonly adminKey: string,
    private readonly engine: MediaEngine,
    private readonly log: Logger,
  ) {}

  /** The media session of one participant's MCU dialog. */
  session(conferenceId: string, display: string): MediaSession {
    const key = `${conferenceId}\u0000${display.toLowerCase()}`;
    const participant = new Participant(this.client, () => this.room(conferenceId), display, this.log, {
      lost: (reason) => {
        if (this.participants.get(key) === participant) {
          this.participants.delete(key);
          this.onParticipantLost?.(conferenceId, display, reason);
        }
      },
      muted: (who, muted) => this.noteMuted(conferenceId, who, muted),
      talking: (talking) => this.onMixChange?.(conferenceId, display, { talking }),
    });
    this.participants.get(key)?.close();
    this.participants.set(key, participant);
    this.quietSweep ??= setInterval(() => this.sweepQuiet(), QUIET_AFTER_MS / 2).unref();
    const media = this.engine.createSession({ relay: participant.relay });
    media.onStateChange((state) => {
      if (state === 'closed' || state === 'failed') {
        participant.close();
        if (this.participants.get(key) === participant) {
          this.participants.delete(key);
          this.mutedBySelf.delete(key);
          this.mutedInRoom.get(conferenceId)?.delete(display.toLowerCase());
        }
      }
    });
    return media;
  }

  /**
   * The participant mutes or unmutes themselves in the room (C3P modifyEndpointMedia):
   * AudioBridge `configure`; {@link AudioBridgeMcu.onMixChange} reports it once Janus confirms.
   */
  mute(conferenceId: string, display: string, muted: boolean): Promise<boolean> {
    this.mutedBySelf.set(`${conferenceId}\u0000${display.toLowerCase()}`, muted);
    return this.participants.get(`${conferenceId}\u0000${display.toLowerCase()}`)?.configure({ muted }) ?? Promise.resolve(false);
  }

  /**
   * The room mutes or unmutes a participant (a moderator's `mute`/`unmute`, with the room's
   * secret): Janus tells every participant, and the roster shows `muted-via-focus`.
   * @returns false when the participant is not in the room
   */
  async moderate(conferenceId: string, display: string, muted: boolean): Promise<boolean> {
    const id = this.participants.get(`${conferenceId}\u0000${display.toLowerCase()}`)?.janusId;
    const room = await this.rooms.get(conferenceId);
    if (id === undefined || room === undefined) {
      return false;
    }
    const reply = await withHandle(this.client, (session, handle) =>
      this.client.message(session, handle, { request: muted ? 'mute' : 'unmute', room, id, secret: this.secretOf(room) }),
    );
    const error = reply.plugindata?.data['error'];
    if (typeof error === 'string') {
      throw new Error(`AudioBridge ${muted ? 'mute' : 'unmute'}: ${error}`);
    }
    return true;
  }

  /** The room's participants as Janus lists them. */
  async listParticipants(conferenceId: string): Promise<{ display: string; muted: boolean }[]> {
    const room = this.rooms.get(conferenceId);
    if (!room) {
      return [];
    }
    const id = await room;
    return withHandle(this.client, async (session, handle) => {
      const list = (await this.client.message(session, handle, { request: 'listparticipants', room: id })).plugindata?.data['participants'];
      return Array.isArray(list) ? list.map((p: { display?: string; muted?: boolean }) => ({ display: p.display ?? '', muted: p.muted === true })) : [];
    });
  }

  /** The conference ended: its room is destroyed. */
  async endConference(conferenceId: string): Promise<void> {
    const room = this.rooms.get(conferenceId);
    this.rooms.delete(conferenceId);
    this.mutedInRoom.delete(conferenceId);
    const id = await room?.catch(() => undefined);
    if (id === undefined) {
      return;
    }
    await withHandle(this.client, (session, handle) => this.client.message(session, handle, { request: 'destroy', room: id, secret: this.secretOf(id) })).catch((error: unknown) =>
      this.log.warn('AudioBridge room not destroyed', { room: id, error: String(error) }),
    );
  }

  private noteMuted(conferenceId: string, display: string, muted: boolean): void {
    let room = this.mutedInRoom.get(conferenceId);
    if (!room) {
      room = new Map();
      this.mutedInRoom.set(conferenceId, room);
    }
    const key = display.toLowerCase();
    if (room.get(key) === muted) {
      return;
    }
    room.set(key, muted);
    // Muted without having asked for it: the room (a moderator, or Janus's admin) did it.
    const byModerator = muted && this.mutedBySelf.get(`${conferenceId}\u0000${key}`) !== true;
    this.onMixChange?.(conferenceId, display, { muted, byModerator });
  }

  /** Talkers whose frames stopped are not talking any more; the sweep stops with the last leg. */
  private sweepQuiet(): void {
    if (this.participants.size === 0) {
      clearInterval(this.quietSweep);
      this.quietSweep = undefined;
      return;
    }
    const now = Date.now();
    for (const participant of this.participants.values()) {
      participant.quietSince(now - QUIET_AFTER_MS);
    }
  }

  private room(conferenceId: string): Promise<number> {
    let room = this.rooms.get(conferenceId);
    if (!room) {
      const id = createHash('sha256').update(conferenceId).digest().readUInt32BE(0) & 0x7fffffff;
      room = withHandle(this.client, async (session, handle) => {
        await this.client.message(session, handle, {
          request: 'create',
          room: id,
          admin_key: this.adminKey,
          secret: this.secretOf(id),
          description: `lab conference ${conferenceId}`,
          sampling_rate: 8000,
          audiocodec: 'pcmu',
          allow_rtp_participants: true,
        });
        return id;
      });
      this.rooms.set(conferenceId, room);
    }
    return room;
  }

  private secretOf(room: number): string {
    return createHash('sha256').update(`${this.adminKey}:${room}`).digest('hex').slice(0, 24);
  }
}

/** Runs `fn` with a short-lived session and AudioBridge handle (room administration). */
async function withHandle<T>(client: JanusClient, fn: (session: number, handle: number) => Promise<T>): Promise<T> {
  const session = await client.createSession();
  try {
    return await fn(session, await client.attach(session, 'janus.plugin.audiobridge'));
  } finally {
    await client.destroy(session).catch(() => undefined);
  }
}

/** What a {@link Participant} tells its MCU. */
type ParticipantEvents = {
  /** Janus lost the participant: the MCU dialog must end. */
  readonly lost: (reason: string) => void;
  /** Janus reported someone's muted state (this participant's or another's, by display name). */
  readonly muted: (display: string, muted: boolean) => void;
  /** The frames this participant sends started or stopped being speech. */
  readonly talking: (talking: boolean) => void;
};

/** One plain-RTP participant of a room and the UDP socket that carries its audio. */
class Participant {
  readonly relay: MediaRelay;
  /** The participant's id in the room, from Janus's `joined` event. */
  janusId: number | undefined;
  private readonly talk = new TalkDetector();
  private lastFrameAt = 0;
  /** The muted state we asked Janus for with `configure`, until it confirms. */
  private pendingMute: boolean | undefined;
  private socket: Socket | undefined;
  private janus: { session: number; handle: number } | undefined;
  private target: { ip: string; port: number } | undefined;
  private deliver: ((payload: Uint8Array) => void) | undefined;
  private closed = false;
  private readonly header = Buffer.alloc(12);
  private sequence = randomInt(0x10000);
  private timestamp = randomInt(0x1_0000_0000);

  private readonly polling = new AbortController();

  constructor(
    private readonly client: JanusClient,
    private readonly room: () => Promise<number>,
    private readonly display: string,
    private readonly log: Logger,
    private readonly events: ParticipantEvents,
  ) {
    this.header[0] = 0x80;
    this.header[1] = PCMU;
    this.header.writeUInt32BE(randomInt(0x1_0000_0000), 8);
    this.relay = {
      send: (payload) => this.send(payload),
      subscribe: (deliver) => {
        this.deliver = deliver;
        void this.join().then(
          () => this.keepAlive(),
          (error: unknown) => {
            this.log.warn('could not join the AudioBridge room', { display, error: String(error) });
            this.lost(`the mixer refused the participant: ${String(error)}`);
          },
        );
        return () => {
          this.deliver = undefined;
          this.close();
        };
      },
    };
  }

  /** Applies a setting to this participant in the room. */
  async configure(settings: { muted: boolean }): Promise<boolean> {
    if (!this.janus) {
      return false;
    }
    this.pendingMute = settings.muted;
    await this.client.message(this.janus.session, this.janus.handle, { request: 'configure', ...settings });
    return true;
  }

  /** Not talking any more when no frame came since `since` (epoch ms). */
  quietSince(since: number): void {
    if (this.lastFrameAt < since && this.talk.silence() === false) {
      this.events.talking(false);
    }
  }

  close(): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    this.polling.abort();
    this.socket?.close();
    const janus = this.janus;
    this.janus = undefined;
    if (janus) {
      void this.client
        .message(janus.session, janus.handle, { request: 'leave' })
        .catch(() => undefined)
        .then(() => this.client.destroy(janus.session))
        .catch(() => undefined);
    }
  }

  /** Binds our RTP socket on 127.0.0.1 and joins the room as a plain-RTP participant there. */
  private async join(): Promise<void> {
    const socket = createSocket('udp4');
    this.socket = socket;
    socket.on('message', (packet) => this.receive(packet));
    socket.on('error', (error) => this.log.warn('AudioBridge relay socket failed', { display: this.display, error: error.message }));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const room = await this.room();
    const session = await this.client.createSession();
    const handle = await this.client.attach(session, 'janus.plugin.audiobridge');
    this.janus = { session, handle };
    if (this.closed) {
      this.close();
      return;
    }
    const port = socket.address().port;
    await this.client.message(session, handle, { request: 'join', room, display: this.display, codec: 'pcmu', rtp: { ip: '127.0.0.1', port, payload_type: PCMU } });
    const joined = await this.joined(session);
    this.janusId = joined.id;
    this.target = joined.rtp;
    // Janus starts sending a plain-RTP participant the mix only once it has received a packet
    // from it (janus_audiobridge.c simulates setup_media on the first one): an agent that joins
    // muted would hear nothing. One frame of silence starts the mix at once.
    this.send(SILENCE_FRAME);
  }

  /**
   * Long-polls the session's events for as long as the participant is in the room: that is
   * what keeps a Janus session alive (it drops one idle for 60 s), and a failed poll means
   * Janus is gone.
   */
  private async keepAlive(): Promise<void> {
    for (let round = 0; !this.closed && this.janus && round < 1_000_000; round += 1) {
      const janus = this.janus;
      const events = await this.client.poll(janus.session, 10, this.polling.signal).catch((error: unknown) => (this.closed ? [] : error));
      if (events instanceof Error || (!Array.isArray(events) && !this.closed)) {
        this.lost(`the mixer went away (${events instanceof Error ? events.message : 'no answer'})`);
        return;
      }
      if (Array.isArray(events) && events.some((e) => e.janus === 'hangup' || e.janus === 'detached')) {
        this.lost('the mixer dropped the participant');
        return;
      }
      if (Array.isArray(events)) {
        events.forEach((event) => this.roomEvent(event));
      }
    }
  }

  /**
   * What Janus says about the room: `participants` updates carry muted states (of others after
   * their `configure`, of anyone after a moderator's `mute`); `result: ok` confirms our own
   * `configure`.
   */
  private roomEvent(event: JanusReply): void {
    const data = event.plugindata?.data;
    if (data?.['audiobridge'] !== 'event') {
      return;
    }
    if (data['result'] === 'ok' && this.pendingMute !== undefined) {
      this.events.muted(this.display, this.pendingMute);
      this.pendingMute = undefined;
    }
    const list = data['participants'];
    if (!Array.isArray(list)) {
      return;
    }
    for (const entry of list as { display?: unknown; muted?: unknown }[]) {
      if (typeof entry.display === 'string' && typeof entry.muted === 'boolean') {
        this.events.muted(entry.display, entry.muted);
      }
    }
  }

  private lost(reason: string): void {
    if (this.closed) {
      return;
    }
    this.close();
    this.events.lost(reason);
  }

  /** The participant's id and where Janus listens for it: the `id` and `rtp` of its `joined` event. */
  private async joined(session: number): Promise<{ id: number | undefined; rtp: { ip: string; port: number } }> {
    const deadline = Date.now() + JOIN_TIMEOUT_MS;
    while (Date.now() < deadline && !this.closed) {
      for (const event of await this.client.poll(session, 10, AbortSignal.timeout(JOIN_TIMEOUT_MS))) {
        const data = event.plugindata?.data;
        const rtp = data?.['rtp'] as { ip?: string; port?: number } | undefined;
        if (data?.['audiobridge'] === 'joined' && rtp?.ip === '127.0.0.1' && typeof rtp.port === 'number') {
          const id = data['id'];
          return { id: typeof id === 'number' ? id : undefined, rtp: { ip: rtp.ip, port: rtp.port } };
        }
        if (typeof data?.['error'] === 'string') {
          throw new Error(`AudioBridge join: ${data['error']}`);
        }
      }
    }
    throw new Error('AudioBridge did not say where it listens');
  }

  /** A frame from the agent, to the room. */
  private send(payload: Uint8Array): void {
    const socket = this.socket;
    const target = this.target;
    if (!socket || !target || this.closed) {
      return;
    }
    this.sequence = (this.sequence + 1) & 0xffff;
    this.timestamp = (this.timestamp + payload.length) >>> 0;
    this.header.writeUInt16BE(this.sequence, 2);
    this.header.writeUInt32BE(this.timestamp, 4);
    socket.send([this.header, payload], target.port, target.ip);
    this.lastFrameAt = Date.now();
    const talking = this.talk.frame(payload);
    if (talking !== undefined) {
      this.events.talking(talking);
    }
  }

  /** A frame of the mix, to the agent: the RTP header (CSRCs and extension included) stripped. */
  private receive(packet: Buffer): void {
    if (packet.length < 12 || (packet[0] ?? 0) >> 6 !== 2 || ((packet[1] ?? 0) & 0x7f) !== PCMU) {
      return;
    }
    let offset = 12 + ((packet[0] ?? 0) & 0x0f) * 4;
    if ((packet[0] ?? 0) & 0x10 && packet.length >= offset + 4) {
      offset += 4 + packet.readUInt16BE(offset + 2) * 4;
    }
    const padding = (packet[0] ?? 0) & 0x20 ? (packet[packet.length - 1] ?? 0) : 0;
    if (offset < packet.length - padding) {
      this.deliver?.(packet.subarray(offset, packet.length - padding));
    }
  }
}
