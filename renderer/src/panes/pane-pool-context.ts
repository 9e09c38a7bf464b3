import { createContext, useContext } from 'react';
import type { PanePool } from './pane-pool';

/** The main window's pool of pane pages loaded ahead; undefined elsewhere (no spares). */
export const PanePoolContext = createContext<PanePool | undefined>(undefined);

/** The pool a pane frame may take its page from, if this window keeps one. */
export function usePanePool(): PanePool | undefined {
  return useContext(PanePoolContext);
}
