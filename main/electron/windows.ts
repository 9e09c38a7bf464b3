import { BrowserWindow, screen, type BrowserWindowConstructorOptions, type WebContents } from 'electron';
import { LIMITS } from '../../core/agent/limits';
import type { DesktopEvent, DesktopState } from '../../common/desktop-state';
import type { Logger } from '../../core/ports/logger';
import { appWebPreferences, hardenAppContents, loadRoute } from './renderer-pages';

const MAIN_SIZE = { width: 1024, height: 720 } as const;
const TOAST_SIZE = { width: 360, height: 170 } as const;
/** The toast grows with the number of waiting requests, up to this many rows. */
const TOAST_MAX_ROWS = 3;
const TOAST_MARGIN = 12;
/** Wide enough for the conversation and a medium pane (400×600) beside it. */
const CONVERSATION_SIZE = { width: 960, height: 700 } as const;

/** Options of {@link AppWindows}. */
export type AppWindowsOptions = {
  readonly logger: Logger;
  /** The main window was closed by the agent: the app quits (there is no hidden mode). */
  readonly onMainClosed: () => void;
  /** Told when a conversation window was not opened because {@link LIMITS}.conversationWindows are open. */
  readonly onWindowCap?: (open: number) => void;
};

/**
 * Owns the app's windows (main, toast, one per conversation) and shows or hides them as the
 * desktop state changes. Every one loads the same renderer, with its route in the hash.
 */
export class AppWindows {
  private main: BrowserWindow | undefined;
  private toast: BrowserWindow | undefined;
  private toastRows = 0;
  private readonly conversations = new Map<string, BrowserWindow>();
  /** Conversations and panes already announced, so that a window the agent closed stays closed. */
  private readonly seenConversations = new Set<string>();
  private readonly seenPanes = new Set<string>();
  /** What was ringing before this event: accepting one of those is the agent's own act. */
  private pendingIds = new Set<string>();
  private readonly log: Logger;
  private quitting = false;

  constructor(private readonly options: AppWindowsOptions) {
    this.log = options.logger.child('windows');
  }

  /** Whether `contents` is the page of one of our app windows (not a pane view). */
  isAppContents(contents: WebContents): boolean {
    return this.all().some((w) => w.webContents === contents);
  }

  /** Every open app window, for pushes. */
  all(): BrowserWindow[] {
    return [this.main, this.toast, ...this.conversations.values()].filter((w): w is BrowserWindow => w !== undefined && !w.isDestroyed());
  }

  /** The window a dialog should belong to. */
  focused(): BrowserWindow | undefined {
    const focused = BrowserWindow.getFocusedWindow();
    return focused && this.all().includes(focused) ? focused : this.main;
  }

  /** Windows stop vetoing their close: the app is quitting. */
  setQuitting(): void {
    this.quitting = true;
  }

  /** Creates the main window, or brings it back. */
  showMain(): BrowserWindow {
    if (this.main && !this.main.isDestroyed()) {
      if (this.main.isMinimized()) {
        this.main.restore();
      }
      this.main.show();
      this.main.focus();
      return this.main;
    }
    const window = this.create({ ...MAIN_SIZE, minWidth: 640, minHeight: 480, title: 'Switchboard' }, '/main');
    window.once('ready-to-show', () => window.show());
    window.on('closed', () => {
      this.main = undefined;
      if (!this.quitting) {
        this.options.onMainClosed();
      }
    });
    this.main = window;
    return window;
  }

  /**
   * Creates the toast window hidden, so that the first invitation shows at once; it is shown
   * without focus so that it never takes the keyboard from what the agent is typing.
   */
  prepareToast(): void {
    if (this.toast && !this.toast.isDestroyed()) {
      return;
    }
    const window = this.create(
      {
        ...TOAST_SIZE,
        frame: false,
        resizable: false,
        minimizable: false,
        maximizable: false,
        fullscreenable: false,
        alwaysOnTop: true,
        skipTaskbar: true,
        title: 'Switchboard: incoming',
      },
      '/toast',
    );
    window.setAlwaysOnTop(true, 'pop-up-menu');
    window.on('closed', () => {
      this.toast = undefined;
      this.toastRows = 0;
    });
    this.toast = window;
  }

