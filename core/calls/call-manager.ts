import { UserAgent } from 'sip.js';
import type { IncomingInviteRequest, Session } from 'sip.js/lib/core/index.js';
import type { AgentEvent } from '../../common/agent-events';
import { isListedSipAor } from '../channels/sip-identity';
import { warningHeader } from '../channels/warning-text';
import type { Clock, TimerHandle } from '../ports/clock';
import type { Logger } from '../ports/logger';
import { SDP_CONTENT_TYPE, type MediaEngine } from '../ports/media';
import type { DialogRecovery } from '../sip/dialog-recovery';
import type { FaultBoundary } from '../sip/fault-boundary';
import type { InviteAnswer } from '../sip/invite-answer';
import type { InviteRouter } from '../sip/invite-router';
import { OutgoingDialog } from '../sip/outgoing-dialog';
import { refusalHeaders, type AdmissionRefusal, type RingingSlot } from '../sip/request-admission';
import { Call } from './call';
import { checkCallOffer } from './call-offer';
import { parseReplaces, referToWithReplaces } from './call-transfer';

/** The part of the agent engine calls use. @public */
export type CallEngine = {
  readonly userAgent: UserAgent;
  readonly faults: FaultBoundary;
  readonly recovery: DialogRecovery;
  readonly invites: InviteRouter;
  readonly admission: { ring(sender: string): RingingSlot | AdmissionRefusal };
  report(event: AgentEvent): void;
  addStopHook(hook: () => Promise<void>): void;
};

/** Ports of {@link CallManager}. @public */
export type CallManagerDeps = {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly media: MediaEngine;
  /** A new unique token (call ids, conversation ids). */
  readonly newId: () => string;
};

/** Options of {@link CallManager}. @public */
export type CallManagerOptions = {
  /** Answer calls from `trustList` without asking (`--auto-accept`). */
  readonly autoAccept?: boolean;
  readonly trustList?: readonly string[];
  /** 480 when nobody answers in this time (default 30 s). */
  readonly answerTimeoutMs?: number;
  /** Do not disturb: calls from strangers ring silently and get 486 on no answer. */
  readonly doNotDisturb?: () => boolean;
  /** Calls at once, ringing included (default 4): past it an INVITE gets 486. */
  readonly maxCalls?: number;
};

/** A call the agent has not answered yet. */
type Ringing = { readonly answer: InviteAnswer; slot: RingingSlot | undefined; timer: TimerHandle | undefined; quiet: boolean; answering: boolean };

/** Outcome of a call command. @public */
export type CallCommandResult = { readonly ok: true; readonly id?: string } | { readonly ok: false; readonly message: string };

/**
 * The agent's two-party audio calls (issue 17): INVITEs with audio SDP ring like invitations
 * (180, then the agent's answer, 603 on decline, 480 on no answer, 487 on CANCEL, 486 when busy
 * or not to be disturbed), and the agent calls out. One conversation per call: the INVITE's
 * `Ms-Conversation-ID`, else its Call-ID, so a context channel naming it opens beside the call.
 * @remarks RFC 3261 §13 (INVITE), §9 (CANCEL), §15 (BYE); media offer/answer per RFC 3264 on the
 * host's media engine (WebRTC: ICE and DTLS-SRTP). Every INVITE is answered exactly once
 * ({@link InviteAnswer}); each call runs in its own fault boundary and survives a reconnection
 * through {@link DialogRecovery}.
 * @public
 */
export class CallManager {
  private readonly calls = new Map<string, Call>();
  private readonly ringing = new Map<string, Ringing>();
  private readonly log: Logger;
  private sequence = 0;
  /** Told when a call ended, with its conversation id (its channels end with it). */
  onConversationEnded: ((conversationId: string) => void) | undefined;

  constructor(
    private readonly engine: CallEngine,
    private readonly deps: CallManagerDeps,
    private readonly options: CallManagerOptions = {},
  ) {
    this.log = deps.logger.child('calls');
    engine.invites.handle(SDP_CONTENT_TYPE, (answer) => this.onInvite(answer), (request) => isAudioOffer(request));
    engine.addStopHook(() => Promise.resolve(this.dispose()));
  }

