import { globalShortcut } from 'electron';
import type { DesktopState, Pending } from '../../common/desktop-state';
import type { Logger } from '../../core/ports/logger';

/** Accept and decline the oldest toast from anywhere: the toast never takes focus, so its keys are global. */
export const TOAST_SHORTCUTS = { accept: 'Alt+Shift+A', decline: 'Alt+Shift+D' } as const;

/**
 * Registers the toast's global shortcuts while something rings, and only then, so they never
 * shadow another application's keys the rest of the day.
 */
export class ToastShortcuts {
  private registered = false;
  private oldest: Pending | undefined;

  /** @param decide - what Accept (true) or Decline (false) does with the oldest toast */
  constructor(
    private readonly decide: (pending: Pending, accept: boolean) => void,
    private readonly log: Logger,
  ) {}

  update(state: DesktopState): void {
    this.oldest = state.pending[0];
    if (this.oldest !== undefined && !this.registered) {
      const accepted = globalShortcut.register(TOAST_SHORTCUTS.accept, () => this.fire(true));
      const declined = globalShortcut.register(TOAST_SHORTCUTS.decline, () => this.fire(false));
      if (!accepted || !declined) {
        this.log.warn('toast shortcuts taken by another application', { accept: accepted, decline: declined });
      }
      this.registered = true;
    } else if (this.oldest === undefined && this.registered) {
      this.dispose();
    }
  }

  dispose(): void {
    globalShortcut.unregister(TOAST_SHORTCUTS.accept);
    globalShortcut.unregister(TOAST_SHORTCUTS.decline);
    this.registered = false;
  }

  private fire(accept: boolean): void {
    if (this.oldest !== undefined) {
      this.decide(this.oldest, accept);
    }
  }
}
