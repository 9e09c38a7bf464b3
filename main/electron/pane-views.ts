import { BrowserWindow, ipcMain, session as electronSession, WebContentsView, type IpcMainEvent, type Session, type WebContents } from 'electron';
import type { BridgePush, BridgeResult, ExtensionInfo } from '../../common/bridge';
import { normalizeAppId, type ExtensionPermission } from '../../common/extension-manifest';
import type { Logger } from '../../core/ports/logger';
import type { DesktopSession } from '../desktop/desktop-session';
import { PaneLink, PANE_TO_HOST_CHANNEL, PANE_TO_PANE_CHANNEL } from './pane-link';
import { paneRequestVerdict } from './pane-requests';
import { guidHost, PANE_SCHEME, paneEntryUrl, servePaneFiles } from './pane-scheme';
import { openHttpsExternally, PANE_PRELOAD, secureWebPreferences } from './renderer-pages';

/** A rectangle of a window's content area, in CSS pixels of the calling page. */
export type PaneBounds = { x: number; y: number; width: number; height: number };

/** What `pane.place` asks for (common/bridge.ts). */
export type PlaceRequest = { conversationId: string; appId: string; bounds: PaneBounds | null };

/** Options of {@link PaneViews}. */
export type PaneViewsOptions = {
  readonly session: DesktopSession;
  /** Whether a WebContents is one of our app windows (only they may place panes). */
  readonly isAppContents: (contents: WebContents) => boolean;
  readonly logger: Logger;
};

type Placed = {
  readonly key: string;
  readonly windowId: number;
  readonly window: BrowserWindow;
  readonly conversationId: string;
  readonly appId: string;
  bounds: PaneBounds | null;
  /** Undefined while the extension is being looked up. */
  view: WebContentsView | undefined;
  link: PaneLink | undefined;
  attached: boolean;
  closed: boolean;
  /** Main-frame documents the view started loading: the first is the entry, any other a departure. */
  documents: number;
};

/** Manifest permissions that map onto a Chromium permission; everything else is denied. */
const GRANTABLE: ReadonlyArray<readonly [ExtensionPermission, string]> = [
  ['clipboard-write', 'clipboard-sanitized-write'],
  ['notifications', 'notifications'],
];

/**
 * Extension panes in Electron: one sandboxed WebContentsView per (window, conversation,
 * application), each extension in its own persistent session (storage, cookies, permissions
 * and the `switchboard-pane:` files of that extension only), placed over the rectangle the
 * renderer reserves for it. Carries the `switchboard-pane/1` messages between the pane
 * preload and the desktop session through a {@link PaneLink}.
 */
export class PaneViews {
  private readonly placed = new Map<string, Placed>();
  private readonly byContents = new Map<number, Placed>();
  private readonly watchedWindows = new Set<number>();
  private readonly preparedSessions = new Set<string>();
  /** Granted manifest permissions per partition, read by the session's permission handlers. */
  private readonly grants = new Map<string, ReadonlySet<ExtensionPermission>>();
  /** The manifest entry per partition, read by the session's request filter (an update may move it). */
  private readonly entries = new Map<string, string>();
  /** Requests refused per partition, so that a pane hammering the network logs a few lines, not thousands. */
  private readonly refusals = new Map<string, number>();
  private extensions = new Map<string, ExtensionInfo>();
  private refreshing: Promise<void> | undefined;
  private refreshAgain = false;
  private offPush: (() => void) | undefined;
  private readonly log: Logger;

  constructor(private readonly options: PaneViewsOptions) {
    this.log = options.logger.child('panes');
  }

  /** Starts listening to pane preloads and session pushes. */
  start(): void {
    ipcMain.on(PANE_TO_HOST_CHANNEL, this.onPaneMessage);
    this.offPush = this.options.session.onPush((push) => this.onPush(push));
    void this.refreshExtensions();
  }

  /** Closes every view and stops listening. */
  stop(): void {
    ipcMain.off(PANE_TO_HOST_CHANNEL, this.onPaneMessage);
    this.offPush?.();
    this.offPush = undefined;
    for (const placed of [...this.placed.values()]) {
      this.close(placed);
    }
  }