  /** Whether `conversationId` is a call's. */
  hasConversation(conversationId: string): boolean {
    return [...this.calls.values()].some((c) => c.init.conversationId === conversationId);
  }

  /**
   * The other party of a connected (or held) call in `conversationId`: the agent answered them,
   * or called them. A trusted sender's pane in that conversation opens without asking (open
   * question 35); a call still ringing has been agreed to by nobody.
   */
  acceptedPeerOf(conversationId: string): string | undefined {
    const call = [...this.calls.values()].find((c) => c.init.conversationId === conversationId && c.state !== 'ringing' && c.state !== 'dialing' && c.state !== 'ended');
    return call?.init.peer;
  }

  /** A call by id. */
  get(id: string): Call | undefined {
    return this.calls.get(id);
  }

  /** Answers a ringing call. */
  answer(id: string): boolean {
    const call = this.calls.get(id);
    const ringing = this.ringing.get(id);
    if (!call || !ringing || ringing.answering) {
      return false;
    }
    void this.answerWithMedia(call, ringing).catch((error: unknown) => this.abort(call, `internal error answering: ${String(error)}`));
    return true;
  }

  /** Declines a ringing call with 603. */
  decline(id: string): boolean {
    const call = this.calls.get(id);
    const ringing = this.ringing.get(id);
    if (!call || !ringing || ringing.answering) {
      return false;
    }
    ringing.answer.reject(603, 'Decline');
    this.stopRinging(call);
    call.end('declined');
    return true;
  }

  /** Hangs up: 603 while theirs rings, CANCEL while ours does, else BYE. */
  hangUp(id: string): boolean {
    const call = this.calls.get(id);
    if (!call) {
      return false;
    }
    if (this.ringing.has(id)) {
      return this.decline(id);
    }
    call.hangUp();
    return true;
  }

  /** Holds or resumes a connected call. */
  hold(id: string, held: boolean): boolean {
    const call = this.calls.get(id);
    if (!call || (call.state !== 'connected' && call.state !== 'held' && call.state !== 'remote-held')) {
      return false;
    }
    void call.setHeld(held).catch((error: unknown) => this.abort(call, `internal error holding: ${String(error)}`));
    return true;
  }

