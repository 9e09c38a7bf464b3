import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, relative, resolve } from 'node:path';
import type { DesktopSession } from '../desktop/desktop-session';
import { contentTypeOf, PANE_CSP_DIRECTIVES } from '../extensions/pane-content';
import type { LoopbackOrigin } from './loopback-origin';

/** What the HTTP side of the browser host serves. */
export type WebRequestsOptions = {
  /** Vouches for pane files (`DesktopSession.paneFile`). */
  readonly session: Pick<DesktopSession, 'paneFile'>;
  /** The built renderer (`out/renderer`), resolved. */
  readonly rendererDir: string;
  readonly origin: LoopbackOrigin;
};

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

/** `/pane/<app GUID>/<path>`: a file of an extension's package. */
const PANE_PATH = /^\/pane\/([0-9A-Fa-f-]{36})\/(.+)$/;

/**
 * The HTTP side of the browser host: `GET` and `HEAD` only, only for this host's own names,
 * then a pane file (`/pane/…`) or a file of the renderer.
 */
export function webRequestHandler(options: WebRequestsOptions): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const method = request.method ?? 'GET';
    if (!options.origin.isOwnHost(request.headers.host)) {
      // DNS rebinding: a page on another name that resolves to 127.0.0.1 gets nothing.
      response.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Misdirected request\n');
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const path = decodedPath(request);
    if (path === undefined) {
      response.writeHead(400).end();
      return;
    }
    const head = method === 'HEAD';
    const pane = PANE_PATH.exec(path);
    if (pane) {
      servePaneFile(options, response, { appId: pane[1] ?? '', path: pane[2] ?? '' }, head);
      return;
    }
    serveRendererFile(options, response, path, head);
  };
}

/** The request's path, percent-decoded; undefined when it does not decode. */
function decodedPath(request: IncomingMessage): string | undefined {
  try {
    return decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
  } catch {
    return undefined;
  }
}

/** A file of an effective extension's package, sandboxed by its CSP; nothing else. */
function servePaneFile(options: WebRequestsOptions, response: ServerResponse, request: { appId: string; path: string }, head: boolean): void {
  const file = options.session.paneFile(request.appId, request.path);
  if (!file) {
    response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('No such extension file\n');
    return;
  }
  // A sandboxed pane has an opaque origin, and module scripts load in CORS mode: allow exactly "null".
  void sendFile(response, file, { 'Content-Security-Policy': PANE_CSP, 'Access-Control-Allow-Origin': 'null', Vary: 'Origin' }, head);
}

/** A file of the renderer (`/` is its `index.html`), never one outside its folder. */
function serveRendererFile(options: WebRequestsOptions, response: ServerResponse, path: string, head: boolean): void {
  const { rendererDir } = options;
  const target = path === '/' ? join(rendererDir, 'index.html') : resolve(rendererDir, `.${path}`);
  const inside = relative(rendererDir, target);
  if (inside.startsWith('..') || inside === '') {
    response.writeHead(404).end();
    return;
  }
  void sendFile(response, target, { 'Content-Security-Policy': appCsp(options.origin.port), 'X-Frame-Options': 'SAMEORIGIN' }, head);
}

/** Sends a regular file with its content type and `headers`, or 404 when there is none. */
async function sendFile(response: ServerResponse, file: string, headers: Record<string, string>, head: boolean): Promise<void> {
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
}
