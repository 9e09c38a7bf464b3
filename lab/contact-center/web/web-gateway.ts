/**
 * The web gateway: customers' chats on the page, as conversations of the contact center. The
 * customer's lines become the guest's chat in the conference's IM MCU; the agents' lines come
 * back as events. Knows nothing of HTTP (customer-site.ts carries it).
 * @packageDocumentation
 */
import type { ContactCenter } from '../contact-center';
import type { PageVisit } from '../customer-context';
import type { ContactCenterEvent } from '../events';
import type { ChatEndReason, ChatEvent, ChatRequest } from './chat-schemas';

/** What the gateway uses of the contact center. @public */
export type CustomerDesk = Pick<ContactCenter, 'request' | 'customerSays' | 'customerLeaves' | 'on'>;

/** Chats kept at once; the oldest ended chat is forgotten first. */
const MAX_CHATS = 200;
/** Events kept per chat, for pages that reconnect (the latest kept). */
const MAX_EVENTS = 500;
/** Pages following one chat at once (tabs). */
const MAX_LISTENERS_PER_CHAT = 4;
/** Lines a customer may send in {@link RATE_WINDOW_MS}. */
const MAX_LINES_PER_WINDOW = 20;
const RATE_WINDOW_MS = 10_000;

/** A chat event with its number, for `Last-Event-ID`. @public */
export type NumberedEvent = { readonly id: number; readonly event: ChatEvent };

type Chat = {
  readonly id: string;
  readonly visitorId: string;
  readonly events: NumberedEvent[];
  nextId: number;
  readonly listeners: Set<(event: NumberedEvent | undefined) => void>;
  connected: boolean;
  ended: boolean;
  lines: number[];
};

/** Outcome of a gateway call, with the HTTP status the site answers. @public */
export type GatewayResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly status: number; readonly error: string };

/**
 * Chats of web visitors, each tied to the visitor who started it (their cookie id): another
 * visitor's calls find no such chat (404), so a chat id alone is worth nothing.
 * @public
 */
