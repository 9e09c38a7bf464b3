import type { UserAgent } from 'sip.js';
import type { IncomingInviteRequest, IncomingReferRequest, IncomingResponse, OutgoingInviteRequest, Session, SessionDelegate } from 'sip.js/lib/core/index.js';
import { MIME_SIPFRAG, readReferTo } from '../../core/calls/call-transfer';
import { audioDirection, isHoldOffer, withAudioDirection } from '../../core/calls/sdp-direction';
import { MIME_DTMF_RELAY, parseDtmfRelay } from '../../core/calls/dtmf-relay';
import type { Logger } from '../../core/ports/logger';
import type { MediaEngine, MediaSession } from '../../core/ports/media';
import { makeInitialInvite } from '../../core/sip/outgoing-invite';

/** How the lab phone answers a call made to it. */
export type LabAnswerMode = 'answer' | 'decline' | 'busy' | 'ring';

/** Options of {@link LabPhone.call}. */
export type LabCallOptions = {
  /** The conversation the call belongs to (`Ms-Conversation-ID`); a new one by default. */
  readonly conversationId?: string;
  /** The caller's display name in `From`. */
  readonly displayName?: string;
  /** The dialog this call replaces at the callee (`Replaces`, RFC 3891): a consultative transfer. */
  readonly replaces?: string;
};

/** The final answer to the lab's INVITE. */
export type LabCallAnswer = { readonly status: number; readonly reason: string };

/**
 * One call of the lab phone, either way: its dialog, its media (werift, sending the lab's tone),
 * what the agent did to it (hold, DTMF, BYE).
 */
export class LabCall {
  session: Session | undefined;
  /** The agent holds the call (its last description does not receive). */
  heldByAgent = false;
  /** DTMF digits the agent sent (RFC 4733 events or INFO), in order. */
  readonly digits: string[] = [];
  /** Why the call ended, once it has. */
  endedBy: 'agent' | 'lab' | undefined;
  /** The agent's description in force. */
  remoteSdp = '';
  /** What the lab does when the agent transfers this call (REFER): set by the phone. */
  onRefer: ((uri: string, replaces: string | undefined) => Promise<LabCallAnswer>) | undefined;
  /** Where the agent transferred this call, once it asked. */
  referredTo: string | undefined;
  private localSdp = '';
  private invite: OutgoingInviteRequest | undefined;
  private readonly endWaiters: (() => void)[] = [];

  constructor(
    readonly conversationId: string,
    readonly media: MediaSession,
    private readonly log: Logger,
    /** The lab's Contact: a re-INVITE must carry one (RFC 3261 §14.1). */
    private readonly contact: string,
  ) {
    media.onDtmf?.((digit) => this.digits.push(digit));
  }

  /** Sends digits as RFC 4733 telephone-events; false when the agent did not negotiate them. */
  dtmfRtp(digits: string): boolean {
    return this.media.sendDtmf?.(digits) ?? false;
  }

  /** Resolves when the call has ended, either way. */
  ended(): Promise<void> {
    return this.endedBy ? Promise.resolve() : new Promise((resolve) => this.endWaiters.push(resolve));
  }

  /** BYE from the lab. */
  hangUp(): void {
    if (this.endedBy) {
      return;
    }
    try {
      this.session?.bye();
    } catch (error) {
      this.log.debug('lab BYE not sent', { error: String(error) });
    }
    this.finish('lab');
  }

  /** CANCEL of the lab's INVITE while the agent's phone rings. */
  cancel(): void {
    this.invite?.cancel();
  }

