import { randomBytes } from 'node:crypto';

/** A Janus API reply ({@link https://janus.conf.meetecho.com/docs/rest.html}): `success`, `ack`, `event` or `error`. */
export type JanusReply = {
  readonly janus: string;
  readonly transaction?: string;
  readonly data?: { readonly id?: number };
  readonly plugindata?: { readonly plugin: string; readonly data: Record<string, unknown> };
  readonly jsep?: { readonly type: string; readonly sdp: string };
  readonly error?: { readonly code: number; readonly reason: string };
  readonly sender?: number;
};

/** A refusal or failure of the Janus API, with Janus's code when it gave one. */
export class JanusError extends Error {
  override readonly name = 'JanusError';
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
  }
}

/** How long one API request may take before it fails. */
const REQUEST_TIMEOUT_MS = 5000;

/**
 * A small typed client of Janus's HTTP (REST) API: sessions, plugin handles, plugin messages,
 * long-poll events. Every request has a timeout and a clear error; nothing is retried here.
 */
export class JanusClient {
  constructor(private readonly baseUrl: string) {}

  /** `GET /janus/info`: the server answers (readiness). */
  async info(): Promise<Record<string, unknown>> {
    return (await this.fetchJson(`${this.baseUrl}/info`, { method: 'GET' })) as Record<string, unknown>;
  }

  /** Creates a session; returns its id. */
  async createSession(): Promise<number> {
    return idOf(await this.post(this.baseUrl, { janus: 'create' }), 'session');
  }

  /** Attaches a plugin handle to a session; returns its id. */
  async attach(session: number, plugin: string): Promise<number> {
    return idOf(await this.post(`${this.baseUrl}/${session}`, { janus: 'attach', plugin }), 'handle');
  }

  /**
   * Sends a plugin message. Synchronous requests (create, list, destroy, configure…) answer at
   * once with `success` and the plugin's data; asynchronous ones (join) answer `ack`, and their
   * outcome comes as an event ({@link JanusClient.poll}).
   */
  async message(session: number, handle: number, body: Record<string, unknown>, jsep?: { type: string; sdp: string }): Promise<JanusReply> {
    const reply = await this.post(`${this.baseUrl}/${session}/${handle}`, { janus: 'message', body, ...(jsep !== undefined && { jsep }) });
    const data = reply.plugindata?.data;
    if (data !== undefined && typeof data['error'] === 'string') {
      throw new JanusError(`${String(body['request'])}: ${data['error']}`, typeof data['error_code'] === 'number' ? data['error_code'] : undefined);
    }
    return reply;
  }

  /** Long-polls a session's events (at most `max`, waiting up to ~30 s as Janus does). */
  async poll(session: number, max = 10, signal?: AbortSignal): Promise<JanusReply[]> {
    const reply = await this.fetchJson(`${this.baseUrl}/${session}?maxev=${max}&rid=${Date.now()}`, { method: 'GET', ...(signal !== undefined && { signal }) }, 40_000);
    return (Array.isArray(reply) ? reply : [reply]).filter((e: JanusReply) => e.janus !== 'keepalive');
  }

  /** Detaches a handle (the plugin forgets its participant). */
  async detach(session: number, handle: number): Promise<void> {
    await this.post(`${this.baseUrl}/${session}/${handle}`, { janus: 'detach' });
  }

  /** Destroys a session and every handle in it. */
  async destroy(session: number): Promise<void> {
    await this.post(`${this.baseUrl}/${session}`, { janus: 'destroy' });
  }

  private async post(url: string, body: Record<string, unknown>): Promise<JanusReply> {
    const transaction = randomBytes(8).toString('hex');
    const reply = (await this.fetchJson(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, transaction }) })) as JanusReply;
    if (reply.janus === 'error') {
      throw new JanusError(`Janus ${String(body['janus'])}: ${reply.error?.reason ?? 'error'}`, reply.error?.code);
    }
    return reply;
  }

  private async fetchJson(url: string, init: RequestInit, timeoutMs = REQUEST_TIMEOUT_MS): Promise<unknown> {
    const signals = [AbortSignal.timeout(timeoutMs), ...(init.signal ? [init.signal] : [])];
    let response: Response;
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.any(signals) });
    } catch (error) {
      throw new JanusError(`Janus at ${url} did not answer: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!response.ok) {
      throw new JanusError(`Janus at ${url} answered HTTP ${response.status}`);
    }
    return response.json();
  }
}

function idOf(reply: JanusReply, what: string): number {
  const id = reply.data?.id;
  if (typeof id !== 'number') {
    throw new JanusError(`Janus gave no ${what} id`);
  }
  return id;
}
