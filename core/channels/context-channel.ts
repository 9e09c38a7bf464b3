import type { IncomingInviteRequest, Session } from 'sip.js/lib/core/index.js';
import type { Clock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import { ChannelState, transitionChannel } from './channel-state';
import { InfoDeduplicator, INFO_SEQUENCE_HEADER, readInfoSequence } from './info-sequence';
import { InfoSender, type InfoOutcome } from './info-sender';
import { MIME_SESSION_INVITE, type SessionInvite } from './session-invite';

/** Where a channel reports what happens on it. */
export type ContextChannelEvents = {
  readonly onState: (channel: ContextChannel, state: ChannelState) => void;
  readonly onData: (channel: ContextChannel, contentType: string, body: string) => void;
};

/**
 * The agent's end of one conversation context channel: one INVITE dialog opened by a server
 * application (protocol-notes §1.4), then INFO both ways until BYE.
 *
 * @remarks
 * - Accepted with 200 and an empty body (open question 8) through sip.js's core layer; the
 *   channel is Established when the ACK arrives (a UAS may not BYE before, RFC 3261 §15).
 * - Incoming INFO of any type is delivered to the pane first, then answered 200 (open
 *   question 11), exactly once (a resend carrying a sequence number already seen is answered
 *   but not delivered) and in order (the core layer refuses out-of-order CSeqs).
 * - Outgoing INFO goes through {@link InfoSender}: one at a time, held while Recovering.
 * - Transport loss: Recovering; after the agent is registered again, a re-INVITE refreshes
 *   the dialog's target at the peer (RFC 3261 §12.2; the proxy's alias for our WebSocket
 *   changed), and its 200 brings the channel back to Established and releases queued INFO.
 * @public
 */
export class ContextChannel {
  private current = ChannelState.Idle;
  private session: Session | undefined;
  private sender: InfoSender | undefined;
  private readonly dedup = new InfoDeduplicator();
  private readonly log: Logger;
  /** Set once the initial context has been handed to the pane. */
  contextReported = false;

  constructor(
    readonly id: string,
    readonly conversationId: string,
    readonly invite: SessionInvite,
    readonly from: string,
    private readonly request: IncomingInviteRequest,
    private readonly events: ContextChannelEvents,
    logger: Logger,
    private readonly contact: () => string,
    private readonly clock: Clock,
  ) {
    this.log = logger.child('channel');
    this.move(ChannelState.Establishing);
  }

  get appId(): string {
    return this.invite.appId;
  }

  get state(): ChannelState {
    return this.current;
  }

  /** Answers 200 with an empty body; Established once the ACK arrives. */
  accept(): void {
    if (this.current !== ChannelState.Establishing || this.session) {
      return;
    }
    // sip.js's INVITE server adds our Contact to the 2xx itself (a second one would confuse the proxy).
    const response = this.request.accept({
      statusCode: 200,
      body: { contentDisposition: 'render', contentType: MIME_SESSION_INVITE, content: '' },
    });
    const session = response.session;
    this.session = session;
    this.sender = new InfoSender(session, this.clock, (status) => this.onPathFailure(status));
    session.delegate = {
      onAck: () => {
        if (this.current === ChannelState.Establishing) {
          this.move(ChannelState.Established);
        }
      },
      // RFC 3261 §13.3.1.4: a 2xx never acknowledged means the dialog must be ended with BYE.
      onAckTimeout: () => this.close('no ACK for our 200'),
      onInfo: (info) => {
        if (this.current === ChannelState.Terminated || this.current === ChannelState.Terminating) {
          info.reject({ statusCode: 481, reasonPhrase: 'Call/Transaction Does Not Exist' });
          return;
        }
        const message = info.message;
        if (this.dedup.accept(readInfoSequence(message.getHeader(INFO_SEQUENCE_HEADER)))) {
          this.events.onData(this, message.getHeader('content-type') ?? 'application/octet-stream', message.body ?? '');
        }
        info.accept();
      },
      onBye: (bye) => {
        bye.accept();
        this.end('peer sent BYE');
      },
      onInvite: (reinvite) => {
        reinvite.accept({
          statusCode: 200,
          extraHeaders: [`Contact: ${this.contact()}`],
          body: { contentDisposition: 'render', contentType: MIME_SESSION_INVITE, content: '' },
        });
      },
    };
  }

  /** Refuses the channel (the agent declined): 603 (protocol-notes open question 7). */
  decline(): void {
    if (this.current === ChannelState.Establishing && !this.session) {
      this.request.reject({ statusCode: 603, reasonPhrase: 'Decline' });
      this.move(ChannelState.Terminated);
    }
  }

  /** Sends data from the pane as INFO (resolves with the outcome). */
  send(contentType: string, body: string): Promise<InfoOutcome> {
    if (!this.sender || this.current === ChannelState.Terminating || this.current === ChannelState.Terminated) {
      return Promise.resolve({ seq: 0, ok: false, status: 0, reason: `channel is ${this.current}` });
    }
    return this.sender.send(contentType, body);
  }

  /** Ends the channel with BYE (pane closed, conversation ended). */
  close(reason: string): void {
    if (this.current === ChannelState.Terminated || this.current === ChannelState.Terminating) {
      return;
    }
    if (!this.session) {
      this.request.reject({ statusCode: 480, reasonPhrase: 'Temporarily Unavailable' });
      this.move(ChannelState.Terminated);
      return;
    }
    this.move(ChannelState.Terminating);
    try {
      this.session.bye();
    } catch (error) {
      this.log.debug('BYE not sent', { error: String(error) });
    }
    this.end(reason);
  }

  /** The transport dropped: hold outgoing data until the dialog is refreshed. */
  transportLost(): void {
    if (this.current === ChannelState.Established) {
      this.sender?.pause();
      this.move(ChannelState.Recovering);
    }
  }

  /**
   * Registered again on a new connection: refresh the dialog's target with a re-INVITE so the
   * peer reaches us through the new connection, then carry on.
   */
  transportRestored(): void {
    const session = this.session;
    if (this.current !== ChannelState.Recovering || !session) {
      return;
    }
    session.invite(
      {
        onAccept: (response) => {
          response.ack();
          if (this.current === ChannelState.Recovering) {
            this.move(ChannelState.Established);
            this.sender?.resume();
          }
        },
        onReject: (response) => {
          const status = response.message.statusCode ?? 0;
          this.log.warn('target refresh refused', { channel: this.id, status });
          if (status === 481 || status === 408) {
            this.end(`target refresh failed: ${status}`);
          }
        },
      },
      {
        extraHeaders: [`Contact: ${this.contact()}`],
        body: { contentDisposition: 'render', contentType: MIME_SESSION_INVITE, content: '' },
      },
    );
  }

  private onPathFailure(status: number): void {
    this.log.info('INFO did not get through; holding data until the dialog recovers', { channel: this.id, status });
    if (this.current === ChannelState.Established) {
      this.move(ChannelState.Recovering);
    }
  }

  private end(reason: string): void {
    if (this.current === ChannelState.Terminated) {
      return;
    }
    this.sender?.close(reason);
    this.move(ChannelState.Terminated);
    this.log.debug('channel ended', { channel: this.id, reason });
  }

  private move(next: ChannelState): void {
    this.current = transitionChannel(this.current, next);
    this.events.onState(this, next);
  }
}