  /**
   * Holds (sendonly) or resumes (sendrecv) from the lab's side: a re-INVITE. sip.js refuses to
   * start one while the agent's own re-INVITE is still in its server transaction (its ACK on
   * the way), so the lab tries again every 100 ms for up to 5 s, as a phone would.
   */
  async hold(held: boolean): Promise<number> {
    const session = this.session;
    if (!session) {
      return 0;
    }
    this.localSdp = withAudioDirection(this.localSdp, held ? 'sendonly' : 'sendrecv');
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const status = await this.reinvite(session);
      if (status !== undefined) {
        return status;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return 0;
  }

  /** One re-INVITE with our description; undefined when sip.js cannot start it yet. */
  private reinvite(session: Session): Promise<number | undefined> {
    return new Promise((resolve) => {
      try {
        session.invite(
          {
            onAccept: (response) => {
              response.ack();
              resolve(response.message.statusCode ?? 0);
            },
            onReject: (response) => resolve(response.message.statusCode ?? 0),
          },
          { extraHeaders: [`Contact: ${this.contact}`], body: { contentDisposition: 'session', contentType: 'application/sdp', content: this.localSdp } },
        );
      } catch {
        resolve(undefined);
      }
    });
  }

  /** Sends one digit as SIP INFO `application/dtmf-relay`; resolves with the status. */
  dtmfInfo(digit: string): Promise<number> {
    const session = this.session;
    if (!session) {
      return Promise.resolve(0);
    }
    return new Promise((resolve) => {
      session.info(
        { onAccept: (r) => resolve(r.message.statusCode ?? 0), onReject: (r) => resolve(r.message.statusCode ?? 0) },
        { body: { contentDisposition: 'render', contentType: MIME_DTMF_RELAY, content: `Signal=${digit}\r\nDuration=160\r\n` } },
      );
    });
  }

  /** @internal the INVITE the lab sent, for {@link LabCall.cancel}. */
  sent(invite: OutgoingInviteRequest, localSdp: string): void {
    this.invite = invite;
    this.localSdp = localSdp;
  }

  /** @internal the dialog is up. */
  adopt(session: Session, localSdp: string): void {
    this.session = session;
    this.localSdp = localSdp;
    session.delegate = {
      onBye: (bye) => {
        bye.accept();
        this.finish('agent');
      },
      onInvite: (request) => this.onReinvite(request),
      onRefer: (request) => this.onReferRequest(request),
      onNotify: (request) => request.accept(),
      onInfo: (info) => {
        const dtmf = parseDtmfRelay(info.message.body ?? '');
        if (dtmf.ok) {
          this.digits.push(dtmf.digit);
          info.accept();
        } else {
          info.reject({ statusCode: 400 });
        }
      },
    } satisfies SessionDelegate;
  }

  /**
   * The agent transfers us (RFC 3515): 202, a `100 Trying` NOTIFY, the call to the target
   * (with `Replaces` for a consultative transfer), then a NOTIFY with its final status, which
   * ends the implicit subscription (RFC 3515 §2.4.5).
   */
  private onReferRequest(request: IncomingReferRequest): void {
    const target = readReferTo(request.message.getHeader('refer-to') ?? '');
    const session = this.session;
    if (!target || !session || !this.onRefer) {
      request.reject({ statusCode: 400, reasonPhrase: 'Bad Request' });
      return;
    }
    request.accept({ statusCode: 202, reasonPhrase: 'Accepted' });
    this.referredTo = target.uri;
    const notify = (status: string, final: boolean): void => {
      try {
        session.notify(undefined, {
          extraHeaders: ['Event: refer', `Subscription-State: ${final ? 'terminated;reason=noresource' : 'active;expires=60'}`, `Contact: ${this.contact}`],
          body: { contentDisposition: 'render', contentType: `${MIME_SIPFRAG};version=2.0`, content: `SIP/2.0 ${status}\r\n` },
        });
      } catch (error) {
        this.log.debug('lab NOTIFY not sent', { error: String(error) });
      }
    };
    notify('100 Trying', false);
    void this.onRefer(target.uri, target.replaces).then((answer) => notify(`${answer.status} ${answer.reason}`, true));
  }

  /** @internal the call is over. */
  finish(by: 'agent' | 'lab'): void {
    if (this.endedBy) {
      return;
    }
    this.endedBy = by;
    void this.media.close();
    this.endWaiters.splice(0).forEach((resolve) => resolve());
  }

  /** The agent's re-INVITE: hold, resume or ICE restart; the lab answers in kind. */
  private onReinvite(request: IncomingInviteRequest): void {
    const offer = request.message.body ?? '';
    this.heldByAgent = isHoldOffer(offer);
    const offered = audioDirection(offer);
    const answerDirection = offered === 'sendonly' ? 'recvonly' : offered === 'inactive' ? 'inactive' : 'sendrecv';
    const respond = (base: string): void => {
      this.localSdp = withAudioDirection(base, answerDirection);
      request.accept({ statusCode: 200, body: { contentDisposition: 'session', contentType: 'application/sdp', content: this.localSdp } });
    };
    const previousIce = /^a=ice-ufrag:(\S+)/m.exec(this.remoteSdp)?.[1];
    const ice = /^a=ice-ufrag:(\S+)/m.exec(offer)?.[1];
    this.remoteSdp = offer;
    if (ice !== previousIce && this.media.reanswer) {
      void this.media.reanswer(offer).then(respond, () => request.reject({ statusCode: 488 }));
      return;
    }
    respond(this.localSdp);
  }
}

/**
 * The lab's telephone (issue 17): places calls to agents as a contact center does, answers
 * calls agents make to the lab (`mode`), and records what the agent did to each call.
 * @remarks Media is the lab's werift engine, WebRTC like the agents' (ICE, DTLS-SRTP), so no
 * media relay is needed between the lab and an agent.
 */
export class LabPhone {
  /** How calls to the lab are answered. */
  mode: LabAnswerMode = 'answer';
  /** Calls the lab answered, newest last. */
  readonly answered: LabCall[] = [];
  /** Calls the lab placed because an agent transferred it (REFER), newest last. */
  readonly transferred: LabCall[] = [];

