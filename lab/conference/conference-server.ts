import type { UserAgent } from 'sip.js';
import type { IncomingInviteRequest, IncomingSubscribeRequest, Session } from 'sip.js/lib/core/index.js';
import { buildC3PResponse, parseC3PRequest } from './c3p-focus';
import { MIME_CCCP } from '../../core/conference/namespaces';
import { mediaTypeOf } from '../../core/sip/invite-router';
import type { Logger } from '../../core/ports/logger';
import { SDP_CONTENT_TYPE, type MediaEngine, type MediaSession } from '../../core/ports/media';
import type { AudioBridgeMcu } from '../janus/audio-bridge-mcu';
import { LabImMcu } from './im-mcu';
import { LabConference } from './lab-conference';
import { RosterNotifier } from './roster-notifier';

/** One user's dialogs with a lab conference. */
type Legs = { focus: Session | undefined; mcu: Session | undefined; media: MediaSession | undefined };

/** How long the lab waits for the agent's own MCU BYE after it left the focus. */
const MCU_BYE_GRACE_MS = 1000;

/**
 * BYE that waits for the ACK: a UAS must not send BYE on a dialog whose 2xx has not been
 * ACKed (RFC 3261 §15), and sip.js throws if asked to. Retries every 50 ms for up to 2 s.
 */
function byeWhenConfirmed(session: Session, attempt = 0, extraHeaders: string[] = []): void {
  try {
    session.bye(undefined, { extraHeaders });
  } catch {
    if (attempt < 40) {
      setTimeout(() => byeWhenConfirmed(session, attempt + 1, extraHeaders), 50).unref();
    }
  }
}

/** Session interval the lab focus grants by default (RFC 4028); the agent refreshes at half of it. */
const DEFAULT_SESSION_EXPIRES_SEC = 1800;

/**
 * The lab's reference conference server: a focus and an A/V MCU, as a Lync pool presents them.
 *
 * @remarks
 * - Focus (`opaque=app:conf:focus:id:ID`): INVITE with a C3P addUser ([MS-CONFBAS] 2.2.3.15)
 *   answered 200 with the addUser response (2.2.3.4); refuses INVITEs without `Supported: timer`
 *   with ms-diagnostics 3010 as a Lync focus does ([MS-OCER] 8.4); C3P INFO answered 202
 *   ([MS-CONFBAS] 4.4.8), `modifyEndpointMedia` applied to the roster.
 * - Roster: RFC 4575 documents through {@link RosterNotifier}.
 * - A/V MCU (`opaque=app:conf:audio-video:id:ID`): INVITE with plain `application/sdp` only
 *   (anything else: 415 with ms-diagnostics 7004, [MS-OCER] 8.8), answered with real WebRTC
 *   media that echoes the agent's audio.
 * - Ejection and conference end: BYE on both dialogs, then the roster says so.
 */
export class LabConferenceServer {
  readonly notifier: RosterNotifier;
  /** The IM MCU: chat among participants, guests the lab plays, delivery reports. */
  readonly im: LabImMcu;
  private readonly conferences = new Map<string, LabConference>();
  private readonly legs = new Map<string, Legs>();
  private readonly log: Logger;
  private nextId = 1;
  /** Janus AudioBridge as the A/V MCU's mixer; without it, each participant hears its own echo. */
  private audioBridge: AudioBridgeMcu | undefined;

  constructor(
    private readonly ua: UserAgent,
    private readonly media: MediaEngine,
    private readonly domain: string,
    logger: Logger,
    private readonly serviceUser = 'conf',
    private readonly sessionExpiresSec = DEFAULT_SESSION_EXPIRES_SEC,
  ) {
    this.log = logger.child('lab.conference');
    this.notifier = new RosterNotifier(ua, logger);
    this.im = new LabImMcu({ ua, logger, publishUser: (conference, entity) => this.notifier.publish(conference.id, conference.userDocument(entity)) });
  }

