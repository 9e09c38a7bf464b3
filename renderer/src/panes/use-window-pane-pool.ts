import { useEffect, useState } from 'react';
import { PanePool } from './pane-pool';

/**
 * The main window's {@link PanePool} while `enabled` (the browser host showing conversations
 * inline) and the browser can move a frame without reloading it; undefined otherwise.
 */
export function useWindowPanePool(enabled: boolean): PanePool | undefined {
  const [pool, setPool] = useState<PanePool | undefined>(undefined);
  useEffect(() => {
    if (!enabled || !PanePool.supported(document)) {
      return undefined;
    }
    const created = new PanePool(window);
    setPool(created);
    return () => {
      created.dispose();
      setPool(undefined);
    };
  }, [enabled]);
  return pool;
}
