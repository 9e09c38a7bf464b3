import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { app, dialog, session as electronSession, type WebContents } from 'electron';
import type { DesktopEvent } from '../../common/desktop-state';
import { defaultConfigDir } from '../adapters/config-dir';
import { DesktopSession } from '../desktop/desktop-session';
import { installLastResort } from '../adapters/last-resort';
import { createStreamLogger } from '../adapters/stderr-logger';
import { restrictAppPermissions } from './app-permissions';
import { registerPrivilegedSchemes, serveAppScheme } from './app-protocol';
import { serveBridge } from './ipc';
import { installAppMenu } from './menu';
import { PaneViews } from './pane-views';
import { electronPlatform } from './platform';
import { createSecretStore } from './secret-store';
import { ToastNotifications } from './toast-notifications';
import { ToastShortcuts } from './toast-shortcuts';
import { StatusTray } from './tray';
import { AppWindows } from './windows';

/**
 * Electron main process: app lifecycle only. The desktop session (main/desktop) does the work;
 * the modules beside this one own windows, pane views, the IPC bridge, the tray, the menu and
 * the keychain.
 */

/** out/main/index.js → the package root (or app.asar), where package.json and out/ are. */
const APP_ROOT = join(import.meta.dirname, '..', '..');
/** A clean quit (leave, BYE, unregister) that hangs on a dead server must not keep the app alive. */
const QUIT_TIMEOUT_MS = 8000;

const logger = createStreamLogger({ level: process.env['SWITCHBOARD_LOG_LEVEL'] === 'debug' ? 'debug' : 'info' }, 'switchboard');
const log = logger.child('shell');
const configDir = defaultConfigDir(process.env);

// Chromium's own data (caches, each extension's storage, the single-instance lock) in a
// subfolder, so the config folder stays what an admin reads: settings, password, registries.
app.setPath('userData', join(configDir, 'chromium'));
registerPrivilegedSchemes();
// Conference audio runs in the main window's WebRTC stack. Chromium leaves 127.0.0.1 out of ICE
// unless told; the embedded lab's MCU listens there. Against a real MCU the loopback candidate
// simply never pairs.
app.commandLine.appendSwitch('allow-loopback-in-peer-connection');
process.on('unhandledRejection', (reason) => log.error('unhandled rejection', { reason: String(reason) }));

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  start().catch((error: unknown) => {
    log.error('Switchboard did not start', { error: String(error) });
    dialog.showErrorBox('Switchboard did not start', error instanceof Error ? error.message : String(error));
    app.exit(1);
  });
}

function appVersion(): string {
  try {
    const { version } = JSON.parse(readFileSync(join(APP_ROOT, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof version === 'string' ? version : app.getVersion();
  } catch {
    return app.getVersion();
  }
}

async function start(): Promise<void> {
  // The session is opened after the windows exist; the window cap's notice goes to it once it does.
  const notices: { session?: DesktopSession } = {};
  const windows = new AppWindows({
    logger,
    onMainClosed: () => app.quit(),
    onWindowCap: (open) => notices.session?.notice('warning', `${open} conversation windows are open: close one to open another. New conversations stay in the main window's list.`),
  });
  let ready = false;
  app.on('second-instance', () => {
    if (ready) {
      windows.showMain();
    }
  });
  await app.whenReady();
  restrictAppPermissions(electronSession.defaultSession);
  serveAppScheme(electronSession.defaultSession, logger);

  // The platform is handed to the session before the pane views (which need the session) exist.
  const late: { panes?: PaneViews } = {};
  const session = await DesktopSession.open({
    configDir,
    appRoot: APP_ROOT,
    version: appVersion(),
    env: process.env,
    logger,
    secrets: await createSecretStore(configDir, logger),
    platform: electronPlatform({
      openConversation: (id) => windows.openConversation(id, session.snapshot().state, true),
      placePane: (request, caller) => late.panes?.place(request, caller) ?? false,
      parent: () => windows.focused(),
    }),
  });

  notices.session = session;
  // Never exit on remote input: what escapes every dialog's own boundary is reported instead.
  installLastResort(logger, (message) => session.reportInternalError(message));

  const isAppContents = (contents: WebContents): boolean => windows.isAppContents(contents);
  const panes = new PaneViews({ session, isAppContents, logger });
  late.panes = panes;
  panes.start();
  const stopBridge = serveBridge({ session, isAppContents, windows: () => windows.all(), logger });

  const shell = decorateShell(session, windows);
  ready = true;
  app.on('activate', () => windows.showMain());
  holdQuitForCleanClose(session, windows, () => {
    panes.stop();
    shell.dispose();
    stopBridge();
  });
}

/** Tray, menu, toast shortcuts and notifications, kept in step with the desktop state. */
function decorateShell(session: DesktopSession, windows: AppWindows): { dispose: () => void } {
  let tray: StatusTray | undefined;
  try {
    tray = new StatusTray({ onShow: () => windows.showMain(), onQuit: () => app.quit() });
  } catch (error) {
    // Some Linux desktops have no notification area; the app works without it.
    log.warn('no tray icon', { error: String(error) });
  }
  installAppMenu({ parent: () => windows.focused() });

  const shortcuts = new ToastShortcuts((pending, accept) => {
    if (pending.kind === 'im') {
      // A chat's first message: Accept opens the conversation; both mark it read.
      void session.handle('im.read', { conversationId: pending.conversationId });
      if (accept) {
        windows.openConversation(pending.conversationId, session.snapshot().state);
      }
      return;
    }
    void session.handle(accept ? 'agent.accept' : 'agent.decline', { id: pending.id });
  }, log);
  const notifications = new ToastNotifications(() => windows.showMain());
  const follow = (event?: DesktopEvent): void => {
    const { state } = session.snapshot();
    notifications.update(state);
    windows.update(state, event);
    tray?.update(state);
    shortcuts.update(state);
  };
  session.onPush((push) => follow(push.event));
  windows.prepareToast();
  windows.showMain();
  follow();

  return {
    dispose: () => {
      shortcuts.dispose();
      tray?.destroy();
    },
  };
}

/** Holds the quit until the session has left its conferences, ended its channels and unregistered. */
function holdQuitForCleanClose(session: DesktopSession, windows: AppWindows, release: () => void): void {
  let quitting: 'no' | 'closing' | 'closed' = 'no';
  app.on('before-quit', (event) => {
    if (quitting === 'closed') {
      return;
    }
    // Held until the session has left its conferences, ended its channels and unregistered.
    event.preventDefault();
    if (quitting === 'closing') {
      return;
    }
    quitting = 'closing';
    windows.setQuitting();
    log.info('quitting: leaving conferences, ending channels, unregistering');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), QUIT_TIMEOUT_MS);
    });
    void Promise.race([session.close().then(() => 'closed' as const), timeout])
      .then((outcome) => {
        if (outcome === 'timeout') {
          log.warn('clean quit did not finish in time; exiting anyway', { timeoutMs: QUIT_TIMEOUT_MS });
        }
      })
      .catch((error: unknown) => log.warn('clean quit failed', { error: String(error) }))
      .finally(() => {
        clearTimeout(timer);
        release();
        quitting = 'closed';
        app.exit(0);
      });
  });
}