  /**
   * Mixes conference audio on Janus AudioBridge from now on (issue 16): one room per
   * conference, each MCU dialog a participant; the SIP side is unchanged. `undefined` goes
   * back to the echo MCU for new joins (the mixer bench compares them).
   */
  useAudioBridge(mcu: AudioBridgeMcu | undefined): void {
    this.audioBridge = mcu;
    if (!mcu) {
      return;
    }
    // A participant the mixer lost hears nothing any more: hang up its MCU dialog with the
    // reason, as a real MCU does, so the agent can offer Reconnect audio.
    mcu.onParticipantLost = (conferenceId, entity, reason) => {
      if (this.audioBridge === mcu) {
        this.log.warn('the mixer lost a participant; hanging up its media', { conference: conferenceId, user: entity, reason });
        this.hangUpMedia(conferenceId, entity, `7025;reason="${reason.replace(/["\\]/g, "'").slice(0, 120)}";source="lab"`);
      }
    };
    // The roster follows the mix: mutes as Janus reports them, talking as the relay hears it.
    mcu.onMixChange = (conferenceId, entity, change) => {
      const conference = this.conferences.get(conferenceId);
      if (this.audioBridge === mcu && conference?.setMixState(entity, change)) {
        this.notifier.publish(conferenceId, conference.userDocument(entity));
      }
    };
  }

  /** The AudioBridge in use, if any (tests read its participant lists). */
  get bridge(): AudioBridgeMcu | undefined {
    return this.audioBridge;
  }

  /** Creates a conference; its focus URI is what invitations carry. */
  create(subject: string, organizer: string): LabConference {
    const id = `LAB${(this.nextId++).toString().padStart(5, '0')}${Math.random().toString(36).slice(2, 6).toUpperCase()}`;
    const base = `sip:${this.serviceUser}@${this.domain};gruu;opaque=app:conf`;
    const conference = new LabConference(id, `${base}:focus:id:${id}`, `${base}:audio-video:id:${id}`, subject, organizer, `${base}:chat:id:${id}`);
    this.conferences.set(id, conference);
    return conference;
  }

  get(id: string): LabConference | undefined {
    return this.conferences.get(id);
  }

  /** Dialogs the lab holds for a user in a conference (focus, MCU), for leak checks. */
  dialogsOf(conferenceId: string, userEntity: string): { focus: boolean; mcu: boolean } {
    const legs = this.legs.get(this.legKey(conferenceId, userEntity));
    return { focus: legs?.focus !== undefined, mcu: legs?.mcu !== undefined };
  }

  /** Packets the lab MCU received from and sent to a user. */
  mediaStatsOf(conferenceId: string, userEntity: string): { packetsSent: number; packetsReceived: number } | undefined {
    return this.legs.get(this.legKey(conferenceId, userEntity))?.media?.stats();
  }

  /** Routes an INVITE; returns false when it is not for a conference. */
  handleInvite(request: IncomingInviteRequest): boolean {
    const target = this.targetOf(request.message.ruri?.toString() ?? '');
    if (!target) {
      return false;
    }
    const conference = this.conferences.get(target.id);
    if (!conference || conference.isEnded) {
      request.reject({ statusCode: 404, reasonPhrase: 'Not Found', extraHeaders: ['ms-diagnostics: 3004;reason="Invalid conference entity"'] });
      return true;
    }
    if (target.kind === 'focus') {
      this.joinFocus(request, conference);
    } else if (target.kind === 'chat') {
      this.im.join(request, conference);
    } else {
      void this.joinMcu(request, conference);
    }
    return true;
  }

