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
