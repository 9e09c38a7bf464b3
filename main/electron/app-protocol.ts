import { protocol, type CustomScheme, type Session } from 'electron';
import type { Logger } from '../../core/ports/logger';
import { APP_SCHEME, createAppFileHandler } from './app-scheme';
import { PANE_SCHEME_PRIVILEGES } from './pane-scheme';
import { RENDERER_DIR } from './renderer-pages';

/**
 * The app scheme's privileges (Electron protocol docs, `protocol.registerSchemesAsPrivileged`,
 * https://www.electronjs.org/docs/latest/api/protocol; security checklist item 18).
 * @remarks Each one is here for a reason, and the rest are left off:
 * - `standard`: URLs parse like http (host, path, relative `./assets/…` resolve, dot segments
 *   collapse) and the page gets a real origin, `switchboard-app://ui`, instead of file://'s
 *   opaque `null`, so its module script is same-origin.
 * - `secure`: a secure context like https, which `getUserMedia`, `setSinkId` and
 *   `enumerateDevices` (conference audio, Settings) require.
 * - `supportFetchAPI`: the page may `fetch()` its own files (Blink refuses `fetch()` to a
 *   scheme without it); same-origin only, since the scheme is not `corsEnabled`.
 * - not `corsEnabled`: the page only loads its own origin; other origins (a pane's partition
 *   has no handler for this scheme anyway) must not read the app's files.
 * - not `bypassCSP`: the page's CSP (its meta tag and the `APP_CSP` header) stays in force.
 * - not `allowServiceWorkers`, `stream` or `codeCache`: nothing uses them.
 */
export const APP_SCHEME_PRIVILEGES: CustomScheme = { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } };

/**
 * Registers the app and pane schemes' privileges in one call: Electron accepts
 * `registerSchemesAsPrivileged` only before `app` is ready, and only once (a second call
 * replaces the first).
 */
export function registerPrivilegedSchemes(): void {
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES, PANE_SCHEME_PRIVILEGES]);
}

/**
 * Serves the built renderer on the app scheme in the app windows' session (the default one).
 * Pane views run in their own partitions, which get no handler for it, so a pane cannot load
 * or read the app's page. Call after `app` is ready and before a window loads.
 */
export function serveAppScheme(session: Session, logger: Logger): void {
  const log = logger.child('app-scheme');
  session.protocol.handle(APP_SCHEME, createAppFileHandler({ rendererDir: RENDERER_DIR, onRefused: (url, reason) => log.warn('refused an app file', { url: url.slice(0, 200), reason }) }));
}
