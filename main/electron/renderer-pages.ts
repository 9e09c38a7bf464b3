import { join } from 'node:path';
import { app, shell, type BrowserWindow, type WebContents, type WebPreferences } from 'electron';
import type { Logger } from '../../core/ports/logger';
import { appPageUrl, isAppPageUrl } from './app-scheme';

/** out/main/index.js → out/. */
const OUT_DIR = join(import.meta.dirname, '..');

/** The preload of app windows (`window.switchboard`). */
export const APP_PRELOAD = join(OUT_DIR, 'preload', 'index.cjs');
/** The preload of extension panes (the `switchboard-pane/1` relay). */
export const PANE_PRELOAD = join(OUT_DIR, 'preload', 'pane.cjs');
/**
 * The built renderer, served on the app scheme (`switchboard-app://ui/`, app-scheme.ts): app
 * windows never load it over file:// (Electron security checklist item 18).
 */
export const RENDERER_DIR = join(OUT_DIR, 'renderer');

/** Web preferences of every app window and pane view: sandboxed, isolated, no Node. */
export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    webviewTag: false,
    spellcheck: false,
  };
}

/**
 * One set of web preferences for every app window.
 * @remarks The main window plays conference audio, often while hidden in the tray and after
 * the agent clicked Accept in another window (the toast): so no user-gesture rule for playback,
 * and no timer throttling of its media reports.
 */
export function appWebPreferences(): WebPreferences {
  return { ...secureWebPreferences(APP_PRELOAD), autoplayPolicy: 'no-user-gesture-required', backgroundThrottling: false };
}

/**
 * The dev server URL electron-vite passes in development, if it is one we trust.
 * @remarks Ignored in a packaged app and unless it is a loopback http URL: an environment
 * variable must not be able to point the windows (and their bridge) at a remote page.
 */
function devServerUrl(): URL | undefined {
  const raw = process.env['ELECTRON_RENDERER_URL'];
  if (app.isPackaged || raw === undefined || raw === '') {
    return undefined;
  }
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Loads the renderer with a route (`/main`, `/toast`, `/conversation/<id>`): from the dev
 * server in development, else from the app scheme, never from file:// (with the
 * `grantFileProtocolExtraPrivileges` fuse off a file:// page's module script is refused by CORS).
 * @param route - Already URL-safe (ids are encodeURIComponent-ed by the caller).
 */
export function loadRoute(window: BrowserWindow, route: string, logger: Logger): void {
  const dev = devServerUrl();
  const loading = window.loadURL(dev ? new URL(`#${route}`, dev).href : appPageUrl(route));
  loading.catch((error: unknown) => logger.error('window did not load', { route, error: String(error) }));
}

/** Whether `url` is our renderer page (any route): the only page allowed to use the bridge. */
export function isRendererUrl(url: string): boolean {
  const dev = devServerUrl();
  if (!dev) {
    return isAppPageUrl(url);
  }
  try {
    return new URL(url).origin === dev.origin;
  } catch {
    return false;
  }
}

/** Opens https: links in the system browser; nothing else leaves the app. */
export function openHttpsExternally(url: string, logger: Logger): void {
  try {
    if (new URL(url).protocol === 'https:') {
      void shell.openExternal(url).catch((error: unknown) => logger.warn('cannot open link', { error: String(error) }));
      return;
    }
  } catch {
    // not a URL: refused below
  }
  logger.warn('refused to open a non-https link', { url: url.slice(0, 200) });
}

/**
 * An app window never navigates away from the renderer, opens no window of its own, and
 * attaches no webview: links go to the system browser.
 */
export function hardenAppContents(contents: WebContents, logger: Logger): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openHttpsExternally(url, logger);
    return { action: 'deny' };
  });
}
