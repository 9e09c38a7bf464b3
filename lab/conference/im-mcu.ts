import { randomBytes } from 'node:crypto';
import type { UserAgent } from 'sip.js';
import type { IncomingInviteRequest, IncomingMessageRequest, Session } from 'sip.js/lib/core/index.js';
import { imTextOf } from '../../core/im/im-content';
import { MIME_MS_IMDN } from '../../core/im/im-notices';
import { buildMessageSdp, parseMessageSdp } from '../../core/im/message-sdp';
import type { Logger } from '../../core/ports/logger';
import { mediaTypeOf } from '../../core/sip/invite-router';
import type { LabConference } from './lab-conference';

/** A chat message as the IM MCU saw it, for tests and the contact center. */
export type LabChatMessage = { readonly conferenceId: string; readonly from: string; readonly contentType: string; readonly text: string; readonly at: number };

/** A participant's IM dialog with the MCU. */
type Member = { readonly entity: string; readonly session: Session };
/** A chat-only participant the lab plays (a web visitor): what reaches it, or the status it fails with. */
type Guest = { readonly entity: string; readonly failWith?: number; readonly inbox: LabChatMessage[] };

/** What the IM MCU needs of the conference server. */
export type LabImMcuDeps = {
  readonly ua: UserAgent;
  readonly logger: Logger;
  /** Publishes a user's roster entry after their chat endpoint came or went. */
  readonly publishUser: (conference: LabConference, entity: string) => void;
};

/**
 * The lab's IM MCU: relays MESSAGE among a conference's chat participants.
 *
 * @remarks
 * - Join (im-presence §1.2): a direct INVITE to `opaque=app:conf:chat:id:X` with an `m=message`
 *   SDP, answered 200 with our URI in the `m=` line; the roster then shows a `chat` endpoint for
 *   the user (§1.7). Anything else gets 415 or 488; a user not in the conference 403.
 * - A MESSAGE from a member is answered `202 Accepted` with a `Message-Id` and relayed to every
 *   other participant with `Ms-Sender` naming its author (§1.3, §1.4, [MS-CONFIM] 4.2.1). When a
 *   recipient cannot take it, the author gets a BENOTIFY `application/ms-imdn+xml` listing that
 *   recipient and its status ([MS-CONFIM] IMDN).
 * - Guests are chat-only participants the lab plays (the web visitors of the contact-center
 *   story); `failWith` makes one unreachable, for delivery-failure tests.
 */
export class LabImMcu {
  private readonly members = new Map<string, Map<string, Member>>();
  private readonly guests = new Map<string, Map<string, Guest>>();
  private readonly history = new Map<string, LabChatMessage[]>();
  private readonly guestListeners = new Set<(guest: string, message: LabChatMessage) => void>();
  private nextMessageId = 1;
  private readonly log: Logger;

  constructor(private readonly deps: LabImMcuDeps) {
    this.log = deps.logger.child('lab.im-mcu');
  }

  /** Answers an INVITE to the conference's chat URI. */
  join(request: IncomingInviteRequest, conference: LabConference): void {
    const message = request.message;
    if (mediaTypeOf(message.getHeader('content-type')) !== 'application/sdp') {
      request.reject({ statusCode: 415, reasonPhrase: 'Unsupported Media Type', extraHeaders: ['Accept: application/sdp'] });
      return;
    }
    if (parseMessageSdp(message.body ?? '') === undefined) {
      request.reject({ statusCode: 488, reasonPhrase: 'Not Acceptable Here', extraHeaders: ['Warning: 304 lab "the IM MCU takes only m=message sessions"'] });
      return;
    }
    const entity = message.from.uri.toString();
    if (!conference.userEntities().includes(entity.toLowerCase())) {
      request.reject({ statusCode: 403, reasonPhrase: 'Forbidden', extraHeaders: ['ms-diagnostics: 7008;reason="User not in conference"'] });
      return;
    }
    const response = request.accept({
      statusCode: 200,
      extraHeaders: [`Contact: ${this.deps.ua.contact.toString()}`],
      body: { contentDisposition: 'session', contentType: 'application/sdp', content: buildMessageSdp(conference.chatUri ?? message.ruri?.toString() ?? '') },
    });
    const member: Member = { entity, session: response.session };
    this.membersOf(conference.id).set(entity.toLowerCase(), member);
    response.session.delegate = {
      onMessage: (incoming) => this.onMessage(conference, member, incoming),
      onInfo: (info) => info.accept(),
      onInvite: (reinvite) =>
        reinvite.accept({ statusCode: 200, extraHeaders: [`Contact: ${this.deps.ua.contact.toString()}`], body: { contentDisposition: 'session', contentType: 'application/sdp', content: buildMessageSdp(conference.chatUri ?? '') } }),
      onBye: (bye) => {
        bye.accept();
        this.forget(conference, entity);
      },
    };
    if (conference.connectChat(entity, `${entity};chat=${randomBytes(3).toString('hex')}`)) {
      this.deps.publishUser(conference, entity);
    }
  }