  /**
   * Shows, moves or hides a pane's view over the calling window (`pane.place`).
   * @param caller - The WebContents that asked (from the IPC event), never trusted blindly.
   * @returns true when this host shows the pane itself (the window keeps an empty placeholder).
   */
  place(request: PlaceRequest, caller: unknown): boolean {
    if (!isWebContents(caller) || !this.options.isAppContents(caller)) {
      return false;
    }
    const window = BrowserWindow.fromWebContents(caller);
    const appId = normalizeAppId(request.appId);
    if (!window || window.isDestroyed() || !appId) {
      return false;
    }
    const conversation = this.options.session.snapshot().state.conversations.find((c) => c.id === request.conversationId);
    const pane = conversation?.panes.find((p) => normalizeAppId(p.appId) === appId);
    if (!pane) {
      return false;
    }
    if (pane.ejected === true) {
      // It left its page once: no new view; the window shows why instead.
      return true;
    }
    const bounds = request.bounds && toDevicePixels(request.bounds, caller.getZoomFactor());
    const key = `${window.id}\n${request.conversationId}\n${appId}`;
    const existing = this.placed.get(key);
    if (existing) {
      existing.bounds = bounds;
      this.apply(existing);
      return true;
    }
    if (!bounds) {
      return true;
    }
    const placed: Placed = { key, windowId: window.id, window, conversationId: request.conversationId, appId, bounds, view: undefined, link: undefined, attached: false, closed: false, documents: 0 };
    this.placed.set(key, placed);
    this.watchWindow(window);
    void this.createView(placed);
    return true;
  }

  private readonly onPaneMessage = (event: IpcMainEvent, message: unknown): void => {
    const placed = this.byContents.get(event.sender.id);
    // Only the top frame of a view we created speaks for a pane.
    if (!placed || placed.view?.webContents !== event.sender || event.senderFrame?.parent !== null) {
      return;
    }
    placed.link?.receive(message);
  };

  private onPush(push: BridgePush): void {
    if (push.event.type === 'host.extensions' || push.event.type === 'host.agent') {
      void this.refreshExtensions();
    }
    for (const placed of this.placed.values()) {
      placed.link?.update();
    }
    // Old conversations drop out of the state (DESKTOP_LIMITS): their views go with them; so
    // do the views of a pane that left its page in another window.
    const conversations = this.options.session.snapshot().state.conversations;
    for (const placed of [...this.placed.values()]) {
      const conversation = conversations.find((c) => c.id === placed.conversationId);
      if (!conversation || conversation.panes.some((p) => p.ejected === true && normalizeAppId(p.appId) === placed.appId)) {
        this.close(placed);
      }
    }
  }

  private async createView(placed: Placed): Promise<void> {
    let extension = this.extensions.get(placed.appId);
    if (!extension) {
      await this.refreshExtensions();
      extension = this.extensions.get(placed.appId);
    }
    if (placed.closed) {
      return;
    }
    if (!extension) {
      this.log.warn('pane of an extension that is not installed or not effective', { appId: placed.appId });
      this.forget(placed);
      return;
    }
    const partition = `persist:ext-${placed.appId.slice(1, -1)}`;
    const paneSession = electronSession.fromPartition(partition);
    this.prepareSession(paneSession, partition, placed.appId, extension);
    const view = new WebContentsView({
      webPreferences: { ...secureWebPreferences(PANE_PRELOAD), session: paneSession },
    });
    const contents = view.webContents;
    placed.view = view;
    this.byContents.set(contents.id, placed);
    this.hardenPane(placed, contents, partition);
    placed.link = new PaneLink({
      appId: placed.appId,
      conversationId: placed.conversationId,
      extension,
      post: (message) => {
        if (!contents.isDestroyed()) {
          contents.send(PANE_TO_PANE_CHANNEL, message);
        }
      },
      request: (method, params) => this.options.session.handle(method, params),
      state: () => this.options.session.snapshot().state,
    });
    this.apply(placed);
    const url = /^https:\/\//i.test(extension.entry) ? extension.entry : paneEntryUrl(placed.appId, extension.entry);
    contents.loadURL(url).catch((error: unknown) => this.log.warn('pane did not load', { appId: placed.appId, error: String(error) }));
  }

