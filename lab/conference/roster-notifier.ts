import { UserAgent } from 'sip.js';
import { Parser, type IncomingRequestMessage, type IncomingSubscribeRequest, type Logger as SipLogger, type URI } from 'sip.js/lib/core/index.js';
import { type ConferenceInfo } from '../../core/conference/conference-info';
import { buildConferenceInfo } from './conference-info-builder';
import { MIME_CONFERENCE_INFO } from '../../core/conference/namespaces';
import type { Logger } from '../../core/ports/logger';

const quiet = { error: () => undefined, warn: () => undefined, log: () => undefined, debug: () => undefined } as unknown as SipLogger;

/** The notifier's half of one subscription dialog (RFC 6665 §4.2, RFC 3261 §12.1.1). */
type Subscription = {
  readonly conferenceId: string;
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  readonly localUri: URI;
  readonly remoteUri: URI;
  readonly remoteTarget: URI;
  readonly routeSet: string[];
  readonly benotify: boolean;
  cseq: number;
  expiresSec: number;
};

const MAX_EXPIRES_SEC = 3600;

/**
 * The lab focus's side of the conference event package (RFC 4575 over RFC 6665).
 *
 * @remarks
 * sip.js implements subscribers only, so the notifier's dialog state is kept here, built from
 * the SUBSCRIBE as RFC 3261 §12.1.1 says (Record-Route as route set, Contact as remote target).
 * The first document after a SUBSCRIBE is a NOTIFY with full state; later changes go as
 * BENOTIFY (no response expected) to subscribers that advertised `ms-benotify`, as an SfB focus
 * does ([MS-OCSPROT] 2.5.18), and as NOTIFY to the rest. In-dialog SUBSCRIBEs (refresh,
 * `Expires: 0`) never reach sip.js's core, which knows no such dialog and would answer 481.
 */
export class RosterNotifier {
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly documentListeners = new Set<(conferenceId: string, document: ConferenceInfo) => void>();
  private readonly log: Logger;

  constructor(
    private readonly ua: UserAgent,
    logger: Logger,
  ) {
    this.log = logger.child('lab.notifier');
  }

  /** Subscriptions alive, for checks that nothing is left behind. */
  count(conferenceId?: string): number {
    return [...this.subscriptions.values()].filter((s) => conferenceId === undefined || s.conferenceId === conferenceId).length;
  }

  /** Accepts an initial SUBSCRIBE and sends the full state. */
  accept(request: IncomingSubscribeRequest, conferenceId: string, full: ConferenceInfo): void {
    const message = request.message;
    const requested = Number(message.getHeader('expires') ?? MAX_EXPIRES_SEC);
    const expiresSec = Math.min(Number.isFinite(requested) ? requested : MAX_EXPIRES_SEC, MAX_EXPIRES_SEC);
    const localTag = `lab${Math.random().toString(36).slice(2, 10)}`;
    const recordRoute = message.getHeaders('record-route').map((h) => `Record-Route: ${h}`);
    // RFC 3261 §12.1.1: a dialog-creating 2xx copies Record-Route (sip.js does so only for INVITE).
    request.accept({
      statusCode: 200,
      toTag: localTag,
      extraHeaders: [`Expires: ${expiresSec}`, `Contact: ${this.ua.contact.toString()}`, ...recordRoute],
    });
    const remoteTarget = contactUri(message);
    if (!remoteTarget || expiresSec === 0) {
      return;
    }
    const supported = message.getHeaders('supported').join(',').toLowerCase();
    const subscription: Subscription = {
      conferenceId,
      callId: message.callId,
      localTag,
      remoteTag: message.fromTag ?? '',
      localUri: message.to.uri,
      remoteUri: message.from.uri,
      remoteTarget,
      routeSet: message.getHeaders('record-route').flatMap((h) => h.split(/,(?=\s*<)/)).map((h) => h.trim()),
      benotify: supported.includes('ms-benotify'),
      cseq: 1,
      expiresSec,
    };
    this.subscriptions.set(this.key(message.callId, localTag), subscription);
    // sip.js builds the subscriber's dialog from the first NOTIFY, route set included, so that
    // NOTIFY carries the Record-Route too; without it the un-SUBSCRIBE has no route back.
    this.send(subscription, full, 'NOTIFY', undefined, recordRoute);
  }

  /**
   * Calls `listener` with every document the focus publishes or terminates with, subscribers
   * or not: server applications in the lab (the contact center) follow the roster this way,
   * as UCMA's ConferenceSession.ParticipantEndpointAttendanceChanged reports it.
   * @returns the unsubscription
   */
  onDocument(listener: (conferenceId: string, document: ConferenceInfo) => void): () => void {
    this.documentListeners.add(listener);
    return () => this.documentListeners.delete(listener);
  }

