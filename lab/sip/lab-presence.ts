import { randomBytes } from 'node:crypto';
import type { IncomingRequestMessage } from 'sip.js/lib/core/index.js';

/** How the presence server answers and notifies: raw SIP text on a connection. */
export type PresenceWire = {
  /** Sends a response to `request` on the connection it came from. */
  reply(request: IncomingRequestMessage, status: string, extraHeaders: readonly string[], toTag?: string): void;
  /** Sends a request (a NOTIFY) on the connection of the watcher with this Contact user. */
  sendTo(contactUser: string, raw: string): void;
};

type Publication = { etag: string; body: string; expiresAt: number };
type Watcher = {
  readonly callId: string;
  readonly presentity: string;
  readonly watcherTag: string;
  readonly ourTag: string;
  readonly watcherFrom: string;
  readonly contact: string;
  readonly contactUser: string;
  expiresAt: number;
  cseq: number;
};

const MAX_EXPIRES = 3600;
const MIN_EXPIRES = 60;
const MAX_PUBLICATIONS = 1000;
const MAX_WATCHERS = 1000;
const MAX_BODY = 32 * 1024;
/** NOTIFYs of this server carry this branch prefix, so the edge can drop their responses. */
export const PRESENCE_BRANCH_PREFIX = 'z9hG4bKlabpres';

/**
 * The standalone lab's presence server: what Kamailio's `presence` module does in the proxied
 * setup, in memory and just enough of it (issue 13: "the standalone lab answers PUBLISH and
 * SUBSCRIBE for presence itself").
 *
 * @remarks
 * - PUBLISH (RFC 3903 §6): no `SIP-If-Match` creates a publication with a new ETag;
 *   with one, refreshes (no body), modifies (body) or removes it (`Expires: 0`); an unknown
 *   ETag gets 412; an event other than `presence` gets 489; only the presentity publishes (403).
 * - SUBSCRIBE (RFC 3856, RFC 6665): 200, then a NOTIFY with every live publication of the
 *   presentity merged into one PIDF document (several devices: their tuples and persons side by
 *   side, as Kamailio does), `Subscription-State: active;expires=N`, and one NOTIFY per change;
 *   `Expires: 0` ends it with a final NOTIFY `terminated`.
 * - Expiry is checked lazily on each request, so no timer outlives the lab.
 */
export class LabPresence {
  private readonly publications = new Map<string, Publication[]>();
  private readonly watchers = new Map<string, Watcher>();

