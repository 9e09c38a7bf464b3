import type { UserAgent } from 'sip.js';
import type { IncomingInviteRequest, IncomingMessageRequest, IncomingResponse, Session } from 'sip.js/lib/core/index.js';
import { imTextOf } from '../../core/im/im-content';
import { buildMessageSdp, parseMessageSdp } from '../../core/im/message-sdp';
import type { Logger } from '../../core/ports/logger';
import { makeInitialInvite } from '../../core/sip/outgoing-invite';

/** A message the lab's IM peer received. */
export type LabImMessage = { readonly from: string; readonly text: string; readonly pager: boolean; readonly at: number };

/**
 * The lab's two-party IM peer (the contact center's own identity): answers IM sessions (an
 * INVITE with an `m=message` SDP, im-presence §2.2) and pager-mode MESSAGE, opens sessions to
 * agents (§2.1), and can echo what it hears, so a demo and the tests have someone to talk to.
 */
export class LabImPeer {
  private readonly sessions = new Map<string, Session>();
  private readonly inbox: LabImMessage[] = [];
  /** Answer every message with `Echo: <text>` (demo and tests). */
  echo = true;

  constructor(
    private readonly ua: UserAgent,
    private readonly log: Logger,
  ) {}

  /** What the peer received, oldest first. */
  messages(): readonly LabImMessage[] {
    return this.inbox;
  }

  /** Takes an IM INVITE; false when the INVITE is not an IM session. */
  handleInvite(request: IncomingInviteRequest): boolean {
    if (parseMessageSdp(request.message.body ?? '') === undefined) {
      return false;
    }
    const peer = request.message.from.uri.toString();
    const response = request.accept({
      statusCode: 200,
      extraHeaders: [`Contact: ${this.ua.contact.toString()}`],
      body: { contentDisposition: 'session', contentType: 'application/sdp', content: buildMessageSdp(this.ua.configuration.uri.toString()) },
    });
    this.adopt(peer, response.session);
    return true;
  }

  /** A pager-mode MESSAGE (RFC 3428) to the lab. */
  handleMessage(request: IncomingMessageRequest): void {
    const text = imTextOf(request.message.getHeader('content-type') ?? 'text/plain', request.message.body ?? '');
    request.accept({ statusCode: 200 });
    if (text.ok) {
      this.inbox.push({ from: request.message.from.uri.toString(), text: text.text, pager: true, at: Date.now() });
    }
  }

  /** Opens a session to `agent` (or reuses one) and sends `text` in it. */
  async say(agent: string, text: string): Promise<void> {
    const session = this.sessions.get(agent.toLowerCase()) ?? (await this.open(agent));
    await new Promise<void>((resolve) => {
      session.message({ onAccept: () => resolve(), onReject: () => resolve() }, { body: { contentDisposition: 'render', contentType: 'text/plain; charset=UTF-8', content: text } });
    });
  }

  /** Ends every session. */
  end(): void {
    for (const session of this.sessions.values()) {
      try {
        session.bye();
      } catch {
        // A dialog not confirmed yet: its peer ends it.
      }
    }
    this.sessions.clear();
  }

  private open(agent: string): Promise<Session> {
    const target = this.ua.userAgentCore.configuration.aor.clone();
    const uri = /^sips?:([^@]+)@(.+)$/i.exec(agent);
    target.user = uri?.[1] ?? agent;
    target.host = uri?.[2] ?? target.host;
    const request = makeInitialInvite(this.ua, target, ['ms-sender'], [`Ms-Conversation-ID: lab-${Date.now().toString(36)}`], {
      contentDisposition: 'session',
      contentType: 'application/sdp',
      content: buildMessageSdp(),
    });
    return new Promise((resolve, reject) => {
      this.ua.userAgentCore.invite(request, {
        onAccept: (response: IncomingResponse & { ack: () => void; session: Session }) => {
          response.ack();
          this.adopt(agent, response.session);
          resolve(response.session);
        },
        onReject: (response) => reject(new Error(`IM session refused: ${response.message.statusCode ?? 0} ${response.message.reasonPhrase ?? ''}`)),
      });
    });
  }

  private adopt(peer: string, session: Session): void {
    this.sessions.set(peer.toLowerCase(), session);
    session.delegate = {
      onMessage: (message) => {
        const text = imTextOf(message.message.getHeader('content-type') ?? 'text/plain', message.message.body ?? '');
        message.accept({ statusCode: 200 });
        if (!text.ok) {
          return;
        }
        this.inbox.push({ from: peer, text: text.text, pager: false, at: Date.now() });
        if (this.echo) {
          session.message(undefined, { body: { contentDisposition: 'render', contentType: 'text/plain; charset=UTF-8', content: `Echo: ${text.text}` } });
        }
      },
      onInfo: (info) => info.accept(),
      onBye: (bye) => {
        bye.accept();
        this.sessions.delete(peer.toLowerCase());
        this.log.debug('IM session ended by the agent', { peer });
      },
    };
  }
}