  /** Sends a changed document to every subscriber of the conference. */
  publish(conferenceId: string, document: ConferenceInfo): void {
    this.tell(conferenceId, document);
    for (const subscription of this.subscriptions.values()) {
      if (subscription.conferenceId === conferenceId) {
        this.send(subscription, document, subscription.benotify ? 'BENOTIFY' : 'NOTIFY');
      }
    }
  }

  /** Ends every subscription of the conference with a final NOTIFY (RFC 6665 §4.2.2). */
  terminate(conferenceId: string, document: ConferenceInfo): void {
    this.tell(conferenceId, document);
    for (const [key, subscription] of this.subscriptions) {
      if (subscription.conferenceId === conferenceId) {
        this.send(subscription, document, 'NOTIFY', 'terminated;reason=noresource');
        this.subscriptions.delete(key);
      }
    }
  }

  /**
   * Handles an in-dialog SUBSCRIBE for one of our subscriptions (refresh or removal); returns
   * false for anything else, which then goes to sip.js.
   */
  interceptSubscribe(raw: string): boolean {
    if (!raw.startsWith('SUBSCRIBE ')) {
      return false;
    }
    const message = Parser.parseMessage(raw, quiet) as IncomingRequestMessage | undefined;
    const toTag = message?.toTag;
    if (!message || !toTag) {
      return false;
    }
    const key = this.key(message.callId, toTag);
    const subscription = this.subscriptions.get(key);
    const core = this.ua.userAgentCore;
    if (!subscription) {
      core.replyStateless(message, { statusCode: 481, reasonPhrase: 'Subscription Does Not Exist' });
      return true;
    }
    const expires = Math.min(Number(message.getHeader('expires') ?? MAX_EXPIRES_SEC), MAX_EXPIRES_SEC);
    core.replyStateless(message, { statusCode: 200, extraHeaders: [`Expires: ${expires}`, `Contact: ${this.ua.contact.toString()}`] });
    if (expires === 0) {
      this.subscriptions.delete(key);
      this.log.debug('subscription removed by the subscriber', { callId: message.callId });
    } else {
      subscription.expiresSec = expires;
    }
    return true;
  }

  /** Forgets the subscriptions of a conference without notifying (the subscriber is gone). */
  forget(conferenceId: string): void {
    for (const [key, subscription] of this.subscriptions) {
      if (subscription.conferenceId === conferenceId) {
        this.subscriptions.delete(key);
      }
    }
  }

  private tell(conferenceId: string, document: ConferenceInfo): void {
    for (const listener of this.documentListeners) {
      try {
        listener(conferenceId, document);
      } catch (error) {
        // A listener's fault must not stop the roster reaching the participants.
        this.log.warn('roster listener failed', { conference: conferenceId, error: String(error) });
      }
    }
  }

  private send(subscription: Subscription, document: ConferenceInfo, method: 'NOTIFY' | 'BENOTIFY', state?: string, extra: string[] = []): void {
    const core = this.ua.userAgentCore;
    subscription.cseq += 1;
    const message = core.makeOutgoingRequestMessage(
      method,
      subscription.remoteTarget,
      subscription.localUri,
      subscription.remoteUri,
      {
        callId: subscription.callId,
        cseq: subscription.cseq,
        fromTag: subscription.localTag,
        toTag: subscription.remoteTag,
        routeSet: subscription.routeSet,
      },
      [
        'Event: conference',
        `Subscription-State: ${state ?? `active;expires=${subscription.expiresSec}`}`,
        `Contact: ${this.ua.contact.toString()}`,
        ...extra,
      ],
      { contentDisposition: 'render', contentType: MIME_CONFERENCE_INFO, content: buildConferenceInfo(document) },
    );
    if (method === 'NOTIFY') {
      core.request(message, {
        onReject: (response) => {
          if (response.message.statusCode === 481) {
            this.subscriptions.delete(this.key(subscription.callId, subscription.localTag));
          }
        },
      });
      return;
    }
    // BENOTIFY expects no response, so no transaction: the message goes straight out.
    message.setViaHeader(`z9hG4bK${Math.random().toString(36).slice(2, 12)}`, this.ua.transport.protocol);
    this.ua.transport.send(message.toString()).catch((error: unknown) => {
      this.log.warn('BENOTIFY not sent', { error: String(error) });
    });
  }

  private key(callId: string, localTag: string): string {
    return `${callId}\u0000${localTag}`;
  }
}

function contactUri(message: IncomingRequestMessage): URI | undefined {
  const contact = message.getHeader('contact') ?? '';
  const inner = /<([^>]+)>/.exec(contact)?.[1] ?? contact.split(';')[0] ?? '';
  return UserAgent.makeURI(inner.trim());
}