  /** Adds a chat-only participant the lab plays; its messages go through {@link LabImMcu.say}. */
  addGuest(conference: LabConference, entity: string, displayText: string, options: { readonly failWith?: number } = {}): void {
    conference.addGuest(entity, displayText);
    const guests = this.guests.get(conference.id) ?? new Map<string, Guest>();
    guests.set(entity.toLowerCase(), { entity, inbox: [], ...(options.failWith !== undefined && { failWith: options.failWith }) });
    this.guests.set(conference.id, guests);
    this.deps.publishUser(conference, entity);
  }

  /**
   * Takes a guest out of the conference's chat (the web visitor closed the chat): the roster
   * drops them and nothing more reaches their inbox.
   * @returns false when no such guest was in the conference
   */
  removeGuest(conference: LabConference, entity: string): boolean {
    if (!this.guests.get(conference.id)?.delete(entity.toLowerCase())) {
      return false;
    }
    if (conference.removeUser(entity)) {
      this.deps.publishUser(conference, entity);
    }
    return true;
  }

  /**
   * Calls `listener` with every message delivered to a guest, as it arrives (a web gateway
   * pushes it to the visitor's page instead of polling {@link LabImMcu.inbox}).
   * @returns the unsubscription
   */
  onGuestMessage(listener: (guest: string, message: LabChatMessage) => void): () => void {
    this.guestListeners.add(listener);
    return () => this.guestListeners.delete(listener);
  }

  /** A guest (or the lab itself) says something in the conference's chat. */
  async say(conference: LabConference, from: string, text: string, contentType = 'text/plain'): Promise<void> {
    this.record(conference.id, from, contentType, text);
    await this.relay(conference, from, contentType, text);
  }

  /** Every message the MCU carried in a conference, oldest first. */
  messages(conferenceId: string): readonly LabChatMessage[] {
    return this.history.get(conferenceId) ?? [];
  }

  /** What reached a guest. */
  inbox(conferenceId: string, guest: string): readonly LabChatMessage[] {
    return this.guests.get(conferenceId)?.get(guest.toLowerCase())?.inbox ?? [];
  }

  /** Whether the user holds an IM dialog with the MCU. */
  hasMember(conferenceId: string, entity: string): boolean {
    return this.members.get(conferenceId)?.has(entity.toLowerCase()) ?? false;
  }

  /** BYEs a user's IM dialog (ejection, the conference's end). */
  hangUp(conference: LabConference, entity: string): void {
    const member = this.members.get(conference.id)?.get(entity.toLowerCase());
    if (member) {
      try {
        member.session.bye();
      } catch (error) {
        this.log.debug('chat BYE not sent', { error: String(error) });
      }
      this.forget(conference, entity);
    }
  }

  /** Ends the chat of a conference: every member BYEd, guests gone. */
  end(conference: LabConference): void {
    for (const member of [...(this.members.get(conference.id)?.values() ?? [])]) {
      this.hangUp(conference, member.entity);
    }
    this.members.delete(conference.id);
    this.guests.delete(conference.id);
  }

  private onMessage(conference: LabConference, member: Member, incoming: IncomingMessageRequest): void {
    const contentType = incoming.message.getHeader('content-type') ?? 'text/plain';
    const text = imTextOf(contentType, incoming.message.body ?? '');
    if (!text.ok) {
      incoming.reject({ statusCode: 415, reasonPhrase: 'Unsupported Media Type', extraHeaders: ['Accept: text/plain, text/html'] });
      return;
    }
    const messageId = String(this.nextMessageId++);
    incoming.accept({ statusCode: 202, reasonPhrase: 'Accepted', extraHeaders: [`Message-Id: ${messageId}`] });
    this.record(conference.id, member.entity, text.contentType, text.text);
    void this.relay(conference, member.entity, contentType, incoming.message.body ?? '').then((failed) => {
      if (failed.length > 0) {
        this.reportFailures(member, messageId, failed);
      }
    });
  }

