import { promises as fs } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { contentTypeOf } from '../extensions/pane-content';

/**
 * The app UI's scheme and origin, and the handler that serves the built renderer from it.
 * No electron import: the Electron wiring is `app-protocol.ts`, and the integration test serves
 * the same handler to Debian's Chromium on an https origin.
 *
 * Why a scheme at all: Electron's security checklist, items 18 ("Avoid usage of the file://
 * protocol and prefer usage of custom protocols") and 19 ("Check which fuses you can change",
 * `grantFileProtocolExtraPrivileges`): with that fuse off, as electron-builder.yml sets it, a
 * file:// page has the opaque origin `null` and its `<script type="module">` is refused by CORS,
 * so the window stays blank. A privileged standard scheme gives the page a real origin
 * (https://www.electronjs.org/docs/latest/tutorial/security,
 * https://www.electronjs.org/docs/latest/api/protocol#protocolhandlescheme-handler).
 */

/**
 * The scheme app windows load the UI from. Named after the app, not the generic `app:` of
 * Electron's examples, so it cannot collide with another handler, and beside `switchboard-pane`.
 */
export const APP_SCHEME = 'switchboard-app';
/** The one host of the scheme: every app window shares one origin, `switchboard-app://ui`. */
export const APP_HOST = 'ui';
/** The renderer's page; its route (`/main`, `/toast`, `/conversation/<id>`) is in the hash. */
const APP_PAGE = 'index.html';

/** An origin the handler answers for: a scheme (no colon) and a host. */
export type AppOrigin = { readonly scheme: string; readonly host: string };

/** The app scheme's origin; the integration test passes an https one instead. */
export const APP_ORIGIN: AppOrigin = { scheme: APP_SCHEME, host: APP_HOST };

/**
 * The response CSP of the app's pages, on top of the `<meta>` policy in renderer/index.html
 * (both apply; a response header is the only place `frame-ancestors` and `form-action` work).
 * It allows no more than the meta policy, less where Electron needs less.
 */
export const APP_CSP = [
  // The bundle is the page's own module script and assets: nothing from elsewhere.
  "default-src 'self'",
  "script-src 'self'",
  // Fluent UI (Griffel) inserts its atomic CSS as style elements at run time.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  // The Electron bridge is IPC (the preload), never a socket: no ws: here, unlike the browser host.
  "connect-src 'self'",
  // A pane the host could not place falls back to a sandboxed frame of its page (PaneFrame).
  "frame-src 'self' https: switchboard-pane:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Where a URL leads: a path relative to the renderer folder, or why it leads nowhere. */
export type AppPathResolution = { readonly ok: true; readonly path: string } | { readonly ok: false; readonly reason: string };

/** The URL an app window loads for a route (already URL-safe: ids are encoded by the caller). */
export function appPageUrl(route: string): string {
  return `${APP_SCHEME}://${APP_HOST}/${APP_PAGE}#${route}`;
}

/** The URL parsed, if it is on `origin` exactly (no port, no user info; hosts compare case-blind). */
function onOrigin(url: string, origin: AppOrigin): URL | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const same =
    parsed.protocol === `${origin.scheme}:` &&
    // Node keeps a non-special scheme's host as written; Chromium lower-cases a standard one's.
    parsed.hostname.toLowerCase() === origin.host &&
    parsed.port === '' &&
    parsed.username === '' &&
    parsed.password === '';
  return same ? parsed : undefined;
}

/**
 * Whether `url` is the renderer's page on the app scheme (any route in the hash): the only
 * document allowed the bridge and the microphone.
 */
export function isAppPageUrl(url: string): boolean {
  const parsed = onOrigin(url, APP_ORIGIN);
  return parsed !== undefined && (parsed.pathname === '/' || parsed.pathname === `/${APP_PAGE}`);
}

/**
 * One decoded path segment, or undefined when it could name anything but a plain file or
 * folder inside the renderer: dot segments (also `%2e%2e`, which survive the URL parser when
 * split by an encoded slash), encoded slashes and backslashes (`..%2f`, `..%5c`, and a raw `\`
 * which Node keeps in a non-special scheme's path), NUL, and `:` (a Windows drive or an NTFS
 * stream). Empty segments (`//etc`) are refused too: nothing we build has them.
 */