  /** Routes a SUBSCRIBE; returns false when it is not for a conference. */
  handleSubscribe(request: IncomingSubscribeRequest): boolean {
    const target = this.targetOf(request.message.ruri?.toString() ?? '');
    if (!target || target.kind !== 'focus') {
      return false;
    }
    const conference = this.conferences.get(target.id);
    const event = (request.message.getHeader('event') ?? '').split(';')[0]?.trim().toLowerCase();
    if (!conference || event !== 'conference') {
      request.reject({ statusCode: event === 'conference' ? 404 : 489, reasonPhrase: event === 'conference' ? 'Not Found' : 'Bad Event' });
      return true;
    }
    this.notifier.accept(request, conference.id, conference.fullDocument());
    return true;
  }

  /** Ejects a user: BYE on the MCU and focus dialogs, and the roster drops them. */
  eject(conferenceId: string, userEntity: string): boolean {
    const conference = this.conferences.get(conferenceId);
    const legs = this.legs.get(this.legKey(conferenceId, userEntity));
    if (!conference || !legs) {
      return false;
    }
    this.log.info('ejecting', { conference: conferenceId, user: userEntity });
    this.im.hangUp(conference, userEntity);
    this.dropLegs(conferenceId, userEntity, legs);
    conference.removeUser(userEntity);
    this.notifier.publish(conferenceId, conference.userDocument(userEntity));
    return true;
  }

  /**
   * Hangs up only a user's A/V MCU dialog (an MCU restart or failover): BYE, media closed, the
   * focus dialog and the roster stay.
   */
  hangUpMedia(conferenceId: string, userEntity: string, diagnostics?: string): boolean {
    const legs = this.legs.get(this.legKey(conferenceId, userEntity));
    if (!legs?.mcu) {
      return false;
    }
    this.log.info('hanging up media', { conference: conferenceId, user: userEntity });
    byeWhenConfirmed(legs.mcu, 0, diagnostics === undefined ? [] : [`ms-diagnostics: ${diagnostics}`]);
    void legs.media?.close();
    legs.mcu = undefined;
    legs.media = undefined;
    return true;
  }

  /**
   * Makes the MCU stop (or resume) sending a user's audio while its dialog stays up: a stalled
   * mixer, or RTP lost on the way. The agent must notice from the silence alone.
   * @returns false when the user has no media leg
   */
  silenceMedia(conferenceId: string, userEntity: string, silent: boolean): boolean {
    const legs = this.legs.get(this.legKey(conferenceId, userEntity));
    if (!legs?.media) {
      return false;
    }
    this.log.info(silent ? 'MCU going silent' : 'MCU sending again', { conference: conferenceId, user: userEntity });
    legs.media.setMuted(silent);
    return true;
  }

  /** Ends a conference: everybody is BYEd and subscribers get a final `deleted` document. */
  end(conferenceId: string): void {
    const conference = this.conferences.get(conferenceId);
    if (!conference) {
      return;
    }
    this.log.info('ending conference', { conference: conferenceId });
    for (const entity of conference.userEntities()) {
      const legs = this.legs.get(this.legKey(conferenceId, entity));
      if (legs) {
        this.dropLegs(conferenceId, entity, legs);
      }
    }
    this.im.end(conference);
    void this.audioBridge?.endConference(conferenceId);
    conference.end();
    this.notifier.terminate(conferenceId, conference.endedDocument());
    this.conferences.delete(conferenceId);
  }

  /** Ends every conference (lab stopping). */
  endAll(): void {
    for (const id of [...this.conferences.keys()]) {
      this.end(id);
    }
  }