  /** Sends to every participant but the author; resolves with those who did not take it. */
  private async relay(conference: LabConference, from: string, contentType: string, body: string): Promise<{ uri: string; status: number }[]> {
    const failed: { uri: string; status: number }[] = [];
    const sends = [...(this.members.get(conference.id)?.values() ?? [])]
      .filter((m) => m.entity.toLowerCase() !== from.toLowerCase())
      .map(
        (m) =>
          new Promise<void>((done) => {
            const settle = (status: number): void => {
              if (status < 200 || status >= 300) {
                failed.push({ uri: m.entity, status });
              }
              done();
            };
            try {
              m.session.message(
                { onAccept: (r) => settle(r.message.statusCode ?? 0), onReject: (r) => settle(r.message.statusCode ?? 0) },
                { extraHeaders: [`Ms-Sender: <${from}>`], body: { contentDisposition: 'render', contentType, content: body } },
              );
            } catch {
              settle(0);
            }
          }),
      );
    for (const guest of this.guests.get(conference.id)?.values() ?? []) {
      if (guest.entity.toLowerCase() === from.toLowerCase()) {
        continue;
      }
      if (guest.failWith !== undefined) {
        failed.push({ uri: guest.entity, status: guest.failWith });
      } else {
        const text = imTextOf(contentType, body);
        const message = { conferenceId: conference.id, from, contentType, text: text.ok ? text.text : body, at: Date.now() };
        // Bounded like the history: a visitor who never reads cannot grow the lab.
        guest.inbox.push(message);
        guest.inbox.splice(0, Math.max(0, guest.inbox.length - 500));
        this.tellGuest(guest.entity, message);
      }
    }
    await Promise.all(sends);
    return failed;
  }

  /** A BENOTIFY delivery report ([MS-CONFIM] IMDN) to the author, in its IM dialog; no response is expected. */
  private reportFailures(member: Member, messageId: string, failed: readonly { uri: string; status: number }[]): void {
    const recipients = failed
      .map((f) => `<recipient uri="&lt;${escape(f.uri)}&gt;"><status>${f.status || 480}</status><entry><key>ms-diagnostics</key><value>6001;reason="Request Timeout";component="ImMcu"</value></entry></recipient>`)
      .join('');
    const content = `<?xml version="1.0" encoding="utf-8"?><imdn xmlns="http://schemas.microsoft.com/rtc/2005/08/imdn"><message-id>${messageId}</message-id>${recipients}</imdn>`;
    try {
      const dialog = member.session as unknown as { createOutgoingRequestMessage(method: string, options: object): { setViaHeader(branch: string, transport: string): void; toString(): string } };
      const request = dialog.createOutgoingRequestMessage('BENOTIFY', { extraHeaders: ['Event: ms-imdn'], body: { contentDisposition: 'render', contentType: MIME_MS_IMDN, content } });
      request.setViaHeader(`z9hG4bK${randomBytes(8).toString('hex')}`, this.deps.ua.transport.protocol ?? 'UDP');
      void this.deps.ua.transport.send(request.toString()).catch((error: unknown) => this.log.warn('BENOTIFY not sent', { error: String(error) }));
    } catch (error) {
      this.log.warn('BENOTIFY not built', { error: String(error) });
    }
  }

  private tellGuest(guest: string, message: LabChatMessage): void {
    for (const listener of this.guestListeners) {
      try {
        listener(guest, message);
      } catch (error) {
        this.log.warn('guest listener failed', { guest, error: String(error) });
      }
    }
  }

  private record(conferenceId: string, from: string, contentType: string, text: string): void {
    const list = this.history.get(conferenceId) ?? [];
    list.push({ conferenceId, from, contentType, text, at: Date.now() });
    this.history.set(conferenceId, list.slice(-500));
  }

  private forget(conference: LabConference, entity: string): void {
    if (this.members.get(conference.id)?.delete(entity.toLowerCase()) && conference.disconnectChat(entity)) {
      this.deps.publishUser(conference, entity);
    }
  }

  private membersOf(conferenceId: string): Map<string, Member> {
    let members = this.members.get(conferenceId);
    if (!members) {
      members = new Map();
      this.members.set(conferenceId, members);
    }
    return members;
  }
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
