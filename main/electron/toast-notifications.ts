import { Notification } from 'electron';
import type { DesktopState, Pending } from '../../common/desktop-state';

/**
 * One OS notification per new invitation, channel request or call, beside the toast window, so an
 * agent in another full-screen application still hears of it. Clicking it shows the app.
 */
export class ToastNotifications {
  private readonly seen = new Set<string>();

  constructor(private readonly onClick: () => void) {}

  update(state: DesktopState): void {
    const current = new Set(state.pending.map((p) => p.id));
    for (const id of this.seen) {
      if (!current.has(id)) {
        this.seen.delete(id);
      }
    }
    if (!Notification.isSupported()) {
      return;
    }
    for (const item of state.pending) {
      if (this.seen.has(item.id)) {
        continue;
      }
      this.seen.add(item.id);
      const notification = new Notification({
        title: notificationTitle(item),
        body: [item.subject, item.toast].filter((t) => t !== undefined && t !== '').join('\n'),
        silent: false,
      });
      notification.on('click', this.onClick);
      notification.show();
    }
  }
}

/** The notification's headline for what waits. */
function notificationTitle(item: Pending): string {
  switch (item.kind) {
    case 'invitation':
      return `Invitation from ${item.from}`;
    case 'im':
      return `Message from ${item.from}`;
    case 'call':
      return `Call from ${item.displayName ?? item.from}`;
    case 'channel':
      return `${item.name ?? 'An application'} wants to open its pane`;
  }
}