  private joinFocus(request: IncomingInviteRequest, conference: LabConference): void {
    const message = request.message;
    const supported = message.getHeaders('supported').join(',').toLowerCase();
    if (!/\btimer\b/.test(supported)) {
      request.reject({
        statusCode: 400,
        reasonPhrase: 'Bad Request',
        extraHeaders: ['ms-diagnostics: 3010;reason="Bad request without Session-Timer extension";source="lab"'],
      });
      return;
    }
    if (mediaTypeOf(message.getHeader('content-type')) !== MIME_CCCP) {
      request.reject({ statusCode: 415, reasonPhrase: 'Unsupported Media Type', extraHeaders: [`Accept: ${MIME_CCCP}`] });
      return;
    }
    const parsed = parseC3PRequest(message.body ?? '');
    if (!parsed.ok || parsed.request.command !== 'addUser' || !parsed.request.addUser) {
      // [MS-CONFPRO] 3.2.5.1: a C3P body that is not a valid request gets 400 with no body.
      request.reject({ statusCode: 400, reasonPhrase: 'Bad Request' });
      return;
    }
    const { requestId, from, to } = parsed.request;
    const add = parsed.request.addUser;
    if (add.confEntity.toLowerCase() !== conference.focusUri.toLowerCase()) {
      request.reject({ statusCode: 400, reasonPhrase: 'Bad Request', extraHeaders: ['ms-diagnostics: 3004;reason="Invalid conference entity"'] });
      return;
    }
    const granted = conference.addUser(add.userEntity, add.role, add.endpointEntity);
    const body = buildC3PResponse({
      requestId,
      from: to,
      to: from,
      code: 'success',
      command: 'addUser',
      body: { confEntity: conference.focusUri, userEntity: add.userEntity, grantedRole: granted, endpointEntity: add.endpointEntity },
    });
    // sip.js adds the Contact of a first 2xx itself.
    const response = request.accept({
      statusCode: 200,
      extraHeaders: [`Session-Expires: ${this.sessionExpiresSec};refresher=uac`, 'Require: timer'],
      body: { contentDisposition: 'render', contentType: MIME_CCCP, content: body },
    });
    const legs = this.legsOf(conference.id, add.userEntity);
    legs.focus = response.session;
    response.session.delegate = {
      onInfo: (info) => {
        const c3p = parseC3PRequest(info.message.body ?? '');
        if (!c3p.ok) {
          info.reject({ statusCode: 400, reasonPhrase: 'Bad Request' });
          return;
        }
        info.accept({ statusCode: 202, reasonPhrase: 'Accepted' });
        const media = c3p.request.modifyEndpointMedia;
        if (c3p.request.command === 'modifyEndpointMedia' && media) {
          this.modifyEndpointMedia(conference, media);
        }
      },
      onInvite: (reinvite) => {
        reinvite.accept({
          statusCode: 200,
          extraHeaders: [`Session-Expires: ${this.sessionExpiresSec};refresher=uac`, 'Require: timer', `Contact: ${this.ua.contact.toString()}`],
          body: { contentDisposition: 'render', contentType: MIME_CCCP, content: '' },
        });
      },
      onBye: (bye) => {
        bye.accept();
        legs.focus = undefined;
        this.leaveConference(conference, add.userEntity, legs);
      },
    };
    this.notifier.publish(conference.id, conference.userDocument(add.userEntity));
  }

  /**
   * C3P modifyEndpointMedia: a user mutes or unmutes themselves. On AudioBridge the mute holds in
   * the mix, and the roster changes when Janus confirms it (issue 16); the echo MCU has no mix,
   * so the roster changes at once.
   */
  private modifyEndpointMedia(conference: LabConference, media: { userEntity: string; endpointEntity: string; muted: boolean }): void {
    if (conference.avEndpoint(media.userEntity)?.entity !== media.endpointEntity) {
      this.log.warn('modifyEndpointMedia for an endpoint that is not the sender\'s', { conference: conference.id, user: media.userEntity });
      return;
    }
    const direct = (): void => {
      if (conference.setMuted(media.userEntity, media.endpointEntity, media.muted)) {
        this.notifier.publish(conference.id, conference.userDocument(media.userEntity));
      }
    };
    if (!this.audioBridge) {
      direct();
      return;
    }
    void this.audioBridge.mute(conference.id, media.userEntity, media.muted).then(
      (inRoom) => (inRoom ? undefined : direct()),
      (error: unknown) => {
        this.log.warn('AudioBridge mute failed; the roster says what the user asked', { error: String(error) });
        direct();
      },
    );
  }

