import type { ChatEvent } from '../../lab/contact-center/web/chat-schemas';
import { EventWaiters } from './event-waiters';

/** A chat event with the monotonic time it arrived. */
export type TimedChatEvent = { readonly at: number; readonly event: ChatEvent };

/**
 * A web visitor of the lab's customer page, without a browser: a cookie jar, the pages it
 * looks at, the chat API, and the chat's server-sent events read from the stream as a page's
 * EventSource would.
 */
export class CustomerClient {
  readonly events: TimedChatEvent[] = [];
  private cookie = '';
  private chatId: string | undefined;
  private stream: ReadableStreamDefaultReader<Uint8Array> | undefined;
  private readonly waiters = new EventWaiters<TimedChatEvent>(this.events);

  constructor(private readonly base: string) {}

  get chat(): string {
    if (this.chatId === undefined) {
      throw new Error('no chat started');
    }
    return this.chatId;
  }

  /** Looks at a page of the site (the site records it for this visitor). */
  async visit(path: string): Promise<void> {
    const response = await this.call(path);
    await response.text();
    if (!response.ok) {
      throw new Error(`GET ${path}: ${response.status}`);
    }
  }

  /** Fills in the chat form and starts following the chat. */
  async startChat(form: { name: string; email: string; question: string; call?: boolean }): Promise<{ chatId: string; position: number }> {
    const response = await this.post('/api/chats', form);
    const body = (await response.json()) as { chatId: string; position: number; error?: string };
    if (response.status !== 201) {
      throw new Error(`POST /api/chats: ${response.status} ${body.error ?? ''}`);
    }
    this.chatId = body.chatId;
    await this.follow();
    return body;
  }

  /** Sends a line in the chat; resolves with the HTTP status. */
  async say(text: string): Promise<number> {
    const response = await this.post(`/api/chats/${this.chat}/messages`, { text });
    await response.text();
    return response.status;
  }

  /** Clicks End chat. */
  async end(): Promise<number> {
    const response = await this.post(`/api/chats/${this.chat}/end`, {});
    await response.text();
    return response.status;
  }

  /** Waits for the first chat event after index `from` that matches. */
  waitFor(match: (event: ChatEvent) => boolean, timeoutMs = 10_000, from = 0): Promise<TimedChatEvent> {
    return this.waiters.waitFor((e) => match(e.event), timeoutMs, from, () => `no matching chat event within ${timeoutMs} ms; events: ${JSON.stringify(this.events.map((e) => e.event))}`);
  }

  /** Stops reading the stream. */
  async close(): Promise<void> {
    await this.stream?.cancel().catch(() => undefined);
  }

  private async follow(): Promise<void> {
    const response = await this.call(`/api/chats/${this.chat}/events`);
    if (!response.ok || !response.body) {
      throw new Error(`events: ${response.status}`);
    }
    const reader = response.body.getReader();
    this.stream = reader;
    void this.read(reader);
  }

  private async read(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const chunk = await reader.read().catch(() => undefined);
      if (!chunk || chunk.done) {
        return;
      }
      buffer += decoder.decode(chunk.value, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const data = buffer
          .slice(0, end)
          .split('\n')
          .find((line) => line.startsWith('data: '));
        buffer = buffer.slice(end + 2);
        if (data !== undefined) {
          this.events.push({ at: performance.now(), event: JSON.parse(data.slice(6)) as ChatEvent });
          this.waiters.notify();
        }
        end = buffer.indexOf('\n\n');
      }
    }
  }

  private post(path: string, body: unknown): Promise<Response> {
    return this.call(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', origin: new URL(this.base).origin } });
  }

  private async call(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = { ...(init.headers as Record<string, string> | undefined), ...(this.cookie !== '' && { cookie: this.cookie }) };
    const response = await fetch(new URL(path, this.base), { ...init, headers });
    const set = response.headers.get('set-cookie');
    if (set) {
      this.cookie = set.split(';')[0] ?? '';
    }
    return response;
  }
}