function plainSegment(raw: string): string | undefined {
  let segment: string;
  try {
    segment = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  if (segment === '' || segment === '.' || segment === '..' || /[/\\\0:]/.test(segment)) {
    return undefined;
  }
  return segment;
}

/**
 * Maps a request URL to a path inside the renderer folder, from the URL alone (no file system).
 * `/` is the page; the query is ignored (the page's files take none) and the hash never reaches
 * a protocol handler (ignored if present).
 */
export function resolveAppPath(url: string, origin: AppOrigin = APP_ORIGIN): AppPathResolution {
  const parsed = onOrigin(url, origin);
  if (!parsed) {
    return { ok: false, reason: 'not this origin' };
  }
  const pathname = parsed.pathname === '' || parsed.pathname === '/' ? `/${APP_PAGE}` : parsed.pathname;
  const segments: string[] = [];
  for (const raw of pathname.slice(1).split('/')) {
    const segment = plainSegment(raw);
    if (segment === undefined) {
      return { ok: false, reason: 'not a plain path' };
    }
    segments.push(segment);
  }
  return { ok: true, path: segments.join('/') };
}

/** Whether `target` is strictly below `root` (both absolute, already resolved). */
function isBelow(root: string, target: string): boolean {
  const path = relative(root, target);
  return path !== '' && path !== '..' && !path.startsWith(`..${sep}`) && !isAbsolute(path);
}

/**
 * The real file behind a resolved path, if it is a regular file whose real path (symlinks
 * followed) is still inside the renderer folder. `fs.promises` is read at call time because
 * Electron wraps it to read inside app.asar, where a packaged renderer lives.
 */
async function fileInside(rendererDir: string, path: string): Promise<string | undefined> {
  const root = resolve(rendererDir);
  const target = resolve(root, path);
  if (!isBelow(root, target)) {
    return undefined;
  }
  try {
    const [realRoot, realTarget] = await Promise.all([fs.realpath(root), fs.realpath(target)]);
    if (!isBelow(realRoot, realTarget) || !(await fs.stat(realTarget)).isFile()) {
      return undefined;
    }
    return realTarget;
  } catch {
    return undefined;
  }
}

/** The request a handler needs: a Fetch `Request` (Electron's `protocol.handle`) fits. */
export type AppFileRequest = { readonly url: string; readonly method: string };

/** Options of {@link createAppFileHandler}. */
export type AppFileHandlerOptions = {
  /** The built renderer (`out/renderer`); nothing outside it is ever served. */
  readonly rendererDir: string;
  /** Defaults to {@link APP_ORIGIN}. */
  readonly origin?: AppOrigin;
  /** Told why a request got a 404 (for a debug log). */
  readonly onRefused?: (url: string, reason: string) => void;
};

const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': APP_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

/**
 * A `protocol.handle` handler that serves the renderer folder's files, GET and HEAD only.
 * @remarks Anything it does not serve is a 404, never a 403: whether a path is outside the
 * folder, a symlink out of it, on another host or simply missing, the answer is the same, so a
 * page learns nothing about files beyond the renderer. Each response carries {@link APP_CSP}
 * and `nosniff` with the type from the shared table (`main/extensions/pane-content.ts`), since module
 * scripts are refused unless served as JavaScript.
 */
export function createAppFileHandler(options: AppFileHandlerOptions): (request: AppFileRequest) => Promise<Response> {
  const origin = options.origin ?? APP_ORIGIN;
  const notFound = (url: string, reason: string): Response => {
    options.onRefused?.(url, reason);
    return new Response('Not found\n', { status: 404, headers: { ...COMMON_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' } });
  };
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response(null, { status: 405, headers: { ...COMMON_HEADERS, Allow: 'GET, HEAD' } });
    }
    const resolved = resolveAppPath(request.url, origin);
    if (!resolved.ok) {
      return notFound(request.url, resolved.reason);
    }
    const file = await fileInside(options.rendererDir, resolved.path);
    if (!file) {
      return notFound(request.url, 'no such file inside the renderer');
    }
    try {
      const body = request.method === 'HEAD' ? null : await fs.readFile(file);
      return new Response(body, { status: 200, headers: { ...COMMON_HEADERS, 'Content-Type': contentTypeOf(file) } });
    } catch {
      return notFound(request.url, 'unreadable');
    }
  };
}