  constructor(
    private readonly wire: PresenceWire,
    private readonly domain: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether this server takes `request` (PUBLISH, or SUBSCRIBE for `presence`). */
  static wants(request: IncomingRequestMessage): boolean {
    const event = (request.getHeader('event') ?? '').split(';')[0]?.trim().toLowerCase();
    return request.method === 'PUBLISH' || (request.method === 'SUBSCRIBE' && event === 'presence');
  }

  /** Answers a PUBLISH or presence SUBSCRIBE. */
  handle(request: IncomingRequestMessage): void {
    this.expire();
    if (request.method === 'PUBLISH') {
      this.publish(request);
    } else {
      this.subscribe(request);
    }
  }

  private publish(request: IncomingRequestMessage): void {
    const presentity = aorOf(request.ruri?.toString() ?? '');
    const event = (request.getHeader('event') ?? '').split(';')[0]?.trim().toLowerCase();
    if (event !== 'presence') {
      this.wire.reply(request, '489 Bad Event', ['Allow-Events: presence']);
      return;
    }
    if (aorOf(request.from.uri.toString()) !== presentity) {
      this.wire.reply(request, '403 Publish Only Your Own Presence', []);
      return;
    }
    const expires = clampExpires(request.getHeader('expires'));
    const list = this.publications.get(presentity) ?? [];
    const ifMatch = request.getHeader('sip-if-match')?.trim();
    const body = request.body ?? '';
    if (body.length > MAX_BODY) {
      this.wire.reply(request, '413 Request Entity Too Large', []);
      return;
    }
    if (ifMatch === undefined) {
      if (body.trim() === '' || [...this.publications.values()].flat().length >= MAX_PUBLICATIONS) {
        this.wire.reply(request, body.trim() === '' ? '400 Initial PUBLISH Needs A Body' : '503 Service Unavailable', []);
        return;
      }
      const publication = { etag: newTag(), body, expiresAt: this.now() + expires * 1000 };
      this.publications.set(presentity, [...list, publication]);
      this.wire.reply(request, '200 OK', [`SIP-ETag: ${publication.etag}`, `Expires: ${expires}`]);
      this.notifyAll(presentity);
      return;
    }
    const publication = list.find((p) => p.etag === ifMatch);
    if (!publication) {
      this.wire.reply(request, '412 Conditional Request Failed', []);
      return;
    }
    if (expires === 0) {
      this.publications.set(presentity, list.filter((p) => p !== publication));
      this.wire.reply(request, '200 OK', [`SIP-ETag: ${publication.etag}`, 'Expires: 0']);
      this.notifyAll(presentity);
      return;
    }
    publication.etag = newTag();
    publication.expiresAt = this.now() + expires * 1000;
    const changed = body.trim() !== '' && body !== publication.body;
    if (changed) {
      publication.body = body;
    }
    this.wire.reply(request, '200 OK', [`SIP-ETag: ${publication.etag}`, `Expires: ${expires}`]);
    if (changed) {
      this.notifyAll(presentity);
    }
  }

  private subscribe(request: IncomingRequestMessage): void {
    const contact = /<([^>]+)>/.exec(request.getHeader('contact') ?? '')?.[1];
    const contactUser = contact === undefined ? undefined : /^sips?:([^@;>]+)@/i.exec(contact)?.[1];
    if (contact === undefined || contactUser === undefined) {
      this.wire.reply(request, '400 Missing Contact', []);
      return;
    }
    const expires = clampExpires(request.getHeader('expires'), 600);
    const existing = request.toTag === undefined ? undefined : this.watchers.get(request.callId);
    if (request.toTag !== undefined && existing?.ourTag !== request.toTag) {
      this.wire.reply(request, '481 Subscription Does Not Exist', []);
      return;
    }
    if (!existing && this.watchers.size >= MAX_WATCHERS) {
      this.wire.reply(request, '503 Service Unavailable', []);
      return;
    }
    const watcher: Watcher = existing ?? {
      callId: request.callId,
      presentity: aorOf(request.ruri?.toString() ?? ''),
      watcherTag: request.fromTag ?? '',
      ourTag: newTag(),
      watcherFrom: request.getHeader('from') ?? '',
      contact,
      contactUser,
      expiresAt: 0,
      cseq: 0,
    };
    watcher.expiresAt = this.now() + expires * 1000;
    this.watchers.set(watcher.callId, watcher);
    this.wire.reply(request, '200 OK', [`Expires: ${expires}`, `Contact: <sip:presence@${this.domain}>`], watcher.ourTag);
    if (expires === 0) {
      this.watchers.delete(watcher.callId);
      this.notify(watcher, 'terminated;reason=timeout');
      return;
    }
    this.notify(watcher, `active;expires=${expires}`);
  }

  private notifyAll(presentity: string): void {
    for (const watcher of this.watchers.values()) {
      if (watcher.presentity === presentity) {
        this.notify(watcher, `active;expires=${Math.max(0, Math.round((watcher.expiresAt - this.now()) / 1000))}`);
      }
    }
  }

  private notify(watcher: Watcher, state: string): void {
    watcher.cseq += 1;
    const body = this.document(watcher.presentity);
    const raw = [
      `NOTIFY ${watcher.contact} SIP/2.0`,
      `Via: SIP/2.0/WS lab-presence.invalid;branch=${PRESENCE_BRANCH_PREFIX}${newTag()}`,
      'Max-Forwards: 70',
      `From: <${watcher.presentity}>;tag=${watcher.ourTag}`,
      `To: ${watcher.watcherFrom}`,
      `Call-ID: ${watcher.callId}`,
      `CSeq: ${watcher.cseq} NOTIFY`,
      `Contact: <sip:presence@${this.domain}>`,
      'Event: presence',
      `Subscription-State: ${state}`,
      ...(body === undefined ? [] : ['Content-Type: application/pidf+xml']),
      `Content-Length: ${Buffer.byteLength(body ?? '')}`,
      '',
      body ?? '',
    ].join('\r\n');
    this.wire.sendTo(watcher.contactUser, raw);
  }

  /** All live publications of `presentity` in one PIDF document, or none. */
  private document(presentity: string): string | undefined {
    const bodies = (this.publications.get(presentity) ?? []).map((p) => p.body);
    if (bodies.length <= 1) {
      return bodies[0];
    }
    const inner = bodies.map((b) => /<presence\b[^>]*>([\s\S]*)<\/presence>/.exec(b)?.[1] ?? '').join('');
    const open = /<presence\b[^>]*>/.exec(bodies[0] ?? '')?.[0] ?? '<presence xmlns="urn:ietf:params:xml:ns:pidf">';
    return `<?xml version="1.0" encoding="utf-8"?>${open}${inner}</presence>`;
  }

  private expire(): void {
    const now = this.now();
    for (const [presentity, list] of this.publications) {
      const live = list.filter((p) => p.expiresAt > now);
      if (live.length !== list.length) {
        this.publications.set(presentity, live);
        this.notifyAll(presentity);
      }
    }
    for (const [callId, watcher] of this.watchers) {
      if (watcher.expiresAt <= now) {
        this.watchers.delete(callId);
      }
    }
  }
}

function clampExpires(header: string | undefined, fallback = 3600): number {
  const value = Number(header ?? fallback);
  if (!Number.isInteger(value) || value < 0) {
    return fallback;
  }
  return value === 0 ? 0 : Math.min(MAX_EXPIRES, Math.max(MIN_EXPIRES, value));
}

/** `sip:user@host` of a URI, without parameters or port, lower-case host. */
function aorOf(uri: string): string {
  const match = /^(sips?):([^@;>]+)@([^;:>?]+)/i.exec(uri);
  return match ? `${match[1]?.toLowerCase()}:${match[2]}@${match[3]?.toLowerCase()}` : uri;
}

function newTag(): string {
  return randomBytes(6).toString('hex');
}