  /** Shows the view at its bounds, or takes it out of the window while hidden. */
  private apply(placed: Placed): void {
    const { view, window } = placed;
    if (!view || window.isDestroyed()) {
      return;
    }
    if (!placed.bounds) {
      if (placed.attached) {
        window.contentView.removeChildView(view);
        placed.attached = false;
      }
      return;
    }
    if (!placed.attached) {
      window.contentView.addChildView(view);
      placed.attached = true;
    }
    view.setBounds(placed.bounds);
  }

  private close(placed: Placed): void {
    placed.closed = true;
    this.forget(placed);
    placed.link?.dispose();
    const { view, window } = placed;
    if (!view) {
      return;
    }
    if (placed.attached && !window.isDestroyed()) {
      window.contentView.removeChildView(view);
    }
    placed.attached = false;
    if (!view.webContents.isDestroyed()) {
      // A WebContentsView's page lives until closed explicitly, even once its window is gone.
      view.webContents.close();
    }
  }

  private forget(placed: Placed): void {
    this.placed.delete(placed.key);
    if (placed.view) {
      this.byContents.delete(placed.view.webContents.id);
    }
  }

  private watchWindow(window: BrowserWindow): void {
    const id = window.id;
    if (this.watchedWindows.has(id)) {
      return;
    }
    this.watchedWindows.add(id);
    window.once('closed', () => {
      this.watchedWindows.delete(id);
      for (const placed of [...this.placed.values()]) {
        if (placed.windowId === id) {
          this.close(placed);
        }
      }
    });
  }

  /**
   * Sets up an extension's session once: its files, and permission handlers that deny all but
   * what its manifest lists (read at each check, so that an update's permissions apply).
   */
  private prepareSession(paneSession: Session, partition: string, appId: string, extension: ExtensionInfo): void {
    this.grants.set(partition, new Set(extension.permissions));
    this.entries.set(partition, extension.entry);
    if (this.preparedSessions.has(partition)) {
      return;
    }
    this.preparedSessions.add(partition);
    const allowed = (permission: string): boolean => {
      const granted = this.grants.get(partition);
      return GRANTABLE.some(([manifest, chromium]) => chromium === permission && granted?.has(manifest) === true);
    };
    paneSession.setPermissionRequestHandler((_contents, permission, callback) => callback(allowed(permission)));
    paneSession.setPermissionCheckHandler((_contents, permission) => allowed(permission));
    paneSession.setDevicePermissionHandler(() => false);
    paneSession.on('will-download', (event) => event.preventDefault());
    this.filterRequests(paneSession, partition, appId);
    servePaneFiles(paneSession, appId, (id, path) => this.options.session.paneFile(id, path));
  }

  /**
   * Every request of the extension's session goes through {@link paneRequestVerdict}: its own
   * files and the local schemes pass, the network is cancelled (a remote entry keeps its own
   * origin). WebRTC does not go through here: see {@link hardenPane}.
   */
  private filterRequests(paneSession: Session, partition: string, appId: string): void {
    const host = guidHost(appId);
    paneSession.webRequest.onBeforeRequest((details, callback) => {
      const verdict = paneRequestVerdict(details.url, { scheme: PANE_SCHEME, host, entry: this.entries.get(partition) ?? '' });
      if (!verdict.allow) {
        const refused = (this.refusals.get(partition) ?? 0) + 1;
        this.refusals.set(partition, refused);
        // 1, 2, 4, 8…: the first refusals in full, then ever rarer lines with the running count.
        if ((refused & (refused - 1)) === 0) {
          this.log.warn('pane request refused', { appId, url: details.url.slice(0, 200), reason: verdict.reason, refused });
        }
      }
      callback({ cancel: !verdict.allow });
    });
  }