  /**
   * Sends DTMF digits in a connected call (RFC 4733 events, else SIP INFO).
   * @returns false when no such call is connected or a digit is not DTMF
   */
  dtmf(id: string, digits: string): boolean {
    const call = this.calls.get(id);
    if (!call || !/^[0-9*#A-Da-d]{1,32}$/.test(digits) || (call.state !== 'connected' && call.state !== 'held' && call.state !== 'remote-held')) {
      return false;
    }
    void call.sendDtmf(digits.toUpperCase()).then(
      (how) => this.log.info('DTMF sent', { id, digits: digits.length, how }),
      (error: unknown) => this.abort(call, `internal error sending DTMF: ${String(error)}`),
    );
    return true;
  }

  /**
   * Transfers a connected call: blind to a SIP URI, or consultative to another of our calls
   * (its id), whose dialog the `Refer-To` names in `Replaces` so its other side takes this
   * call's place (RFC 5589 §7).
   * @returns a failure when the call or the target is not there
   */
  transfer(id: string, to: string): CallCommandResult {
    const call = this.calls.get(id);
    if (!call) {
      return { ok: false, message: `no call ${id}` };
    }
    const consult = this.calls.get(to);
    if (consult) {
      const dialog = consult.dialog();
      if (!dialog || consult === call) {
        return { ok: false, message: `call ${to} is not connected` };
      }
      return call.transfer(referToWithReplaces(consult.init.peer, dialog), consult.init.peer) ? { ok: true } : { ok: false, message: `call ${id} cannot be transferred now` };
    }
    const target = UserAgent.makeURI(to);
    if (!target) {
      return { ok: false, message: `neither a call id nor a SIP URI: ${to}` };
    }
    return call.transfer(target.toString(), target.toString()) ? { ok: true } : { ok: false, message: `call ${id} cannot be transferred now` };
  }

  /** Mutes or unmutes the agent in a call. */
  mute(id: string, muted: boolean): boolean {
    const call = this.calls.get(id);
    if (!call || call.state === 'ended') {
      return false;
    }
    call.mute(muted);
    return true;
  }

  /** Calls `to`; the call's id comes back at once, its progress as `call.state` events. */
  call(to: string, conversationId?: string): CallCommandResult {
    const target = UserAgent.makeURI(to);
    if (!target) {
      return { ok: false, message: `not a SIP URI: ${to}` };
    }
    if (this.calls.size >= (this.options.maxCalls ?? 4)) {
      return { ok: false, message: `${this.options.maxCalls ?? 4} calls at once already` };
    }
    const id = this.nextCallId();
    const call = this.track(new Call(this.callDeps(), { id, conversationId: conversationId ?? this.deps.newId(), peer: target.toString(), outgoing: true, media: this.deps.media.createSession({ callId: id }) }));
    this.announce(call);
    void this.dial(call, target).catch((error: unknown) => call.end(`could not call: ${String(error)}`));
    return { ok: true, id };
  }

  /** Ends every call (agent stopping). */
  dispose(): void {
    for (const call of [...this.calls.values()]) {
      const ringing = this.ringing.get(call.id);
      if (ringing) {
        ringing.answer.reject(480, 'Temporarily Unavailable');
        this.stopRinging(call);
      }
      call.hangUp('agent stopping');
    }
  }

  private onInvite(answer: InviteAnswer): void {
    const message = answer.request.message;
    const from = message.from.uri.toString();
    const offer = checkCallOffer(message.body ?? '');
    if (!offer.ok) {
      this.log.warn('refusing a call', { from, callId: answer.callId, reason: offer.warning });
      answer.reject(488, 'Not Acceptable Here', [warningHeader(offer.warning)]);
      return;
    }
    const replacesHeader = message.getHeader('replaces');
    if (replacesHeader !== undefined) {
      this.replace(answer, replacesHeader);
      return;
    }
    if (this.calls.size >= (this.options.maxCalls ?? 4)) {
      answer.reject(486, 'Busy Here', [warningHeader(`the agent is on ${this.calls.size} calls`)]);
      return;
    }
    const trusted = isListedSipAor(from, this.options.trustList ?? []);
    const auto = (this.options.autoAccept ?? false) && trusted;
    const slot = auto ? undefined : this.engine.admission.ring(from);
    if (slot && !slot.ok) {
      answer.reject(slot.status, slot.reasonPhrase, refusalHeaders(slot));
      return;
    }
    const quiet = !trusted && (this.options.doNotDisturb?.() ?? false);
    this.ring(answer, from, slot, quiet, auto);
  }

  /**
   * An INVITE with `Replaces` (RFC 3891 §3): the other side of a consultative transfer takes the
   * place of a call we hold. It matches a confirmed dialog of ours (our tag is its `to-tag`) or
   * gets 481; a match is answered at once, without ringing, and the old call is BYEd.
   */
  private replace(answer: InviteAnswer, header: string): void {
    const target = parseReplaces(header);
    const old = target && [...this.calls.values()].find((c) => {
      const dialog = c.dialog();
      return dialog !== undefined && dialog.callId === target.callId && dialog.localTag === target.toTag && dialog.remoteTag === target.fromTag;
    });
    if (!target || !old || target.earlyOnly) {
      this.log.warn('refusing an INVITE that replaces no call of ours', { callId: answer.callId, replaces: header.slice(0, 200) });
      answer.reject(481, 'Call/Transaction Does Not Exist');
      return;
    }
    const message = answer.request.message;
    const id = this.nextCallId();
    const call = this.track(new Call(this.callDeps(), { id, conversationId: old.init.conversationId, peer: message.from.uri.toString(), outgoing: false, media: this.deps.media.createSession({ callId: id }) }));
    const ringing: Ringing = { answer, slot: undefined, timer: undefined, quiet: false, answering: false };
    this.ringing.set(id, ringing);
    call.onEnd(this.engine.faults.own(answer.callId, (reason) => this.abort(call, reason)));
    this.engine.report({ type: 'dialog', conversationId: call.init.conversationId, callId: answer.callId, role: 'call', peer: call.init.peer });
    this.engine.report({ type: 'call', id, from: call.init.peer, conversationId: call.init.conversationId, replaces: old.id });
    this.announce(call);
    void this.answerWithMedia(call, ringing).then(
      () => (call.ended ? undefined : old.hangUp('replaced')),
      (error: unknown) => this.abort(call, `internal error answering: ${String(error)}`),
    );
  }

  private ring(answer: InviteAnswer, from: string, slot: RingingSlot | undefined, quiet: boolean, auto: boolean): void {
    const message = answer.request.message;
    const id = this.nextCallId();
    const conversationId = message.getHeader('ms-conversation-id')?.trim() || message.callId;
    const call = this.track(new Call(this.callDeps(), { id, conversationId, peer: from, outgoing: false, media: this.deps.media.createSession({ callId: id }) }));
    const ringing: Ringing = { answer, slot, timer: undefined, quiet, answering: false };
    this.ringing.set(id, ringing);
    call.onEnd(this.engine.faults.own(answer.callId, (reason) => this.abort(call, reason)));
    answer.request.delegate = this.engine.faults.guard(answer.callId, 'call', { onCancel: () => this.onCancel(call) });
    answer.progress(180, 'Ringing');
    const displayName = message.from.displayName?.trim();
    this.engine.report({ type: 'dialog', conversationId, callId: answer.callId, role: 'call', peer: from });
    this.engine.report({ type: 'call', id, from, ...(displayName ? { displayName } : {}), conversationId, ...(quiet && { quiet }) });
    this.announce(call);
    if (auto) {
      this.answer(id);
      return;
    }
    ringing.timer = this.deps.clock.setTimeout(
      this.engine.faults.wrap(answer.callId, 'call answer timer', () => this.onNoAnswer(call)),
      this.options.answerTimeoutMs ?? 30_000,
    );
  }

  private async answerWithMedia(call: Call, ringing: Ringing): Promise<void> {
    ringing.answering = true;
    this.deps.clock.clearTimeout(ringing.timer);
    const offer = ringing.answer.request.message.body ?? '';
    let sdp: string;
    try {
      sdp = await call.init.media.answer(offer);
    } catch (error) {
      const reason = `unusable offer: ${error instanceof Error ? error.message : String(error)}`;
      ringing.answer.reject(488, 'Not Acceptable Here', [warningHeader(reason)]);
      this.stopRinging(call);
      call.end(reason);
      return;
    }
    if (call.ended) {
      return;
    }
    const session = ringing.answer.accept({ statusCode: 200, body: { contentDisposition: 'session', contentType: SDP_CONTENT_TYPE, content: sdp } });
    this.stopRinging(call);
    if (!session) {
      call.end('the call was over before it was answered');
      return;
    }
    this.watchDialog(call, session, ringing.answer.callId);
    call.established(session, ringing.answer.callId, sdp, offer);
  }

  private async dial(call: Call, target: NonNullable<ReturnType<typeof UserAgent.makeURI>>): Promise<void> {
    const offer = await call.init.media.createOffer();
    if (call.ended) {
      return;
    }
    const dialog = new OutgoingDialog({ ua: this.engine.userAgent, clock: this.deps.clock, faults: this.engine.faults, log: this.log }, 'call', {
      onDialog: (callId) => this.engine.report({ type: 'dialog', conversationId: call.init.conversationId, callId, role: 'call', peer: call.init.peer }),
      onRemoteBye: () => call.end('the other side hung up'),
      requests: call.requests(),
    });
    // Hung up before the answer: CANCEL (a 2xx crossing it is BYEd by the dialog).
    call.onEnd(() => dialog.cancel());
    const body = { contentDisposition: 'session', contentType: SDP_CONTENT_TYPE, content: offer };
    const answered = await dialog.invite<{ ok: true; sdp: string } | { ok: false; reason: string }>(
      target,
      { optionTags: [], extraHeaders: [`Ms-Conversation-ID: ${call.init.conversationId}`], body },
      {
        accepted: (response) => ({ ok: true, sdp: response.message.body ?? '' }),
        refused: (status, reason) => ({ ok: false, reason: status === 487 ? 'cancelled' : reason }),
        left: () => ({ ok: false, reason: 'hung up' }),
        progress: (status) => (status === 180 || status === 183 ? call.ringing() : undefined),
      },
    );
    if (!answered.ok) {
      call.end(answered.reason);
      return;
    }
    try {
      await call.init.media.acceptAnswer(answered.sdp);
    } catch (error) {
      dialog.end();
      call.end(`unusable answer: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    const session = dialog.session;
    if (!session || dialog.callId === undefined || call.ended) {
      return;
    }
    call.onEnd(this.engine.recovery.register(dialog.callId, { suspend: () => undefined, recover: () => this.recover(call) }));
    call.established(session, dialog.callId, offer, answered.sdp, () => dialog.end());
  }

  /** The delegate of an answered call's dialog: BYE ends it; the rest is the call's. */
  private watchDialog(call: Call, session: Session, callId: string): void {
    session.delegate = this.engine.faults.guard(callId, 'call', {
      onBye: (bye: { accept: () => unknown }) => {
        bye.accept();
        call.end('the other side hung up');
      },
      ...call.requests(),
    });
    call.onEnd(this.engine.recovery.register(callId, { suspend: () => undefined, recover: () => this.recover(call) }));
  }

  private onCancel(call: Call): void {
    const ringing = this.ringing.get(call.id);
    if (!ringing) {
      return;
    }
    // sip.js has answered the CANCEL itself; the INVITE still needs its 487 (RFC 3261 §9.2).
    ringing.answer.reject(487, 'Request Terminated');
    this.stopRinging(call);
    call.end('cancelled');
  }

  private onNoAnswer(call: Call): void {
    const ringing = this.ringing.get(call.id);
    if (!ringing || ringing.answering) {
      return;
    }
    if (ringing.quiet) {
      ringing.answer.reject(486, 'Busy Here', [warningHeader('the agent does not want to be disturbed')]);
    } else {
      ringing.answer.reject(480, 'Temporarily Unavailable');
    }
    this.stopRinging(call);
    call.end('no answer');
  }

  /** After a reconnection: the call's re-INVITE; a failure to rebuild ends the call with the reason. */
  private recover(call: Call): void {
    void call.recover().catch((error: unknown) => {
      this.log.warn('a call did not recover', { id: call.id, error: String(error) });
      call.hangUp(`could not recover after the network change: ${String(error)}`);
    });
  }

  /** Hard end after a fault in one of this call's handlers. */
  private abort(call: Call, reason: string): void {
    const ringing = this.ringing.get(call.id);
    ringing?.answer.reject(500, 'Server Internal Error');
    this.stopRinging(call);
    call.hangUp(reason);
  }

  private stopRinging(call: Call): void {
    const ringing = this.ringing.get(call.id);
    if (ringing) {
      this.deps.clock.clearTimeout(ringing.timer);
      ringing.slot?.release();
      this.ringing.delete(call.id);
    }
  }

  /** A call id unique in this sign-in (a counter) and across them (random), short enough to type. */
  private nextCallId(): string {
    this.sequence += 1;
    return `call-${this.sequence.toString(36)}-${this.deps.newId().replace(/[^0-9a-z]/gi, '').slice(-8)}`;
  }

  private track(call: Call): Call {
    this.calls.set(call.id, call);
    return call;
  }

  private announce(call: Call): void {
    this.engine.report({ type: 'call.state', id: call.id, state: call.state, peer: call.init.peer, conversationId: call.init.conversationId, outgoing: call.init.outgoing });
  }

  private callDeps(): ConstructorParameters<typeof Call>[0] {
    return {
      clock: this.deps.clock,
      logger: this.deps.logger,
      faults: this.engine.faults,
      emit: (event) => this.engine.report(event),
      contact: () => this.engine.userAgent.userAgentCore.configuration.contact.toString(),
      aor: this.engine.userAgent.userAgentCore.configuration.aor.toString(),
      onEnded: (call) => {
        this.stopRinging(call);
        this.calls.delete(call.id);
        if (!this.hasConversation(call.init.conversationId)) {
          this.onConversationEnded?.(call.init.conversationId);
        }
      },
    };
  }
}

/** An SDP body with an audio stream: a call, not an IM session (`m=message`). */
function isAudioOffer(request: IncomingInviteRequest): boolean {
  return /^m=audio\s/m.test(request.message.body ?? '');
}
