import { createContext, useContext } from 'react';
import { useStore, type DesktopStore, type StoreView } from './bridge/desktop-store';

/** The window's store, provided once at the root. */
export const StoreContext = createContext<DesktopStore | undefined>(undefined);

/** The store and its current view. */
export function useDesktop(): { store: DesktopStore; view: StoreView } {
  const store = useContext(StoreContext);
  if (!store) {
    throw new Error('useDesktop outside StoreContext');
  }
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