  /**
   * The room mutes or unmutes a user (a moderator's action; AudioBridge `mute`): everybody's
   * roster shows the user `muted-via-focus` (RFC 4575 §5.6.3) once Janus reports it.
   * @returns false without AudioBridge, or when the user is not in the room
   */
  async muteInMix(conferenceId: string, userEntity: string, muted: boolean): Promise<boolean> {
    return (await this.audioBridge?.moderate(conferenceId, userEntity, muted)) ?? false;
  }

  private async joinMcu(request: IncomingInviteRequest, conference: LabConference): Promise<void> {
    const message = request.message;
    if (mediaTypeOf(message.getHeader('content-type')) !== SDP_CONTENT_TYPE) {
      request.reject({
        statusCode: 415,
        reasonPhrase: 'Unsupported Media Type',
        extraHeaders: ['Accept: application/sdp', 'ms-diagnostics: 7004;reason="AV MCU supports only Content-Type: application/sdp"'],
      });
      return;
    }
    const userEntity = message.from.uri.toString();
    if (!conference.userEntities().includes(userEntity.toLowerCase())) {
      request.reject({ statusCode: 403, reasonPhrase: 'Forbidden', extraHeaders: ['ms-diagnostics: 7008;reason="User not in conference"'] });
      return;
    }
    request.trying();
    const media = this.audioBridge ? this.audioBridge.session(conference.id, userEntity) : this.media.createSession({ echo: true });
    let offer = message.body ?? '';
    let answer: string;
    try {
      answer = await media.answer(offer);
    } catch (error) {
      await media.close();
      request.reject({ statusCode: 488, reasonPhrase: 'Not Acceptable Here', extraHeaders: [`Warning: 399 lab "${String(error).replace(/"/g, "'").slice(0, 100)}"`] });
      return;
    }
    const response = request.accept({
      statusCode: 200,
      body: { contentDisposition: 'session', contentType: SDP_CONTENT_TYPE, content: answer },
    });
    const legs = this.legsOf(conference.id, userEntity);
    legs.mcu = response.session;
    legs.media = media;
    const avEntity = `${userEntity};av=${Math.random().toString(36).slice(2, 8)}`;
    response.session.delegate = {
      onBye: (bye) => {
        bye.accept();
        legs.mcu = undefined;
        void legs.media?.close();
        legs.media = undefined;
        if (conference.disconnectAv(userEntity)) {
          this.notifier.publish(conference.id, conference.userDocument(userEntity));
        }
        this.forgetIfIdle(conference.id, userEntity, legs);
      },
      onInfo: (info) => info.accept(),
      onInvite: (reinvite) => {
        void this.reanswerMcu(reinvite, media, offer, answer).then((next) => {
          if (next !== undefined) {
            ({ offer, answer } = next);
          }
        });
      },
    };
    // Lync lists the A/V endpoint once media is up; the lab does once the answer is sent.
    media.onStateChange((state) => {
      if (state === 'connected' && conference.connectAv(userEntity, avEntity, '1')) {
        this.notifier.publish(conference.id, conference.userDocument(userEntity));
      }
    });
  }

