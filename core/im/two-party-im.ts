/**
 * Two-party instant messaging: Lync IM sessions both ways, pager-mode MESSAGE as the fallback
 * and from anyone.
 * @packageDocumentation
 */
import { Messager, UserAgent, type Message } from 'sip.js';
import type { AgentEvent } from '../../common/agent-events';
import { LIMITS } from '../agent/limits';
import { encodeBase64 } from '../codecs/base64';
import type { Clock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import type { DialogRecovery } from '../sip/dialog-recovery';
import type { FaultBoundary } from '../sip/fault-boundary';
import type { InviteAnswer } from '../sip/invite-answer';
import type { InviteRouter } from '../sip/invite-router';
import { warningHeader } from '../channels/warning-text';
import { IM_ACCEPT_TYPES, imTextOf } from './im-content';
import { mediaTypeOf } from '../sip/invite-router';
import { MIME_IS_COMPOSING, parseTypingNotice } from './im-notices';
import { imEventOf } from './im-events';
import type { ImReport } from './im-session';
import { parseMessageSdp } from './message-sdp';
import { firstMessageOf, PeerSession } from './peer-session';

/** The part of the agent engine two-party IM uses. @public */
export type TwoPartyImEngine = {
  readonly userAgent: UserAgent;
  readonly faults: FaultBoundary;
  readonly recovery: DialogRecovery;
  readonly invites: InviteRouter;
  report(event: AgentEvent): void;
  handleMessages(handler: (message: Message) => number): void;
  addStopHook(hook: () => Promise<void>): void;
};

/** Ports of {@link TwoPartyIm}. @public */
export type TwoPartyImDeps = {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Random bytes for conversation ids (`Ms-Conversation-ID`) and message ids. */
  readonly randomBytes: (n: number) => Uint8Array;
  /** Whether an id is taken by another kind of conversation (a conference's). */
  readonly isOtherConversation: (conversationId: string) => boolean;
};

/** An `im` command for a two-party conversation. @public */
export type TwoPartySend = { readonly to?: string; readonly conversationId?: string; readonly text: string; readonly contentType?: 'text/plain' | 'text/html'; readonly id?: string };

/** Outcome of a send. @public */
export type ImSendResult = { readonly ok: true; readonly messageId: string; readonly conversationId: string } | { readonly ok: false; readonly message: string };

type Waiting = { readonly id: string; readonly text: string; readonly contentType: 'text/plain' | 'text/html' };

type Conversation = {
  readonly id: string;
  readonly peer: string;
  session: PeerSession | undefined;
  /** Messages written while our INVITE is pending: the first rides in it. */
  waiting: Waiting[] | undefined;
  lastTypingNotice: number | undefined;
};

/** Pager-mode typing notices are refreshed at most this often (RFC 3994 §4: 15 s idle, 60 s refresh bounds). */
const PAGER_TYPING_MS = 15_000;

/**
 * The agent's two-party conversations.
 *
 * @remarks
 * - An IM INVITE (`m=message` SDP, im-presence §2.2) is answered at once; the conversation is
 *   the INVITE's `Ms-Conversation-ID` (a new one when absent, or when it names another peer's or
 *   a conference's conversation, which a stranger must not join). A new INVITE from a peer we
 *   have a session with replaces the old session (pidgin-sipe). The text of `ms-text-format`
 *   is a preview only (open question 21). An SDP INVITE that is not IM gets 488.
 * - Sending to a peer opens a session (§2.1); 405, 415, 488, 501 or 606 (or a non-IM answer)
 *   turns that peer to pager mode for the sign-in, and every message waiting goes as MESSAGE
 *   (RFC 3428, open question 24).
 * - A pager-mode MESSAGE from anyone joins that peer's conversation (or starts one) and can be
 *   answered: the reply goes the way the peer came, in pager mode (§2.6).
 * - At most {@link LIMITS}.imConversations sessions at once; past it an INVITE gets 486.
 * @public
 */
export class TwoPartyIm {
  private readonly conversations = new Map<string, Conversation>();
  private readonly pagerPeers = new Set<string>();
  private readonly log: Logger;
  private nextId = 0;

  constructor(
    private readonly engine: TwoPartyImEngine,
    private readonly deps: TwoPartyImDeps,
  ) {
    this.log = deps.logger.child('im');
    engine.invites.handle('application/sdp', (answer) => this.onInvite(answer), (request) => parseMessageSdp(request.message.body ?? '') !== undefined || !/^m=audio\s/m.test(request.message.body ?? ''));
    engine.handleMessages((message) => this.onPagerMessage(message));
    engine.addStopHook(() => Promise.resolve(this.dispose()));
  }

  /** Whether `conversationId` is a two-party conversation of this sign-in. */
  has(conversationId: string): boolean {
    return this.conversations.has(conversationId);
  }

  /** Sends a message to a peer (`to`) or into a two-party conversation (`conversationId`). */
  send(command: TwoPartySend): ImSendResult {
    const conversation = command.conversationId !== undefined ? this.conversations.get(command.conversationId) : this.conversationWith(command.to ?? '') ?? this.newConversation(command.to ?? '');
    if (!conversation) {
      return { ok: false, message: `no two-party conversation ${command.conversationId ?? ''}` };
    }
    if (UserAgent.makeURI(conversation.peer) === undefined) {
      return { ok: false, message: `not a SIP URI: ${conversation.peer}` };
    }
    const id = command.id ?? this.messageId();
    const contentType = command.contentType ?? 'text/plain';
    const self = this.engine.userAgent.userAgentCore.configuration.aor.toString();
    this.engine.report({ type: 'im', conversationId: conversation.id, from: self, contentType, text: command.text, messageId: id, outgoing: true, peer: conversation.peer });
    this.deliver(conversation, { id, text: command.text, contentType });
    return { ok: true, messageId: id, conversationId: conversation.id };
  }

  /** The agent is typing (or stopped) in a two-party conversation. */
  typing(conversationId: string, typing: boolean): boolean {
    const conversation = this.conversations.get(conversationId);
    if (!conversation) {
      return false;
    }
    if (conversation.session && !conversation.session.ended && conversation.waiting === undefined) {
      conversation.session.session.typing(typing);
    } else if (this.pagerPeers.has(conversation.peer.toLowerCase())) {
      this.pagerTyping(conversation, typing);
    }
    return true;
  }

  /** Ends every session (agent stopping). */
  dispose(): void {
    for (const conversation of this.conversations.values()) {
      conversation.session?.hangUp('agent stopping');
    }
  }

  private deliver(conversation: Conversation, message: Waiting): void {
    if (conversation.waiting !== undefined) {
      conversation.waiting.push(message);
    } else if (conversation.session && !conversation.session.ended) {
      conversation.session.session.send(message.id, message.text, `${message.contentType}; charset=UTF-8`);
    } else if (this.pagerPeers.has(conversation.peer.toLowerCase())) {
      this.sendPager(conversation, message);
    } else {
      conversation.waiting = [message];
      void this.openSession(conversation);
    }
  }

  /** Our INVITE, then what waited: into the session, as pager MESSAGEs, or failed. */
  private async openSession(conversation: Conversation): Promise<void> {
    const session = this.makeSession(conversation);
    conversation.session = session;
    const first = conversation.waiting?.[0];
    this.state(conversation, 'connecting');
    const outcome = await session.invite(this.headerOf(conversation.id), first?.contentType === 'text/plain' ? first.text : undefined);
    const waiting = conversation.waiting ?? [];
    conversation.waiting = undefined;
    if (outcome.ok) {
      this.state(conversation, 'connected');
      const [head, ...rest] = waiting;
      if (head && outcome.firstMessageTaken && head === first && first.contentType === 'text/plain') {
        this.engine.report({ type: 'im.delivery', conversationId: conversation.id, messageId: head.id, state: 'delivered' });
      } else if (head) {
        rest.unshift(head);
      }
      rest.forEach((m) => session.session.send(m.id, m.text, `${m.contentType}; charset=UTF-8`));
      session.release();
      return;
    }
    if (outcome.pagerInstead) {
      this.log.info('peer takes no IM sessions; using pager mode', { peer: conversation.peer, status: outcome.status });
      this.pagerPeers.add(conversation.peer.toLowerCase());
      waiting.forEach((m) => this.sendPager(conversation, m));
      return;
    }
    for (const m of waiting) {
      this.engine.report({ type: 'im.delivery', conversationId: conversation.id, messageId: m.id, state: 'failed', reason: outcome.reason });
    }
  }

  private onInvite(answer: InviteAnswer): void {
    const message = answer.request.message;
    if (parseMessageSdp(message.body ?? '') === undefined) {
      this.log.warn('refusing an SDP INVITE that is not an IM session', { callId: answer.callId });
      answer.reject(488, 'Not Acceptable Here', [warningHeader('this endpoint takes IM sessions (m=message) only')]);
      return;
    }
    const peer = message.from.uri.toString();
    if (/opaque=app:conf:/i.test(peer)) {
      // Open question 31: MCU dial-out is not taken; chats are joined through invitations.
      answer.reject(488, 'Not Acceptable Here', [warningHeader('dial-out from a conference MCU is not taken; send an invitation')]);
      return;
    }
    const live = [...this.conversations.values()].filter((c) => c.session && !c.session.ended).length;
    if (live >= LIMITS.imConversations) {
      answer.reject(486, 'Busy Here', [warningHeader('too many IM sessions at once')]);
      return;
    }
    const conversation = this.incomingConversation(peer, message.getHeader('ms-conversation-id')?.trim());
    conversation.session?.hangUp('replaced by a new session from the peer');
    const session = this.makeSession(conversation);
    conversation.session = session;
    conversation.waiting = undefined;
    if (session.answer(answer, this.engine.userAgent.userAgentCore.configuration.contact.toString())) {
      const preview = firstMessageOf(message);
      this.state(conversation, 'connected', undefined, preview);
    }
  }

  private onPagerMessage(message: Message): number {
    const request = message.request;
    const peer = request.from.uri.toString();
    const contentType = request.getHeader('content-type') ?? 'text/plain';
    if (mediaTypeOf(contentType) === MIME_IS_COMPOSING) {
      const notice = parseTypingNotice(request.body);
      const conversation = this.conversationWith(peer);
      if (conversation && notice !== undefined) {
        this.engine.report({ type: 'im.typing', conversationId: conversation.id, from: peer, typing: notice === 'typing' });
      }
      void message.accept().catch(() => undefined);
      return 200;
    }
    const text = imTextOf(contentType, request.body);
    if (!text.ok) {
      void message.reject({ statusCode: 415, reasonPhrase: 'Unsupported Media Type', extraHeaders: [`Accept: ${IM_ACCEPT_TYPES.join(', ')}`] }).catch(() => undefined);
      return 415;
    }
    void message.accept().catch(() => undefined);
    const conversation = this.conversationWith(peer) ?? this.newConversation(peer);
    if (!conversation.session || conversation.session.ended) {
      // It wrote to us outside any session: answer the same way (im-presence §2.6).
      this.pagerPeers.add(peer.toLowerCase());
    }
    this.engine.report({ type: 'im', conversationId: conversation.id, from: peer, contentType: text.contentType, text: text.text, messageId: this.messageId(), pager: true, peer });
    return 200;
  }

  private sendPager(conversation: Conversation, message: Waiting): void {
    const target = UserAgent.makeURI(conversation.peer);
    const report = (state: 'sent' | 'delivered' | 'failed', reason?: string): void =>
      this.engine.report({ type: 'im.delivery', conversationId: conversation.id, messageId: message.id, state, ...(reason !== undefined && { reason }) });
    if (!target) {
      report('failed', `not a SIP URI: ${conversation.peer}`);
      return;
    }
    const settle = (status: number, reason: string): void => report(status === 202 ? 'sent' : status >= 200 && status < 300 ? 'delivered' : 'failed', status >= 300 || status === 0 ? `${status} ${reason}` : undefined);
    new Messager(this.engine.userAgent, target, message.text, `${message.contentType}; charset=UTF-8`)
      .message({
        requestDelegate: {
          onAccept: (r) => settle(r.message.statusCode ?? 0, r.message.reasonPhrase ?? ''),
          onReject: (r) => settle(r.message.statusCode ?? 0, r.message.reasonPhrase ?? ''),
        },
      })
      .catch((error: unknown) => settle(0, String(error)));
  }

  private pagerTyping(conversation: Conversation, typing: boolean): void {
    const now = this.deps.clock.monotonic();
    if (typing && conversation.lastTypingNotice !== undefined && now - conversation.lastTypingNotice < PAGER_TYPING_MS) {
      return;
    }
    conversation.lastTypingNotice = typing ? now : undefined;
    const target = UserAgent.makeURI(conversation.peer);
    const body = `<?xml version="1.0" encoding="UTF-8"?><isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>${typing ? 'active' : 'idle'}</state><contenttype>text/plain</contenttype>${typing ? '<refresh>60</refresh>' : ''}</isComposing>`;
    if (target) {
      void new Messager(this.engine.userAgent, target, body, MIME_IS_COMPOSING).message().catch(() => undefined);
    }
  }

  private makeSession(conversation: Conversation): PeerSession {
    let unrecover: (() => void) | undefined;
    const session = new PeerSession(
      {
        ua: this.engine.userAgent,
        clock: this.deps.clock,
        logger: this.deps.logger,
        faults: this.engine.faults,
        report: (report) => this.onReport(conversation, report),
        onEnded: (reason) => {
          unrecover?.();
          if (conversation.session === session) {
            this.state(conversation, 'ended', reason);
          }
        },
        onDialog: (callId) => {
          unrecover = this.engine.recovery.register(callId, {
            suspend: () => session.suspend(),
            recover: () => session.recover(() => this.engine.userAgent.userAgentCore.configuration.contact.toString()),
          });
          this.engine.report({ type: 'dialog', conversationId: conversation.id, callId, role: 'im', peer: conversation.peer });
        },
      },
      conversation.peer,
    );
    return session;
  }

  private onReport(conversation: Conversation, report: ImReport): void {
    const event = imEventOf(report, { conversationId: conversation.id, imFields: { peer: conversation.peer }, newMessageId: () => this.messageId() });
    if (event) {
      this.engine.report(event);
    }
  }

  private state(conversation: Conversation, state: 'connecting' | 'connected' | 'ended', reason?: string, preview?: string): void {
    this.engine.report({
      type: 'im.state',
      conversationId: conversation.id,
      peer: conversation.peer,
      state,
      ...(reason !== undefined && { reason }),
      ...(preview !== undefined && { preview }),
    });
  }

  /** The conversation an incoming session joins: its `Ms-Conversation-ID` when that is safe. */
  private incomingConversation(peer: string, header: string | undefined): Conversation {
    const id = header !== undefined && header !== '' && header.length <= 256 && /^[\x21-\x7e]+$/.test(header) ? header : undefined;
    const existing = id === undefined ? undefined : this.conversations.get(id);
    if (existing && existing.peer.toLowerCase() === peer.toLowerCase()) {
      return existing;
    }
    if (id !== undefined && !existing && !this.deps.isOtherConversation(id)) {
      return this.addConversation(id, peer);
    }
    return this.newConversation(peer);
  }

  /** The latest conversation with `peer`, preferring one with a live session. */
  private conversationWith(peer: string): Conversation | undefined {
    const mine = [...this.conversations.values()].filter((c) => c.peer.toLowerCase() === peer.toLowerCase());
    return mine.reverse().find((c) => c.session && !c.session.ended) ?? mine[0];
  }

  private newConversation(peer: string): Conversation {
    return this.addConversation(this.headerOf(undefined), peer);
  }

  private addConversation(id: string, peer: string): Conversation {
    const conversation: Conversation = { id, peer, session: undefined, waiting: undefined, lastTypingNotice: undefined };
    this.conversations.set(id, conversation);
    // Bounded: the oldest conversations without a live session are forgotten first.
    if (this.conversations.size > LIMITS.imConversations * 4) {
      const idle = [...this.conversations.values()].find((c) => !c.session || c.session.ended);
      if (idle) {
        this.conversations.delete(idle.id);
      }
    }
    return conversation;
  }

  /** A conversation id in the shape Lync uses for `Ms-Conversation-ID`: random, base64. */
  private headerOf(existing: string | undefined): string {
    return existing ?? encodeBase64(this.deps.randomBytes(16)).replace(/=+$/, '');
  }

  private messageId(): string {
    this.nextId += 1;
    return `m${this.nextId}`;
  }
}
