import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { BRIDGE_MEDIA_CHANNEL, BRIDGE_METHODS, BRIDGE_PUSH_CHANNEL, bridgeChannel, type BridgeResponse } from '../../common/bridge';
import type { Logger } from '../../core/ports/logger';
import type { BridgeCaller, DesktopSession } from '../desktop/desktop-session';
import { isRendererUrl } from './renderer-pages';

/** Options of {@link serveBridge}. */
export type BridgeIpcOptions = {
  readonly session: DesktopSession;
  /** Whether a WebContents is one of our app windows (pane views are not). */
  readonly isAppContents: (contents: WebContents) => boolean;
  /** The app windows to push to. */
  readonly windows: () => readonly BrowserWindow[];
  readonly logger: Logger;
};

/**
 * Carries the bridge over IPC: one `ipcMain.handle` per method, answered by the desktop
 * session, and every session push sent to every app window.
 * @remarks A request is served only from the top frame of an app window showing our renderer:
 * a pane view, a sub-frame or a page that somehow got elsewhere is refused with the error
 * envelope (never a thrown error, which Electron would turn into a rejected promise).
 * @returns A function that removes the handlers and stops the pushes.
 */
export function serveBridge(options: BridgeIpcOptions): () => void {
  const { session } = options;
  const log = options.logger.child('ipc');
  const trusted = (event: IpcMainInvokeEvent): boolean => {
    const frame = event.senderFrame;
    return frame !== null && frame.parent === null && options.isAppContents(event.sender) && isRendererUrl(frame.url);
  };
  // One caller per page load: a reload or a crash ends the page that held the media, as closing does.
  const callers = new WeakMap<WebContents, { caller: BridgeCaller; gone: Array<() => void> }>();
  const watched = new WeakSet<WebContents>();
  const pageGone = (contents: WebContents): void => {
    const entry = callers.get(contents);
    callers.delete(contents);
    for (const listener of entry?.gone.splice(0) ?? []) {
      listener();
    }
  };
  const callerOf = (contents: WebContents): BridgeCaller => {
    const known = callers.get(contents);
    if (known !== undefined) {
      return known.caller;
    }
    if (!watched.has(contents)) {
      watched.add(contents);
      contents.once('destroyed', () => pageGone(contents));
      contents.on('render-process-gone', () => pageGone(contents));
      contents.on('did-start-navigation', (details) => {
        if (details.isMainFrame && !details.isSameDocument) {
          pageGone(contents);
        }
      });
    }
    const gone: Array<() => void> = [];
    const caller: BridgeCaller = {
      native: contents,
      sendMedia: (command) => {
        if (!contents.isDestroyed()) {
          contents.send(BRIDGE_MEDIA_CHANNEL, command);
        }
      },
      onGone: (listener) => gone.push(listener),
    };
    callers.set(contents, { caller, gone });
    return caller;
  };
  for (const method of BRIDGE_METHODS) {
    ipcMain.handle(bridgeChannel(method), async (event, params: unknown): Promise<BridgeResponse> => {
      if (!trusted(event)) {
        log.warn('bridge request refused: not from an app window', { method, url: event.senderFrame?.url.slice(0, 200) ?? '' });
        return { ok: false, error: { code: 'refused', message: `${method}: not allowed from this page` } };
      }
      return session.handle(method, params, callerOf(event.sender));
    });
  }
  const off = session.onPush((push) => {
    for (const window of options.windows()) {
      const contents = window.webContents;
      if (!contents.isDestroyed()) {
        contents.send(BRIDGE_PUSH_CHANNEL, push);
      }
    }
  });
  return () => {
    off();
    for (const method of BRIDGE_METHODS) {
      ipcMain.removeHandler(bridgeChannel(method));
    }
  };
}
