import type { Session, SessionDelegate } from 'sip.js/lib/core/index.js';
import { LIMITS } from '../agent/limits';
import type { Clock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import type { FaultBoundary } from '../sip/fault-boundary';
import type { InviteAnswer } from '../sip/invite-answer';
import type { Recoverable } from '../sip/dialog-recovery';
import { refreshTarget, type TargetRefresh } from '../sip/target-refresh';
import { ChannelState, transitionChannel } from './channel-state';
import { InfoDeduplicator, INFO_SEQUENCE_HEADER, readInfoSequence } from './info-sequence';
import { InfoSender, type InfoOutcome } from './info-sender';
import { MIME_SESSION_INVITE, type SessionInvite } from './session-invite';

/** Where a channel reports what happens on it. */
export type ContextChannelEvents = {
  readonly onState: (channel: ContextChannel, state: ChannelState) => void;
  readonly onData: (channel: ContextChannel, contentType: string, body: string) => void;
};

/** Ports of one channel. */
export type ContextChannelDeps = {
  readonly events: ContextChannelEvents;
  readonly logger: Logger;
  /** Our current Contact (it changes with each connection). */
  readonly contact: () => string;
  readonly clock: Clock;
  readonly faults: FaultBoundary;
  /** Longest single INFO body delivered to the pane (default {@link LIMITS}.infoBodyChars). */
  readonly maxInfoChars?: number;
};

/**
 * The agent's end of one conversation context channel: one INVITE dialog opened by a server
 * application (protocol-notes §1.4), then INFO both ways until BYE.
 *
 * @remarks
 * - Accepted with 200 and an empty body (open question 8) through sip.js's core layer; the
 *   channel is Established when the ACK arrives (a UAS may not BYE before, RFC 3261 §15).
 * - Every answer to the INVITE goes through {@link InviteAnswer}: a CANCEL (487), the agent's
 *   decline (603), the answer timeout (480) and a teardown can race in any order and the
 *   INVITE still gets exactly one final response.
 * - Incoming INFO of any type is delivered to the pane first, then answered 200 (open
 *   question 11), exactly once (a resend carrying a sequence number already seen is answered
 *   but not delivered) and in order (the core layer refuses out-of-order CSeqs). A body over
 *   64,000 characters gets 413 (open question 12), an `Info-Package` we never offered 469
 *   (RFC 6086 §4.2.2), and INFO on a dead channel 481 (open question 10).
 * - Outgoing INFO goes through {@link InfoSender}: one at a time, held while Recovering.
 * - Transport loss: Recovering; after the agent is registered again, a re-INVITE refreshes
 *   the dialog's target at the peer (RFC 3261 §12.2; the proxy's alias for our WebSocket
 *   changed), retried after 491 glare (RFC 3261 §14.1: we did not make the Call-ID, so 0–2 s)
 *   and after passing failures, then given up with BYE; its 200 brings the channel back to
 *   Established and releases queued INFO.
 * - Every delegate runs inside the {@link FaultBoundary}; a fault ends this channel alone.
 * @public
 */
export class ContextChannel implements Recoverable {
  private current = ChannelState.Idle;
  private session: Session | undefined;
  private sender: InfoSender | undefined;
  private refresh: TargetRefresh | undefined;
  /** A BYE sip.js refused before the ACK of our 2xx (RFC 3261 §15), to send once the ACK comes. */
  private byeOwed = false;
  private readonly dedup = new InfoDeduplicator();
  private readonly log: Logger;
  private readonly release: () => void;
  /** Set once the initial context has been handed to the pane. */
  contextReported = false;

  constructor(
    readonly id: string,
    readonly conversationId: string,
    readonly invite: SessionInvite,
    readonly from: string,
    private readonly answer: InviteAnswer,
    private readonly deps: ContextChannelDeps,
  ) {
    this.log = deps.logger.child('channel');
    this.release = deps.faults.own(answer.callId, (reason) => this.abort(reason));
    this.move(ChannelState.Establishing);
  }

  get appId(): string {
    return this.invite.appId;
  }

  get state(): ChannelState {
    return this.current;
  }

  /** The Call-ID of the channel's dialog. */
  get callId(): string {
    return this.answer.callId;
  }

  /** Queued outgoing INFOs (in flight included). */
  get pendingSends(): number {
    return this.sender?.pending ?? 0;
  }

  /** Whether a timer of this channel is armed (nothing may outlive a terminated channel). */
  get hasTimers(): boolean {
    return this.refresh !== undefined || (this.sender?.retrying ?? false);
  }

  /** Answers 200 with an empty body; Established once the ACK arrives. */
  accept(): void {
    if (this.current !== ChannelState.Establishing || this.session) {
      return;
    }
    // sip.js's INVITE server adds our Contact to the 2xx itself (a second one would confuse the proxy).
    const session = this.answer.accept({
      statusCode: 200,
      body: { contentDisposition: 'render', contentType: MIME_SESSION_INVITE, content: '' },
    });
    if (!session) {
      this.end('the request was already answered');
      return;
    }
    this.session = session;
    this.sender = new InfoSender(session, this.deps.clock, { onDialogGone: (status) => this.end(`peer answered ${status}: dialog gone`) });
    // INFO flows only once Established (channel-state.ts): a send before the ACK waits for it.
    this.sender.pause();
    session.delegate = this.deps.faults.guard(this.callId, 'channel', this.sessionDelegate());
  }

  /** Tells the sender the agent is being alerted (180 Ringing). */
  ring(): void {
    if (this.current === ChannelState.Establishing && !this.session) {
      this.answer.progress(180, 'Ringing');
    }
  }

  /** Refuses the channel (the agent declined): 603 (protocol-notes open question 7). */
  decline(): void {
    this.refuse(603, 'Decline', 'declined');
  }

  /** The sender withdrew the request with CANCEL: 487 (RFC 3261 §9.2). */
  cancelled(): void {
    this.refuse(487, 'Request Terminated', 'cancelled');
  }

  /** Sends data from the pane as INFO (resolves with the outcome). */
  send(contentType: string, body: string): Promise<InfoOutcome> {
    if (!this.sender || this.current === ChannelState.Terminating || this.current === ChannelState.Terminated) {
      return Promise.resolve({ seq: 0, ok: false, status: 0, reason: `channel is ${this.current}` });
    }
    return this.sender.send(contentType, body);
  }

  /**
   * Ends the channel: while it rings, a refusal (480 unless `refusal` says otherwise, e.g. 486
   * under Do not disturb); else BYE (pane closed, conversation ended).
   */
  close(reason: string, refusal: { readonly status: number; readonly phrase: string } = { status: 480, phrase: 'Temporarily Unavailable' }): void {
    if (this.current === ChannelState.Terminated || this.current === ChannelState.Terminating) {
      return;
    }
    if (!this.session) {
      this.refuse(refusal.status, refusal.phrase, reason);
      return;
    }
    this.move(ChannelState.Terminating);
    this.sendBye();
    this.end(reason);
  }

  /** The transport dropped: hold outgoing data until the dialog is refreshed ({@link Recoverable}). */
  suspend(): void {
    if (this.current === ChannelState.Established) {
      this.sender?.pause();
      this.move(ChannelState.Recovering);
    }
  }

  /**
   * Registered again on a new connection: refresh the dialog's target with a re-INVITE so the
   * peer reaches us through the new connection ({@link refreshTarget}), then carry on.
   */
  recover(): void {
    if (this.current !== ChannelState.Recovering || !this.session) {
      return;
    }
    this.refreshTarget(this.session);
  }

  private sessionDelegate(): SessionDelegate {
    return {
      onAck: () => {
        if (this.current === ChannelState.Establishing) {
          this.move(ChannelState.Established);
          this.sender?.resume();
        } else if (this.byeOwed) {
          this.sendBye();
        }
      },
      // RFC 3261 §13.3.1.4: a 2xx never acknowledged means the dialog must be ended with BYE.
      onAckTimeout: () => (this.byeOwed ? this.sendBye() : this.close('no ACK for our 200')),
      onInfo: (info) => {
        const message = info.message;
        if (this.current === ChannelState.Terminated || this.current === ChannelState.Terminating) {
          info.reject({ statusCode: 481, reasonPhrase: 'Call/Transaction Does Not Exist' });
        } else if (message.getHeader('info-package') !== undefined) {
          info.reject({ statusCode: 469, reasonPhrase: 'Bad Info Package', extraHeaders: ['Recv-Info:'] });
        } else if ((message.body ?? '').length > (this.deps.maxInfoChars ?? LIMITS.infoBodyChars)) {
          this.log.warn('INFO body too large for the pane; refused', { channel: this.id, chars: (message.body ?? '').length });
          info.reject({ statusCode: 413, reasonPhrase: 'Request Entity Too Large' });
        } else {
          if (this.dedup.accept(readInfoSequence(message.getHeader(INFO_SEQUENCE_HEADER)))) {
            this.deps.events.onData(this, message.getHeader('content-type') ?? 'application/octet-stream', message.body ?? '');
          }
          info.accept();
        }
      },
      onBye: (bye) => {
        bye.accept();
        this.end('peer sent BYE');
      },
      onInvite: (reinvite) => {
        reinvite.accept({
          statusCode: 200,
          extraHeaders: [`Contact: ${this.deps.contact()}`],
          body: { contentDisposition: 'render', contentType: MIME_SESSION_INVITE, content: '' },
        });
      },
      // Nothing else belongs on a channel (RFC 3261 §12.2.2: 405 with Allow).
      onMessage: (message) => message.reject({ statusCode: 405, reasonPhrase: 'Method Not Allowed', extraHeaders: ['Allow: INVITE, ACK, BYE, CANCEL, INFO'] }),
      onNotify: (notify) => notify.reject({ statusCode: 481, reasonPhrase: 'Subscription Does Not Exist' }),
      onRefer: (refer) => refer.reject({ statusCode: 405, reasonPhrase: 'Method Not Allowed', extraHeaders: ['Allow: INVITE, ACK, BYE, CANCEL, INFO'] }),
    };
  }

  private refreshTarget(session: Session): void {
    this.refresh?.cancel();
    const refresh = refreshTarget({
      session,
      callId: this.callId,
      contact: this.deps.contact,
      body: { contentDisposition: 'render', contentType: MIME_SESSION_INVITE, content: '' },
      ownsCallId: false,
      clock: this.deps.clock,
      faults: this.deps.faults,
      logger: this.log,
    });
    this.refresh = refresh;
    void refresh.outcome.then((outcome) => {
      if (this.refresh !== refresh || this.current !== ChannelState.Recovering) {
        return;
      }
      this.refresh = undefined;
      if (outcome === 'refreshed') {
        this.move(ChannelState.Established);
        this.sender?.resume();
      } else if (outcome === 'gone') {
        this.end('target refresh failed: the peer no longer has the dialog');
      } else {
        this.close('target refresh failed');
      }
    });
  }

  /** Final non-2xx answer while the request rings (no dialog yet). */
  private refuse(status: number, phrase: string, reason: string): void {
    if (this.current !== ChannelState.Establishing || this.session) {
      return;
    }
    this.answer.reject(status, phrase);
    this.end(reason);
  }

  /** Hard end after a fault in one of our handlers: answer 500 or BYE, whatever state. */
  private abort(reason: string): void {
    if (this.current === ChannelState.Terminated) {
      return;
    }
    this.answer.reject(500, 'Server Internal Error');
    if (this.session && this.current !== ChannelState.Terminating) {
      this.sendBye();
    }
    this.end(reason);
  }

  private sendBye(): void {
    try {
      this.session?.bye();
      this.byeOwed = false;
    } catch (error) {
      // RFC 3261 §15: a UAS may not BYE before the ACK of its 2xx (or the transaction timing out),
      // and sip.js throws; closed meanwhile, the channel still owes the peer that BYE, else the
      // dialog stays confirmed at the peer and in sip.js for good.
      this.byeOwed = true;
      this.log.debug('BYE not sent yet', { channel: this.id, error: String(error) });
    }
  }

  private end(reason: string): void {
    if (this.current === ChannelState.Terminated) {
      return;
    }
    const refresh = this.refresh;
    this.refresh = undefined;
    refresh?.cancel();
    this.sender?.close(reason);
    // Ended without a BYE of ours (481/408, gave up): sip.js would keep the dialog forever.
    // After a BYE it is already gone; a BYE still owed needs it until the ACK.
    if (!this.byeOwed) {
      this.session?.dispose();
    }
    this.release();
    this.move(ChannelState.Terminated);
    this.log.debug('channel ended', { channel: this.id, reason });
  }

  private move(next: ChannelState): void {
    this.current = transitionChannel(this.current, next);
    this.deps.events.onState(this, next);
  }
}