  constructor(
    private readonly ua: UserAgent,
    private readonly media: MediaEngine,
    private readonly log: Logger,
  ) {}

  /** Calls `agent`; resolves with the call and the final answer to the INVITE. */
  async call(agent: string, options: LabCallOptions = {}): Promise<{ call: LabCall; answer: Promise<LabCallAnswer> }> {
    const media = this.media.createSession();
    const offer = await media.createOffer();
    const call = new LabCall(options.conversationId ?? `lab-call-${Date.now().toString(36)}`, media, this.log, this.ua.contact.toString());
    const target = this.ua.userAgentCore.configuration.aor.clone();
    const uri = /^sips?:([^@]+)@(.+)$/i.exec(agent);
    target.user = uri?.[1] ?? agent;
    target.host = uri?.[2] ?? target.host;
    const request = makeInitialInvite(
      this.ua,
      target,
      [],
      [`Ms-Conversation-ID: ${call.conversationId}`, ...(options.replaces === undefined ? [] : [`Replaces: ${options.replaces}`])],
      { contentDisposition: 'session', contentType: 'application/sdp', content: offer },
      options.displayName,
    );
    call.onRefer = (uri, replaces) => this.followTransfer(call, uri, replaces);
    const answer = new Promise<LabCallAnswer>((resolve) => {
      const invite = this.ua.userAgentCore.invite(request, {
        onAccept: (response: IncomingResponse & { ack: () => void; session: Session }) => {
          response.ack();
          call.remoteSdp = response.message.body ?? '';
          call.adopt(response.session, offer);
          void media.acceptAnswer(call.remoteSdp).catch((error: unknown) => this.log.warn('lab call: unusable answer', { error: String(error) }));
          resolve({ status: response.message.statusCode ?? 200, reason: response.message.reasonPhrase ?? '' });
        },
        onReject: (response) => {
          call.finish('agent');
          resolve({ status: response.message.statusCode ?? 0, reason: response.message.reasonPhrase ?? '' });
        },
      });
      call.sent(invite, offer);
    });
    return { call, answer };
  }

  /** Places the call a transfer asks for; resolves with its final answer. */
  private async followTransfer(from: LabCall, uri: string, replaces: string | undefined): Promise<LabCallAnswer> {
    const next = await this.call(uri, { conversationId: from.conversationId, ...(replaces !== undefined && { replaces }) });
    this.transferred.push(next.call);
    return next.answer;
  }

  /** Takes an audio INVITE to the lab; false when the INVITE is not a call. */
  handleInvite(request: IncomingInviteRequest): boolean {
    const offer = request.message.body ?? '';
    if (!/^m=audio\s/im.test(offer)) {
      return false;
    }
    if (this.mode === 'decline' || this.mode === 'busy') {
      request.reject(this.mode === 'decline' ? { statusCode: 603, reasonPhrase: 'Decline' } : { statusCode: 486, reasonPhrase: 'Busy Here' });
      return true;
    }
    request.progress({ statusCode: 180, reasonPhrase: 'Ringing' });
    if (this.mode === 'ring') {
      return true;
    }
    const media = this.media.createSession();
    const call = new LabCall(request.message.getHeader('ms-conversation-id') ?? request.message.callId, media, this.log, this.ua.contact.toString());
    call.remoteSdp = offer;
    void media.answer(offer).then(
      (sdp) => {
        const response = request.accept({ statusCode: 200, extraHeaders: [`Contact: ${this.ua.contact.toString()}`], body: { contentDisposition: 'session', contentType: 'application/sdp', content: sdp } });
        call.adopt(response.session, sdp);
        call.onRefer = (uri, replaces) => this.followTransfer(call, uri, replaces);
        this.answered.push(call);
      },
      (error: unknown) => request.reject({ statusCode: 488, reasonPhrase: 'Not Acceptable Here', extraHeaders: [`Warning: 399 lab "${String(error).replace(/"/g, "'").slice(0, 100)}"`] }),
    );
    return true;
  }
}
