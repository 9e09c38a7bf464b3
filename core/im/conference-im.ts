/**
 * The agent's dialog with a conference's IM MCU (the "chat" MCU).
 * @packageDocumentation
 */
import { UserAgent } from 'sip.js';
import type { AgentEvent } from '../../common/agent-events';
import type { Clock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import type { FaultBoundary } from '../sip/fault-boundary';
import { OutgoingDialog } from '../sip/outgoing-dialog';
import type { RefreshOutcome } from '../sip/target-refresh';
import { imEventOf } from './im-events';
import { ImSession, type ImReport } from './im-session';
import { buildMessageSdp, parseMessageSdp } from './message-sdp';
import { imRequestHandlers, sessionImPort } from './sip-im-port';

/** What a conference's IM dialog runs on and reports to. @public */
export type ConferenceImDeps = {
  readonly ua: UserAgent;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly faults: FaultBoundary;
  readonly emit: (event: AgentEvent) => void;
  readonly focusUri: string;
  /** The conversation the conference belongs to; the focus URI when it has none. */
  readonly conversationId: string;
  /** Called with the Call-ID of the IM INVITE once it is built. */
  readonly onDialog: (callId: string) => void;
  /** A fresh id for a received message. */
  readonly newMessageId: () => string;
};

/** States of {@link ConferenceIm}: im.state's `connecting`, `connected`, `ended`. @public */
export type ConferenceImState = 'connecting' | 'connected' | 'ended';

/**
 * Conference IM: a direct INVITE to the IM MCU with an `m=message` SDP, then MESSAGE both ways
 * in that dialog.
 *
 * @remarks
 * - im-presence §1.1–§1.2: the chat URI from `conf-uris` (purpose `chat`), derived from the focus
 *   URI when absent; `Supported: ms-sender` and `timer`; no `Ms-Conversation-ID`, `Roster-Manager`
 *   or `EndPoints` (two-party and legacy fields).
 * - Messages sent before the 200 wait for it (§1.3); received ones are authored by `Ms-Sender`
 *   (§1.4); delivery reports come as BENOTIFY in this dialog (the conference manager routes
 *   them here) or NOTIFY; typing is received but never sent (open question 22).
 * - Leaving BYEs this dialog (§1.8). A BYE from the MCU means "removed from the chat" (§1.4):
 *   the conference carries on without IM.
 * @public
 */
export class ConferenceIm {
  private readonly dialog: OutgoingDialog;
  private readonly session: ImSession;
  private status: ConferenceImState = 'connecting';
  private readonly log: Logger;

  constructor(
    private readonly deps: ConferenceImDeps,
    readonly chatUri: string,
  ) {
    this.log = deps.logger.child('conference-im');
    this.session = new ImSession({
      port: sessionImPort(
        () => this.dialog.session,
        () => this.dialog.end(),
      ),
      clock: deps.clock,
      logger: deps.logger,
      peer: chatUri,
      conference: true,
      held: true,
      report: (report) => this.onReport(report),
    });
    this.dialog = new OutgoingDialog({ ua: deps.ua, clock: deps.clock, faults: deps.faults, log: this.log }, 'IM MCU', {
      onDialog: (callId) => deps.onDialog(callId),
      onRemoteBye: () => this.ended('removed from the chat by the IM MCU'),
      requests: imRequestHandlers(() => (this.status === 'ended' ? undefined : this.session)),
    });
  }

  /** `connecting`, `connected` or `ended`. */
  get state(): ConferenceImState {
    return this.status;
  }

  /** Call-ID of the IM dialog, once its INVITE is built. */
  get callId(): string | undefined {
    return this.dialog.callId;
  }

  /** INVITEs the IM MCU; resolves when it answered (or the join failed). */
  async connect(): Promise<void> {
    const target = UserAgent.makeURI(this.chatUri);
    this.emitState('connecting');
    if (!target) {
      this.ended(`not a SIP URI: ${this.chatUri}`);
      return;
    }
    const invite = {
      optionTags: ['ms-sender', 'timer'],
      extraHeaders: [],
      body: { contentDisposition: 'session', contentType: 'application/sdp', content: buildMessageSdp() },
    };
    const outcome = await this.dialog.invite<{ ok: true; sdp: string } | { ok: false; reason: string }>(target, invite, {
      accepted: (response) => ({ ok: true, sdp: response.message.body ?? '' }),
      refused: (status, reason) => ({ ok: false, reason: status === 0 ? reason : `${status} ${reason}` }),
      left: () => ({ ok: false, reason: 'left before the IM MCU answered' }),
    });
    if (this.status === 'ended') {
      return;
    }
    if (!outcome.ok) {
      this.log.warn('the IM MCU refused us', { chatUri: this.chatUri, reason: outcome.reason });
      this.ended(`joining the chat failed: ${outcome.reason}`);
      return;
    }
    if (parseMessageSdp(outcome.sdp) === undefined) {
      // The MCU took an IM offer but answered with something else: no chat to speak of.
      this.dialog.end();
      this.ended('the IM MCU answered without an m=message session');
      return;
    }
    this.status = 'connected';
    this.emitState('connected');
    this.session.release();
  }

  /**
   * Queues a message for the conference; its `im` (outgoing) event is emitted at once and its
   * `im.delivery` events follow.
   * @returns false when the chat has ended or the queue is full
   */
  send(messageId: string, text: string, contentType: 'text/plain' | 'text/html' = 'text/plain'): boolean {
    if (this.status === 'ended' || !this.session.send(messageId, text, `${contentType}; charset=UTF-8`)) {
      return false;
    }
    const self = this.deps.ua.userAgentCore.configuration.aor.toString();
    this.deps.emit({ type: 'im', conversationId: this.deps.conversationId, focusUri: this.deps.focusUri, from: self, contentType, text, messageId, outgoing: true });
    return true;
  }

  /** Whether a request with this Call-ID is in our IM dialog (BENOTIFY routing). */
  owns(callId: string): boolean {
    return this.status !== 'ended' && this.dialog.callId === callId;
  }

  /** A delivery report that came as BENOTIFY in our dialog. */
  deliveryReport(body: string): void {
    this.session.deliveryReport(body);
  }

  /** The transport is gone: hold what is queued. */
  suspend(): void {
    this.session.hold();
  }

  /**
   * After a reconnection: a re-INVITE with our new Contact and the same offer. `gone` or
   * `failed` means the MCU dropped us: the caller joins the chat afresh.
   */
  async refreshTarget(): Promise<RefreshOutcome> {
    if (this.status !== 'connected') {
      return 'gone';
    }
    const outcome = await this.dialog.refreshTarget({ body: { contentDisposition: 'session', contentType: 'application/sdp', content: buildMessageSdp() } });
    if (outcome === 'refreshed') {
      this.session.release();
    }
    return outcome;
  }

  /** Leaves the chat (BYE), staying in the conference if the caller does. */
  leave(reason: string): void {
    if (this.status === 'ended') {
      return;
    }
    this.dialog.end();
    this.ended(reason);
  }

  private ended(reason: string): void {
    if (this.status === 'ended') {
      return;
    }
    this.status = 'ended';
    this.session.close(reason);
    this.emitState('ended', reason);
  }

  private onReport(report: ImReport): void {
    if (report.kind === 'dead') {
      this.leave(`the IM MCU lost our dialog (${report.status})`);
      return;
    }
    const event = imEventOf(report, { conversationId: this.deps.conversationId, imFields: { focusUri: this.deps.focusUri }, newMessageId: this.deps.newMessageId });
    if (event) {
      this.deps.emit(event);
    }
  }

  private emitState(state: ConferenceImState, reason?: string): void {
    this.deps.emit({ type: 'im.state', conversationId: this.deps.conversationId, focusUri: this.deps.focusUri, state, ...(reason !== undefined && { reason }) });
  }
}