  /**
   * Shows a conversation's window, creating it if needed.
   * @returns false when the conversation is unknown.
   */
  openConversation(conversationId: string, state: DesktopState, focus = true): boolean {
    const conversation = state.conversations.find((c) => c.id === conversationId);
    if (!conversation) {
      return false;
    }
    const existing = this.conversations.get(conversationId);
    if (existing && !existing.isDestroyed()) {
      if (existing.isMinimized()) {
        existing.restore();
      }
      if (focus) {
        existing.show();
        existing.focus();
      } else if (!existing.isVisible()) {
        existing.showInactive();
      } else if (!existing.isFocused()) {
        existing.flashFrame(true);
      }
      return true;
    }
    // Windows cost memory and a renderer each; a flood of conversations must not open a flood of them.
    const open = [...this.conversations.values()].filter((w) => !w.isDestroyed()).length;
    if (open >= LIMITS.conversationWindows) {
      this.log.warn('conversation window not opened: too many open', { open, conversationId });
      this.options.onWindowCap?.(open);
      return false;
    }
    const window = this.create({ ...CONVERSATION_SIZE, minWidth: 480, minHeight: 400, title: conversation.subject || 'Conversation' }, `/conversation/${encodeURIComponent(conversationId)}`);
    window.once('ready-to-show', () => (focus ? window.show() : window.showInactive()));
    window.on('closed', () => this.conversations.delete(conversationId));
    this.conversations.set(conversationId, window);
    return true;
  }

  /**
   * Follows the desktop state: the toast while something rings, a window per new conversation.
   * @param event - The event that led to `state`, to tell the agent's accept (the new window
   * takes focus) from a conversation the network opened (it shows without taking the keyboard).
   */
  update(state: DesktopState, event?: DesktopEvent): void {
    this.updateToast(state);
    const accepted =
      (event?.type === 'invitation.accepted' && this.pendingIds.has(event.id)) ||
      (event?.type === 'channel.state' && this.pendingIds.has(event.channelId)) ||
      (event?.type === 'call.state' && event.state === 'connected' && this.pendingIds.has(event.id));
    this.pendingIds = new Set(state.pending.map((p) => p.id));
    for (const conversation of state.conversations) {
      const isNew = !this.seenConversations.has(conversation.id);
      this.seenConversations.add(conversation.id);
      let newPane = false;
      for (const pane of conversation.panes) {
        const key = `${conversation.id}\n${pane.appId}`;
        if (pane.context && !this.seenPanes.has(key)) {
          this.seenPanes.add(key);
          newPane = true;
        }
      }
      if (conversation.state === 'ended' || conversation.restored === true) {
        continue;
      }
      // A chat someone else started waits for its toast: opening it would mark it read unseen.
      if (isNew && state.pending.some((p) => p.kind === 'im' && p.conversationId === conversation.id)) {
        continue;
      }
      if (isNew) {
        this.openConversation(conversation.id, state, accepted);
      } else if (newPane) {
        // A pane opening in a running conversation must not take the keyboard.
        this.openConversation(conversation.id, state, false);
      }
    }
    const known = new Set(state.conversations.map((c) => c.id));
    for (const id of this.seenConversations) {
      if (!known.has(id)) {
        this.seenConversations.delete(id);
      }
    }
    for (const key of this.seenPanes) {
      if (!known.has(key.split('\n')[0] ?? '')) {
        this.seenPanes.delete(key);
      }
    }
  }

  private updateToast(state: DesktopState): void {
    const rows = Math.min(state.pending.length, TOAST_MAX_ROWS);
    if (rows === 0) {
      if (this.toast && !this.toast.isDestroyed() && this.toast.isVisible()) {
        this.toast.hide();
      }
      this.toastRows = 0;
      return;
    }
    this.prepareToast();
    const toast = this.toast;
    if (!toast) {
      return;
    }
    if (rows !== this.toastRows || !toast.isVisible()) {
      this.toastRows = rows;
      const { workArea } = screen.getPrimaryDisplay();
      const height = TOAST_SIZE.height * rows;
      toast.setBounds({
        x: Math.round(workArea.x + workArea.width - TOAST_SIZE.width - TOAST_MARGIN),
        y: Math.round(workArea.y + workArea.height - height - TOAST_MARGIN),
        width: TOAST_SIZE.width,
        height,
      });
    }
    if (!toast.isVisible()) {
      toast.showInactive();
    }
  }

  private create(options: BrowserWindowConstructorOptions, route: string): BrowserWindow {
    const window = new BrowserWindow({ ...options, show: false, webPreferences: appWebPreferences() });
    hardenAppContents(window.webContents, this.log);
    // Windows keeps flashing a taskbar button until told to stop.
    window.on('focus', () => window.flashFrame(false));
    window.webContents.on('render-process-gone', (_event, details) => this.log.error('window renderer gone', { route, reason: details.reason }));
    loadRoute(window, route, this.log);
    return window;
  }
}
