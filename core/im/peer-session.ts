/**
 * One two-party IM session the Lync way: an INVITE with an `m=message` SDP, then MESSAGE in
 * the dialog (im-presence §2).
 * @packageDocumentation
 */
import { UserAgent } from 'sip.js';
import type { IncomingRequestMessage, Session } from 'sip.js/lib/core/index.js';
import { decodeBase64Utf8, encodeBase64Utf8 } from '../codecs/base64';
import type { Clock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import type { FaultBoundary } from '../sip/fault-boundary';
import type { InviteAnswer } from '../sip/invite-answer';
import { OutgoingDialog } from '../sip/outgoing-dialog';
import { byeQuietly } from '../sip/session-end';
import { refreshTarget } from '../sip/target-refresh';
import { ImSession, type ImReport } from './im-session';
import { buildMessageSdp, parseMessageSdp } from './message-sdp';
import { imRequestHandlers, sessionImPort } from './sip-im-port';

/** What a two-party session runs on. @public */
export type PeerSessionDeps = {
  readonly ua: UserAgent;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly faults: FaultBoundary;
  /** Everything the session reports, for the owner to turn into events. */
  readonly report: (report: ImReport) => void;
  /** The dialog ended (either side, or it never came up), with why. */
  readonly onEnded: (reason: string) => void;
  /** Called with the Call-ID of the dialog, for the conversation's SIP trace. */
  readonly onDialog: (callId: string) => void;
};

/** How an outgoing session's INVITE was answered. @public */
export type PeerInviteOutcome =
  | { readonly ok: true; readonly firstMessageTaken: boolean }
  | { readonly ok: false; readonly status: number; readonly reason: string; readonly pagerInstead: boolean };

/**
 * Statuses that mean "this peer does not do IM sessions" (im-presence §2.6, open question 24):
 * fall back to pager-mode MESSAGE and remember it for the sign-in.
 */
const NO_SESSIONS = new Set([405, 415, 488, 501, 606]);

/**
 * A two-party IM dialog, made by our INVITE ({@link PeerSession.invite}) or by the peer's
 * ({@link PeerSession.answer}); its messages are an {@link ImSession}.
 * @remarks
 * - Our INVITE (im-presence §2.1): `Ms-Conversation-ID`, the first message in `ms-text-format`
 *   with `Supported: ms-embedded-first-message`, `Supported: ms-sender`. If the 200 says
 *   `Supported: ms-text-format` the peer showed it; otherwise it is sent again as the first
 *   MESSAGE (§2.2).
 * - Their INVITE: answered 200 with our `m=message` answer; we never claim `ms-text-format`, so
 *   the sender repeats the text as a MESSAGE that archiving sees (open question 21).
 * - 405, 415, 488, 501 or 606 to our INVITE (or an answer without `m=message`) means the peer
 *   takes pager-mode MESSAGE only (§2.6): the owner falls back.
 * @public
 */
export class PeerSession {
  readonly session: ImSession;
  private dialog: OutgoingDialog | undefined;
  private incoming: Session | undefined;
  private id: string | undefined;
  private over = false;
  private readonly log: Logger;

  constructor(
    private readonly deps: PeerSessionDeps,
    readonly peer: string,
  ) {
    this.log = deps.logger.child('im-session');
    this.session = new ImSession({
      port: sessionImPort(
        () => this.dialog?.session ?? this.incoming,
        () => this.hangUp('ended by us'),
      ),
      clock: deps.clock,
      logger: deps.logger,
      peer,
      conference: false,
      held: true,
      report: (report) => {
        if (report.kind === 'dead') {
          this.hangUp(`the peer lost our dialog (${report.status})`);
        } else {
          deps.report(report);
        }
      },
    });
  }

  /** Call-ID of the dialog. */
  get callId(): string | undefined {
    return this.id ?? this.dialog?.callId;
  }

  /** Whether the dialog has ended (or never came up). */
  get ended(): boolean {
    return this.over;
  }

  /**
   * Opens the session with our INVITE, the first message in its `ms-text-format` header.
   * `firstMessage` must already be queued on {@link PeerSession.session}.
   */
  async invite(conversationHeader: string, firstMessage: string | undefined): Promise<PeerInviteOutcome> {
    const target = UserAgent.makeURI(this.peer);
    if (!target) {
      return { ok: false, status: 0, reason: `not a SIP URI: ${this.peer}`, pagerInstead: false };
    }
    const dialog = new OutgoingDialog({ ua: this.deps.ua, clock: this.deps.clock, faults: this.deps.faults, log: this.log }, 'IM session', {
      onDialog: (callId) => this.deps.onDialog(callId),
      onRemoteBye: () => this.finish('the peer ended the session'),
      requests: imRequestHandlers(() => (this.over ? undefined : this.session)),
    });
    this.dialog = dialog;
    const first = firstMessage === undefined ? [] : [`ms-text-format: text/plain; charset=UTF-8; ms-body=${encodeBase64Utf8(firstMessage)}`];
    const outcome = await dialog.invite<PeerInviteOutcome>(
      target,
      {
        optionTags: ['ms-sender', ...(firstMessage === undefined ? [] : ['ms-embedded-first-message'])],
        extraHeaders: [`Ms-Conversation-ID: ${conversationHeader}`, ...first],
        body: { contentDisposition: 'session', contentType: 'application/sdp', content: buildMessageSdp() },
      },
      {
        accepted: (response) => {
          if (parseMessageSdp(response.message.body ?? '') === undefined) {
            return { ok: false, status: 488, reason: 'the peer answered without an m=message session', pagerInstead: true };
          }
          const supported = response.message.getHeaders('supported').join(',').toLowerCase();
          return { ok: true, firstMessageTaken: /\bms-text-format\b/.test(supported) };
        },
        refused: (status, reason) => ({ ok: false, status, reason, pagerInstead: NO_SESSIONS.has(status) }),
        left: () => ({ ok: false, status: 0, reason: 'ended before the peer answered', pagerInstead: false }),
      },
    );
    if (!outcome.ok) {
      if (dialog.session && !dialog.ended) {
        dialog.end();
      }
      this.finish(outcome.reason);
      return outcome;
    }
    return outcome;
  }

  /**
   * Answers the peer's IM INVITE: 200 with our `m=message` answer and the dialog's handlers.
   * @returns false when the INVITE could not be accepted (already answered, or sip.js refused)
   */
  answer(answer: InviteAnswer, contact: string): boolean {
    const self = this.deps.ua.userAgentCore.configuration.aor.toString();
    this.id = answer.callId;
    const session = answer.accept({
      statusCode: 200,
      extraHeaders: [`Contact: ${contact}`, 'Supported: ms-sender'],
      body: { contentDisposition: 'session', contentType: 'application/sdp', content: buildMessageSdp(self) },
    });
    if (!session) {
      this.finish('the INVITE was already answered');
      return false;
    }
    this.incoming = session;
    session.delegate = this.deps.faults.guard(answer.callId, 'IM session', {
      ...imRequestHandlers(() => (this.over ? undefined : this.session)),
      onBye: (bye) => {
        bye.accept();
        this.finish('the peer ended the session');
      },
      onInvite: (reinvite) => {
        // A target refresh of the peer (it reconnected): same answer, our current Contact.
        reinvite.accept({ statusCode: 200, extraHeaders: [`Contact: ${contact}`], body: { contentDisposition: 'session', contentType: 'application/sdp', content: buildMessageSdp(self) } });
      },
    });
    this.deps.onDialog(answer.callId);
    this.session.release();
    return true;
  }

  /** Lets held messages go (our INVITE was answered). */
  release(): void {
    this.session.release();
  }

  /** The transport is gone: hold what is queued. */
  suspend(): void {
    this.session.hold();
  }

  /** Registered again: refresh the dialog's target; a peer that lost it ends the session. */
  recover(contact: () => string): void {
    if (this.over) {
      return;
    }
    const refreshed = this.dialog
      ? this.dialog.refreshTarget({ body: { contentDisposition: 'session', contentType: 'application/sdp', content: buildMessageSdp() } })
      : this.incoming && this.id !== undefined
        ? refreshTarget({
            session: this.incoming,
            callId: this.id,
            contact,
            body: { contentDisposition: 'session', contentType: 'application/sdp', content: buildMessageSdp(this.deps.ua.userAgentCore.configuration.aor.toString()) },
            ownsCallId: false,
            clock: this.deps.clock,
            faults: this.deps.faults,
            logger: this.log,
          }).outcome
        : Promise.resolve('gone' as const);
    void refreshed.then((outcome) => (outcome === 'refreshed' ? this.session.release() : this.hangUp('the session did not survive the reconnection')));
  }

  /** Ends the session from our side (BYE once). */
  hangUp(reason: string): void {
    if (this.over) {
      return;
    }
    if (this.dialog) {
      this.dialog.end();
    } else {
      byeQuietly(this.incoming, this.log);
    }
    this.finish(reason);
  }

  /** A BYE crossing ours, or a request of a dead dialog: nothing more to send. */
  private finish(reason: string): void {
    if (this.over) {
      return;
    }
    this.over = true;
    this.session.close(reason);
    this.deps.onEnded(reason);
  }
}

/** The text of an `ms-text-format` header (`…; ms-body=<base64>`), for the toast only (open question 21). @public */
export function firstMessageOf(message: IncomingRequestMessage): string | undefined {
  const header = message.getHeader('ms-text-format');
  const body = header === undefined ? undefined : /ms-body=([A-Za-z0-9+/=]+)/i.exec(header)?.[1];
  if (body === undefined) {
    return undefined;
  }
  const text = decodeFirst(body);
  return text === undefined ? undefined : [...text].slice(0, 200).join('');
}

/** pidgin-sipe strips the `=` padding (im-presence §1.3): put it back before decoding. */
function decodeFirst(base64: string): string | undefined {
  const bare = base64.replace(/=+$/, '');
  return decodeBase64Utf8(bare + '='.repeat((4 - (bare.length % 4)) % 4));
}
