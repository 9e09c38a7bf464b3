/**
 * The customer page: the lab site over HTTP on 127.0.0.1, with its web gateway (a small JSON
 * API and server-sent events). Plain `node:http`, no framework.
 * @packageDocumentation
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ZodType } from 'zod';
import { silentLogger, type Logger } from '../../../core/ports/logger';
import { chatMessageSchema, chatRequestSchema } from './chat-schemas';
import { CHAT_SCRIPT, renderPage, SITE_CSS, SITE_PAGES } from './site-pages';
import { Visitors } from './visitors';
import { WebGateway, type CustomerDesk, type GatewayResult, type NumberedEvent } from './web-gateway';

/** Options of {@link startCustomerSite}. @public */
export type CustomerSiteOptions = {
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  readonly port?: number;
  readonly logger?: Logger;
};

/** A running customer site. @public */
export type CustomerSite = {
  /** `http://127.0.0.1:PORT/`, the product page. */
  readonly url: string;
  readonly port: number;
  /** The gateway behind the page (tests read a chat's events from it). */
  readonly gateway: WebGateway;
  stop(): Promise<void>;
};

/** Largest request body the API reads. */
const MAX_BODY_BYTES = 8 * 1024;
/** Event streams open at once, all chats together. */
const MAX_STREAMS = 200;
/** A stream whose reader has this much unread is dropped (the page reconnects with Last-Event-ID). */
const MAX_UNREAD_BYTES = 1024 * 1024;
const KEEPALIVE_MS = 15_000;

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
};

const CHAT_PATH = /^\/api\/chats\/(r-[0-9a-f]{12})(?:\/(events|messages|end))?$/;

/** What one request is about, once the host and the visitor are known. */
type Exchange = { readonly req: IncomingMessage; readonly res: ServerResponse; readonly url: URL; readonly visitor: string; readonly headers: Record<string, string> };

/**
 * Serves the site and its gateway on 127.0.0.1 only.
 *
 * @remarks
 * - Pages: the shop's pages ({@link SITE_PAGES}); each GET of one is recorded for the visitor
 *   (cookie `sb_visitor`, HttpOnly, SameSite=Strict), and a chat request carries that list.
 * - API: `POST /api/chats` `{name,email,question,call}` → `{chatId,position}`;
 *   `POST /api/chats/:id/messages` `{text}`; `POST /api/chats/:id/end`;
 *   `GET /api/chats/:id/events` (server-sent events, `Last-Event-ID` honoured);
 *   `GET /api/chats/:id` (the events so far, as JSON). A chat belongs to the visitor who
 *   started it; anybody else gets 404.
 * - Guards: the `Host` must be this server's loopback address (DNS rebinding); a POST must be
 *   `application/json` (a cross-site form cannot send that without a preflight, which is never
 *   answered) and, when the browser says, from this origin; bodies over 8 KiB get 413; every
 *   body is validated with zod (400 naming the field); pages carry a strict CSP.
 * @public
 */