  /**
   * A pane stays on its page: a navigation or redirect of its page is refused and the pane
   * closed and reported (as the browser host does when its iframe loads a second page); no
   * window, no webview; WebRTC may not use UDP (no STUN, no UDP candidates or TURN/UDP),
   * which the request filter cannot see. The pane preload also removes `RTCPeerConnection`.
   */
  private hardenPane(placed: Placed, contents: WebContents, partition: string): void {
    const { appId } = placed;
    const scope = { scheme: PANE_SCHEME, host: guidHost(appId), entry: this.entries.get(partition) ?? '' };
    contents.setWebRTCIPHandlingPolicy('disable_non_proxied_udp');
    contents.on('will-navigate', (event) => {
      event.preventDefault();
      this.eject(placed, event.url);
    });
    // Subframes (a remote entry's own, since the CSP forbids frames to a packaged page) stay inside the extension.
    contents.on('will-frame-navigate', (event) => {
      if (!event.isMainFrame && !paneRequestVerdict(event.url, scope).allow) {
        event.preventDefault();
      }
    });
    contents.on('will-redirect', (event) => {
      if (event.isMainFrame || !paneRequestVerdict(event.url, scope).allow) {
        event.preventDefault();
      }
      if (event.isMainFrame) {
        this.eject(placed, event.url);
      }
    });
    // Whatever will-navigate does not see (a reload, a navigation Chromium starts itself): the
    // first main-frame document is our loadURL, any later one is the page leaving.
    contents.on('did-start-navigation', (event) => {
      if (event.isMainFrame && !event.isSameDocument) {
        placed.documents += 1;
        if (placed.documents > 1) {
          this.eject(placed, event.url);
        }
      }
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (this.grants.get(partition)?.has('open-external') === true) {
        openHttpsExternally(url, this.log);
      }
      return { action: 'deny' };
    });
    contents.on('render-process-gone', (_event, details) => this.log.warn('pane renderer gone', { appId, reason: details.reason }));
  }

  /**
   * The pane tried to leave its page: its view is closed (after the event that told us, which
   * Electron is still dispatching on that WebContents) and the session told, which logs it,
   * shows every window why, and closes the pane's channels.
   */
  private eject(placed: Placed, url: string): void {
    if (placed.closed) {
      return;
    }
    placed.closed = true;
    setImmediate(() => this.close(placed));
    void this.options.session
      .handle('pane.ejected', { appId: placed.appId, conversationId: placed.conversationId, url: url.slice(0, 2048) })
      .then((response) => {
        if (!response.ok) {
          this.log.warn('pane left its page', { appId: placed.appId, url: url.slice(0, 200), error: response.error.message });
        }
      });
  }

  /**
   * Re-reads the registry. `pane.place` must answer at once, so the list is kept here; a change
   * during a read queues one more read, so that the last change is never missed.
   */
  private refreshExtensions(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.refreshAgain = false;
        const response = await this.options.session.handle('extensions.list', {});
        if (!response.ok) {
          this.log.warn('cannot list extensions', { error: response.error.message });
          continue;
        }
        const { extensions } = response.result as BridgeResult<'extensions.list'>;
        this.extensions = new Map(extensions.filter((e) => e.effective && !e.forbidden).map((e) => [normalizeAppId(e.id) ?? e.id, e]));
      } while (this.refreshAgain);
      this.refreshing = undefined;
    })();
    return this.refreshing;
  }
}

function isWebContents(value: unknown): value is WebContents {
  return typeof value === 'object' && value !== null && typeof (value as WebContents).getZoomFactor === 'function' && typeof (value as WebContents).id === 'number';
}

/** View bounds are device-independent pixels; the page measured CSS pixels at its zoom. */
function toDevicePixels(bounds: PaneBounds, zoom: number): PaneBounds {
  const scale = Number.isFinite(zoom) && zoom > 0 ? zoom : 1;
  return {
    x: Math.round(bounds.x * scale),
    y: Math.round(bounds.y * scale),
    width: Math.max(0, Math.round(bounds.width * scale)),
    height: Math.max(0, Math.round(bounds.height * scale)),
  };
}