export class WebGateway {
  private readonly chats = new Map<string, Chat>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly desk: CustomerDesk,
    private readonly now: () => number = Date.now,
  ) {
    this.unsubscribe = desk.on((event) => this.onCenter(event));
  }

  /** A visitor starts a chat; one open chat per visitor (a second start gets the first back). */
  start(visitorId: string, request: ChatRequest, pages: readonly PageVisit[]): GatewayResult<{ chatId: string; position: number }> {
    const open = [...this.chats.values()].find((c) => c.visitorId === visitorId && !c.ended);
    if (open) {
      return { ok: true, value: { chatId: open.id, position: this.lastPosition(open) } };
    }
    const result = this.desk.request({ name: request.name, email: request.email, question: request.question, call: request.call, pages, visitorId });
    if (!result.ok) {
      return { ok: false, status: 503, error: 'All our agents are busy right now. Please try again in a few minutes.' };
    }
    const chat: Chat = { id: result.requestId, visitorId, events: [], nextId: 1, listeners: new Set(), connected: false, ended: false, lines: [] };
    this.chats.set(chat.id, chat);
    this.evict();
    this.push(chat, { type: 'message', from: 'customer', name: request.name, text: request.question, at: this.now() });
    if (result.position > 0 && this.lastPosition(chat) === 0) {
      this.push(chat, { type: 'waiting', position: result.position });
    }
    return { ok: true, value: { chatId: chat.id, position: result.position } };
  }

  /** The customer sends a line. */
  say(visitorId: string, chatId: string, text: string): GatewayResult<null> {
    const chat = this.own(visitorId, chatId);
    if (!chat) {
      return { ok: false, status: 404, error: 'no such chat' };
    }
    if (chat.ended) {
      return { ok: false, status: 409, error: 'this chat has ended' };
    }
    const now = this.now();
    chat.lines = chat.lines.filter((at) => at > now - RATE_WINDOW_MS);
    if (chat.lines.length >= MAX_LINES_PER_WINDOW) {
      return { ok: false, status: 429, error: 'slow down a little' };
    }
    chat.lines.push(now);
    return this.desk.customerSays(chatId, text) ? { ok: true, value: null } : { ok: false, status: 409, error: 'this chat has ended' };
  }

  /** The customer ends the chat. */
  end(visitorId: string, chatId: string): GatewayResult<null> {
    const chat = this.own(visitorId, chatId);
    if (!chat) {
      return { ok: false, status: 404, error: 'no such chat' };
    }
    if (!chat.ended) {
      this.desk.customerLeaves(chatId);
      this.finish(chat, 'customer');
    }
    return { ok: true, value: null };
  }

  /**
   * Follows a chat: `listener` gets every event after `afterId`, then each new one, then
   * `undefined` once the chat has ended.
   * @returns the unsubscription
   */
  follow(visitorId: string, chatId: string, afterId: number, listener: (event: NumberedEvent | undefined) => void): GatewayResult<() => void> {
    const chat = this.own(visitorId, chatId);
    if (!chat) {
      return { ok: false, status: 404, error: 'no such chat' };
    }
    if (chat.listeners.size >= MAX_LISTENERS_PER_CHAT) {
      return { ok: false, status: 429, error: 'this chat is open in too many tabs' };
    }
    chat.events.filter((e) => e.id > afterId).forEach((e) => listener(e));
    if (chat.ended) {
      listener(undefined);
      return { ok: true, value: () => undefined };
    }
    chat.listeners.add(listener);
    return { ok: true, value: () => chat.listeners.delete(listener) };
  }

  /** Every event of a chat so far (the page's state after a reload, and tests). */
  events(visitorId: string, chatId: string): GatewayResult<readonly NumberedEvent[]> {
    const chat = this.own(visitorId, chatId);
    return chat ? { ok: true, value: [...chat.events] } : { ok: false, status: 404, error: 'no such chat' };
  }

  /** Stops listening to the contact center and ends every page's stream. */
  close(): void {
    this.unsubscribe();
    for (const chat of this.chats.values()) {
      chat.listeners.forEach((l) => l(undefined));
      chat.listeners.clear();
    }
  }

  /** What the contact center says, as the customer should see it. */
  private onCenter(event: ContactCenterEvent): void {
    const chat = 'requestId' in event ? this.chats.get(event.requestId) : undefined;
    if (!chat || chat.ended) {
      return;
    }
    switch (event.type) {
      case 'position':
        if (!chat.connected && event.position > 0) {
          this.push(chat, { type: 'waiting', position: event.position });
        }
        return;
      case 'joined':
        if (!chat.connected && event.role === 'agent') {
          chat.connected = true;
          this.push(chat, { type: 'connected', agent: event.name });
        } else {
          this.push(chat, { type: 'joined', name: event.name, role: event.role });
        }
        return;
      case 'message':
        if (event.role !== 'customer') {
          this.push(chat, { type: 'message', from: 'agent', name: event.name, text: event.text, at: event.at });
        } else if (event.text !== '') {
          this.push(chat, { type: 'message', from: 'customer', name: event.name, text: event.text, at: event.at });
        }
        return;
      case 'left':
        this.push(chat, { type: 'left', name: event.name });
        return;
      case 'ended':
        this.finish(chat, event.by === 'agent' ? 'agent' : event.by === 'customer' || event.by === 'abandoned' ? 'customer' : 'closed');
        return;
      default:
        return;
    }
  }

  private finish(chat: Chat, reason: ChatEndReason): void {
    this.push(chat, { type: 'ended', reason });
    chat.ended = true;
    chat.listeners.forEach((l) => l(undefined));
    chat.listeners.clear();
  }

  private push(chat: Chat, event: ChatEvent): void {
    const numbered = { id: chat.nextId++, event };
    chat.events.push(numbered);
    chat.events.splice(0, Math.max(0, chat.events.length - MAX_EVENTS));
    chat.listeners.forEach((l) => l(numbered));
  }

  private lastPosition(chat: Chat): number {
    const waiting = chat.events.filter((e) => e.event.type === 'waiting').at(-1)?.event;
    return waiting?.type === 'waiting' ? waiting.position : 0;
  }

  private own(visitorId: string, chatId: string): Chat | undefined {
    const chat = this.chats.get(chatId);
    return chat?.visitorId === visitorId ? chat : undefined;
  }

  /** Forgets the oldest ended chats past the cap (open chats are never dropped). */
  private evict(): void {
    for (const [id, chat] of this.chats) {
      if (this.chats.size <= MAX_CHATS) {
        return;
      }
      if (chat.ended) {
        this.chats.delete(id);
      }
    }
  }
}
