import { createContext, useContext } from 'react';
import { useStore, type DesktopStore, type StoreView } from './bridge/desktop-store';

/** The window's store, provided once at the root. */
export const StoreContext = createContext<DesktopStore | undefined>(undefined);

/**
 * The window's store itself, for the hooks in `hooks/` only: they are the one place that
 * calls the bridge, so components and views never do (lint forbids it there).
 */
export function useDesktopStore(): DesktopStore {
  const store = useContext(StoreContext);
  if (!store) {
    throw new Error('useDesktopStore outside StoreContext');
  }
  return store;
}

/** The window's copy of the desktop state (and the link, app info and list counters), re-rendering on change. */
export function useDesktopView(): StoreView {
  return useStore(useDesktopStore());
}

/** The store and its current view. */
export function useDesktop(): { store: DesktopStore; view: StoreView } {
  const store = useDesktopStore();
  return { store, view: useStore(store) };
}

/** Opens an https: link in the system browser (Electron) or a new tab (browser host). */
export async function openLink(store: DesktopStore, url: string): Promise<void> {
  if (!/^https:\/\//i.test(url)) {
    return;
  }
  const { opened } = await store.call('shell.openExternal', { url }).catch(() => ({ opened: false }));
  if (!opened) {
    window.open(url, '_blank', 'noopener,noreferrer');
  }
}
