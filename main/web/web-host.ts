import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { join, relative, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { bridgeSocketFrameSchema, type BridgeSocketFrame } from '../../common/bridge';
import type { Logger } from '../../core/ports/logger';
import type { BridgeCaller, DesktopSession } from '../desktop/desktop-session';
import { contentTypeOf, PANE_CSP_DIRECTIVES } from '../extensions/pane-content';

/** Options of {@link startWebHost}. */
export type WebHostOptions = {
  readonly session: DesktopSession;
  /** The built renderer (`out/renderer`). */
  readonly rendererDir: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly logger: Logger;
};

/** A running browser host. */
export type WebHost = {
  /** The URL to open, with the session token. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
};

/** A window that falls this far behind is dropped; it reconnects and takes a fresh snapshot. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** Large enough for an extension archive upload (20 MiB, base64). */
const MAX_FRAME_BYTES = 30 * 1024 * 1024;

/** The app's own pages: scripts and connections only from this origin, never framed by others. */
function appCsp(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Fluent UI (Griffel) inserts its atomic CSS as style elements at run time.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "frame-src 'self' https:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'self'",
  ].join('; ');
}

/**
 * Extension pages (the shared pane policy): sandboxed even if opened outside their iframe (the CSP `sandbox` directive
 * gives them an opaque origin, so they can read no storage or cookie of ours or of another
 * pane), no network, framed only by the app.
 */
const PANE_CSP = ['sandbox allow-scripts', ...PANE_CSP_DIRECTIVES, "frame-ancestors 'self'"].join('; ');

function sameToken(given: string | null, token: string): boolean {
  if (given === null) {
    return false;
  }
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The browser host: serves the renderer and the bridge on 127.0.0.1 only, for Chromium here
 * and for agents on thin clients. The bridge is a WebSocket that needs the per-session token
 * and this origin; extension panes are served sandboxed, from paths the registry vouches for.
 * @public
 */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const { session, logger } = options;
  const log = logger.child('web');
  const token = randomBytes(24).toString('base64url');
  const rendererDir = resolve(options.rendererDir);
  let port = options.port;
  const allowedHosts = (): Set<string> => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  const sendFile = async (response: ServerResponse, file: string, headers: Record<string, string>, head: boolean): Promise<void> => {
    let size: number;
    try {
      const info = await stat(file);
      if (!info.isFile()) {
        throw new Error('not a file');
      }
      size = info.size;
    } catch {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
      return;
    }
    response.writeHead(200, {
      'Content-Type': contentTypeOf(file),
      'Content-Length': String(size),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-cache',
      ...headers,
    });
    if (head) {
      response.end();
      return;
    }
    createReadStream(file).on('error', () => response.destroy()).pipe(response);
  };

  const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    const method = request.method ?? 'GET';
    if (!allowedHosts().has(request.headers.host ?? '')) {
      // DNS rebinding: a page on another name that resolves to 127.0.0.1 gets nothing.
      response.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Misdirected request\n');
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
    } catch {
      response.writeHead(400).end();
      return;
    }
    const head = method === 'HEAD';
    const pane = /^\/pane\/([0-9A-Fa-f-]{36})\/(.+)$/.exec(path);
    if (pane) {
      const file = session.paneFile(pane[1] ?? '', pane[2] ?? '');
      if (!file) {
        response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('No such extension file\n');
        return;
      }
      // A sandboxed pane has an opaque origin, and module scripts load in CORS mode: allow exactly "null".
      void sendFile(response, file, { 'Content-Security-Policy': PANE_CSP, 'Access-Control-Allow-Origin': 'null', Vary: 'Origin' }, head);
      return;
    }
    const target = path === '/' ? join(rendererDir, 'index.html') : resolve(rendererDir, `.${path}`);
    const inside = relative(rendererDir, target);
    if (inside.startsWith('..') || inside === '') {
      response.writeHead(404).end();
      return;
    }
    void sendFile(response, target, { 'Content-Security-Policy': appCsp(port), 'X-Frame-Options': 'SAMEORIGIN' }, head);
  };

  const server = createServer(onRequest);
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });

  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const origin = request.headers.origin ?? '';
    const okOrigin = origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
    if (url.pathname !== '/bridge' || !allowedHosts().has(request.headers.host ?? '') || !okOrigin || !sameToken(url.searchParams.get('token'), token)) {
      log.warn('bridge connection refused', { origin, path: url.pathname });
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => serveWindow(ws));
  });

  const serveWindow = (ws: WebSocket): void => {
    const send = (frame: BridgeSocketFrame): void => {
      if (ws.readyState !== ws.OPEN) {
        return;
      }
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        log.warn('window is not reading; dropping it so it reconnects with a snapshot');
        ws.close(1013, 'too far behind');
        return;
      }
      ws.send(JSON.stringify(frame));
    };
    const off = session.onPush((push) => send({ kind: 'push', push }));
    const goneListeners: Array<() => void> = [];
    const caller: BridgeCaller = {
      sendMedia: (command) => send({ kind: 'media', command }),
      onGone: (listener) => goneListeners.push(listener),
    };
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        ws.close(1003, 'text frames only');
        return;
      }
      let frame: BridgeSocketFrame;
      try {
        const parsed = bridgeSocketFrameSchema.safeParse(JSON.parse(String(data)));
        if (!parsed.success || parsed.data.kind !== 'request') {
          throw new Error(parsed.success ? 'only requests are accepted' : (parsed.error.issues[0]?.message ?? 'bad frame'));
        }
        frame = parsed.data;
      } catch (error) {
        log.warn('bad bridge frame', { error: String(error) });
        ws.close(1008, 'bad frame');
        return;
      }
      const { id, method, params } = frame;
      void session.handle(method, params, caller).then((response) => send({ kind: 'response', id, response }));
    });
    ws.on('close', () => {
      off();
      for (const listener of goneListeners.splice(0)) {
        listener();
      }
    });
    ws.on('error', () => ws.terminate());
  };

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolvePromise();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    close: async () => {
      for (const client of sockets.clients) {
        client.close(1001, 'host stopping');
      }
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolvePromise) => server.close(() => resolvePromise()));
    },
  };
}