  /**
   * Answers a re-INVITE on an MCU dialog. A pure target refresh (the client reconnected)
   * re-offers the same ICE credentials: the same answer stands. New credentials are an ICE
   * restart (RFC 8445 §9): the media session restarts ICE too and answers with new ones.
   * @returns the offer and answer now in force, when they changed.
   */
  private async reanswerMcu(
    reinvite: IncomingInviteRequest,
    media: MediaSession,
    offer: string,
    answer: string,
  ): Promise<{ offer: string; answer: string } | undefined> {
    const reoffer = reinvite.message.body ?? '';
    const accept = (content: string): void => {
      reinvite.accept({
        statusCode: 200,
        extraHeaders: [`Contact: ${this.ua.contact.toString()}`],
        body: { contentDisposition: 'session', contentType: SDP_CONTENT_TYPE, content },
      });
    };
    if (reoffer === '' || iceCredentials(reoffer) === iceCredentials(offer) || media.reanswer === undefined) {
      accept(answer);
      return undefined;
    }
    try {
      const reanswer = await media.reanswer(reoffer);
      accept(reanswer);
      return { offer: reoffer, answer: reanswer };
    } catch (error) {
      reinvite.reject({ statusCode: 488, reasonPhrase: 'Not Acceptable Here', extraHeaders: [`Warning: 399 lab "${String(error).replace(/"/g, "'").slice(0, 100)}"`] });
      return undefined;
    }
  }

  private leaveConference(conference: LabConference, userEntity: string, legs: Legs): void {
    // A leaving client BYEs the MCU itself right after the focus; BYE it only if it does not,
    // so that the two BYEs do not cross (each would get 481).
    const mcu = legs.mcu;
    if (mcu) {
      setTimeout(() => {
        if (legs.mcu === mcu) {
          byeWhenConfirmed(mcu);
          legs.mcu = undefined;
          void legs.media?.close();
          legs.media = undefined;
          this.forgetIfIdle(conference.id, userEntity, legs);
        }
      }, MCU_BYE_GRACE_MS).unref();
    }
    setTimeout(() => {
      if (this.im.hasMember(conference.id, userEntity)) {
        this.im.hangUp(conference, userEntity);
      }
    }, MCU_BYE_GRACE_MS).unref();
    if (conference.removeUser(userEntity)) {
      this.notifier.publish(conference.id, conference.userDocument(userEntity));
    }
    this.forgetIfIdle(conference.id, userEntity, legs);
  }

  private dropLegs(conferenceId: string, userEntity: string, legs: Legs): void {
    if (legs.mcu) {
      byeWhenConfirmed(legs.mcu);
    }
    if (legs.focus) {
      byeWhenConfirmed(legs.focus);
    }
    void legs.media?.close();
    legs.mcu = undefined;
    legs.focus = undefined;
    legs.media = undefined;
    this.legs.delete(this.legKey(conferenceId, userEntity));
  }

  private forgetIfIdle(conferenceId: string, userEntity: string, legs: Legs): void {
    if (!legs.focus && !legs.mcu) {
      this.legs.delete(this.legKey(conferenceId, userEntity));
    }
  }

  private legsOf(conferenceId: string, userEntity: string): Legs {
    const key = this.legKey(conferenceId, userEntity);
    let legs = this.legs.get(key);
    if (!legs) {
      legs = { focus: undefined, mcu: undefined, media: undefined };
      this.legs.set(key, legs);
    }
    return legs;
  }

  private legKey(conferenceId: string, userEntity: string): string {
    return `${conferenceId}\u0000${userEntity.toLowerCase()}`;
  }

  /** Reads `opaque=app:conf:focus:id:X`, `...:audio-video:id:X` (either A/V spelling, open question 6) or `...:chat:id:X`. */
  private targetOf(ruri: string): { kind: 'focus' | 'mcu' | 'chat'; id: string } | undefined {
    const match = /opaque=app:conf:(focus|audio-?video|chat):id:([A-Za-z0-9]+)/i.exec(ruri);
    if (!match?.[1] || !match[2]) {
      return undefined;
    }
    const kind = match[1].toLowerCase();
    return { kind: kind === 'focus' ? 'focus' : kind === 'chat' ? 'chat' : 'mcu', id: match[2] };
  }
}

/** The `a=ice-ufrag` and `a=ice-pwd` of an SDP body: an ICE restart changes them (RFC 8445 §9). */
function iceCredentials(sdp: string): string {
  return [/^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1] ?? '', /^a=ice-pwd:(\S+)/m.exec(sdp)?.[1] ?? ''].join(' ');
}