export async function startCustomerSite(desk: CustomerDesk, options: CustomerSiteOptions = {}): Promise<CustomerSite> {
  const log = (options.logger ?? silentLogger).child('customer-site');
  const gateway = new WebGateway(desk);
  const visitors = new Visitors();
  const streams = { open: 0 };
  let port = 0;
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log.warn('customer site request failed', { url: req.url, error: String(error) });
      if (!res.headersSent) {
        sendJson(res, 500, { error: 'internal error' }, SECURITY_HEADERS);
      } else {
        res.destroy();
      }
    });
  });
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
      sendJson(res, 421, { error: 'wrong host' }, SECURITY_HEADERS);
      return;
    }
    const visitor = visitors.identify(req.headers.cookie);
    const headers: Record<string, string> = { ...SECURITY_HEADERS, ...(visitor.setCookie !== undefined && { 'set-cookie': visitor.setCookie }) };
    const exchange: Exchange = { req, res, url: new URL(req.url ?? '/', `http://${host}`), visitor: visitor.id, headers };
    if (req.method === 'GET' || req.method === 'HEAD') {
      serveGet(exchange, gateway, visitors, streams);
    } else if (req.method === 'POST') {
      await servePost(exchange, gateway, visitors, host);
    } else {
      sendJson(res, 405, { error: 'method not allowed' }, { ...headers, allow: 'GET, HEAD, POST' });
    }
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;
  log.info('customer site listening', { url: `http://127.0.0.1:${port}/` });
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    gateway,
    stop: async () => {
      gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function serveGet(x: Exchange, gateway: WebGateway, visitors: Visitors, streams: { open: number }): void {
  const path = x.url.pathname;
  const page = SITE_PAGES.find((p) => p.path === path);
  if (page) {
    if (x.req.method === 'GET') {
      visitors.visited(x.visitor, page.path, page.title);
    }
    send(x.res, 200, 'text/html; charset=utf-8', renderPage(page), x.headers);
    return;
  }
  if (path === '/assets/site.css') {
    send(x.res, 200, 'text/css; charset=utf-8', SITE_CSS, x.headers);
    return;
  }
  if (path === '/assets/chat.js') {
    send(x.res, 200, 'text/javascript; charset=utf-8', CHAT_SCRIPT, x.headers);
    return;
  }
  if (path === '/favicon.ico') {
    x.res.writeHead(204, x.headers).end();
    return;
  }
  const chat = CHAT_PATH.exec(path);
  if (chat?.[1] !== undefined && chat[2] === 'events') {
    serveEvents(x, gateway, chat[1], streams);
    return;
  }
  if (chat?.[1] !== undefined && chat[2] === undefined) {
    answer(x, gateway.events(x.visitor, chat[1]), (events) => ({ events }));
    return;
  }
  send(x.res, 404, 'text/plain; charset=utf-8', 'Not found\n', x.headers);
}

async function servePost(x: Exchange, gateway: WebGateway, visitors: Visitors, host: string): Promise<void> {
  const type = (x.req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  const origin = x.req.headers.origin;
  const site = x.req.headers['sec-fetch-site'];
  if (type !== 'application/json' || (origin !== undefined && origin !== `http://${host}`) || (site !== undefined && site !== 'same-origin')) {
    sendJson(x.res, 403, { error: 'requests come from this site only, as JSON' }, x.headers);
    return;
  }
  const body = await readBody(x.req);
  if (body === undefined) {
    sendJson(x.res, 413, { error: `a request body is at most ${MAX_BODY_BYTES} bytes` }, x.headers);
    return;
  }
  const path = x.url.pathname;
  if (path === '/api/chats') {
    const request = validate(x, chatRequestSchema, body);
    if (request) {
      answer(x, gateway.start(x.visitor, request, visitors.pagesOf(x.visitor)), (v) => v, 201);
    }
    return;
  }
  const chat = CHAT_PATH.exec(path);
  if (chat?.[1] !== undefined && chat[2] === 'messages') {
    const message = validate(x, chatMessageSchema, body);
    if (message) {
      answer(x, gateway.say(x.visitor, chat[1], message.text), () => ({ ok: true }), 202);
    }
    return;
  }
  if (chat?.[1] !== undefined && chat[2] === 'end') {
    answer(x, gateway.end(x.visitor, chat[1]), () => ({ ok: true }));
    return;
  }
  sendJson(x.res, 404, { error: 'not found' }, x.headers);
}

/** Server-sent events of one chat: what happened after `Last-Event-ID`, then each new event. */
function serveEvents(x: Exchange, gateway: WebGateway, chatId: string, streams: { open: number }): void {
  if (streams.open >= MAX_STREAMS) {
    sendJson(x.res, 503, { error: 'too many open chats' }, x.headers);
    return;
  }
  const after = Number(x.req.headers['last-event-id'] ?? 0);
  let started = false;
  const start = (): void => {
    if (!started) {
      started = true;
      x.res.writeHead(200, { ...x.headers, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store' });
      x.res.write(': switchboard chat\n\n');
    }
  };
  const write = (numbered: NumberedEvent | undefined): void => {
    start();
    if (numbered === undefined || x.res.writableLength > MAX_UNREAD_BYTES) {
      x.res.end();
      return;
    }
    x.res.write(`id: ${numbered.id}\ndata: ${JSON.stringify(numbered.event)}\n\n`);
  };
  const followed = gateway.follow(x.visitor, chatId, Number.isInteger(after) && after > 0 ? after : 0, write);
  if (!followed.ok) {
    sendJson(x.res, followed.status, { error: followed.error }, x.headers);
    return;
  }
  start();
  streams.open += 1;
  const keepAlive = setInterval(() => {
    if (!x.res.writableEnded) {
      x.res.write(': keep-alive\n\n');
    }
  }, KEEPALIVE_MS);
  x.res.on('close', () => {
    streams.open -= 1;
    clearInterval(keepAlive);
    followed.value();
  });
}

function validate<T>(x: Exchange, schema: ZodType<T>, body: string): T | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    sendJson(x.res, 400, { error: 'the body is not JSON' }, x.headers);
    return undefined;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    sendJson(x.res, 400, { error: `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`, field: issue?.path.join('.') ?? '' }, x.headers);
    return undefined;
  }
  return parsed.data;
}

function answer<T>(x: Exchange, result: GatewayResult<T>, body: (value: T) => unknown, status = 200): void {
  if (result.ok) {
    sendJson(x.res, status, body(result.value), x.headers);
  } else {
    sendJson(x.res, result.status, { error: result.error }, x.headers);
  }
}

/** The body as text, or undefined once it passes {@link MAX_BODY_BYTES}. */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body), { ...headers, 'cache-control': 'no-store' });
}

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string>): void {
  res.writeHead(status, { ...headers, 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
