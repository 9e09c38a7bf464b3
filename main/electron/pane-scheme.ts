import { readFile, stat } from 'node:fs/promises';
import type { CustomScheme, Session } from 'electron';
import { contentTypeOf, PANE_CSP_DIRECTIVES } from '../extensions/pane-content';

/** The scheme extension pages are served from: `switchboard-pane://<app GUID>/<path>`. */
export const PANE_SCHEME = 'switchboard-pane';

const PANE_CSP = PANE_CSP_DIRECTIVES.join('; ');

/** Extension packages are small (the registry bounds them); a file above this is refused. */
const MAX_FILE_BYTES = 20 * 1024 * 1024;

/**
 * The pane scheme's privileges, registered with the app scheme's in one call
 * (`registerPrivilegedSchemes` in app-protocol.ts: Electron takes that call once, before ready).
 * @remarks `standard` gives each extension its own origin (the GUID is the host), so its
 * storage and same-origin checks are its own; `secure` makes it a secure context like https.
 * Not `corsEnabled`: that would let other origins read these files, and not `bypassCSP`.
 */
export const PANE_SCHEME_PRIVILEGES: CustomScheme = { scheme: PANE_SCHEME, privileges: { standard: true, secure: true } };

/** The URL of an extension's packaged entry file. */
export function paneEntryUrl(appId: string, entry: string): string {
  const path = entry
    .replace(/^\.?\//, '')
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
  return `${PANE_SCHEME}://${guidHost(appId)}/${path}`;
}

/** The GUID as a URL host: no braces, lower case (standard schemes lower-case hosts anyway). */
export function guidHost(appId: string): string {
  return appId.replace(/^\{|\}$/g, '').toLowerCase();
}

/**
 * Serves one extension's files in its own session.
 * @param appId - The only extension this session may read: a pane that asks for another
 * extension's files gets a 404 like any missing file.
 * @param resolveFile - The desktop session's `paneFile` (files inside an effective package).
 */
export function servePaneFiles(session: Session, appId: string, resolveFile: (appId: string, path: string) => string | undefined): void {
  if (session.protocol.isProtocolHandled(PANE_SCHEME)) {
    session.protocol.unhandle(PANE_SCHEME);
  }
  const host = guidHost(appId);
  session.protocol.handle(PANE_SCHEME, async (request) => {
    const notFound = (): Response => new Response('Not found\n', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Security-Policy': PANE_CSP } });
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response(null, { status: 405, headers: { Allow: 'GET, HEAD' } });
    }
    let path: string;
    let requestedHost: string;
    try {
      const url = new URL(request.url);
      requestedHost = url.hostname.toLowerCase();
      path = decodeURIComponent(url.pathname).replace(/^\/+/, '');
    } catch {
      return notFound();
    }
    if (requestedHost !== host || path === '' || path.includes('\0')) {
      return notFound();
    }
    const file = resolveFile(appId, path);
    if (!file) {
      return notFound();
    }
    try {
      const info = await stat(file);
      if (!info.isFile() || info.size > MAX_FILE_BYTES) {
        return notFound();
      }
      const body = request.method === 'HEAD' ? null : await readFile(file);
      return new Response(body, {
        status: 200,
        headers: {
          'Content-Type': contentTypeOf(file),
          'Content-Security-Policy': PANE_CSP,
          'X-Content-Type-Options': 'nosniff',
          'Referrer-Policy': 'no-referrer',
          'Cache-Control': 'no-cache',
        },
      });
    } catch {
      return notFound();
    }
  });
}
