import { useEffect, useRef, useState, type RefObject } from 'react';
import { useDesktopStore, useDesktopView } from '../store-context';

/** Which pane of which conversation to place, and whether it may show. */
export type PanePlacementTarget = {
  readonly conversationId: string;
  readonly appId: string;
  /** Its tab is the one showing. */
  readonly visible: boolean;
  /** Its page left it: nothing is placed any more. */
  readonly ejected: boolean;
};

/** The area the pane covers, and whether the host covers it with the pane's own view. */
export type PanePlacement = {
  readonly area: RefObject<HTMLDivElement | null>;
  /**
   * `true`: the Electron host placed the pane's own view over `area`. `undefined`: not known
   * yet. `false`: the window shows the pane itself, in an iframe (browser host, or the host
   * could not place it).
   */
  readonly placed: boolean | undefined;
};

/**
 * Electron: asks the host to place the pane's own sandboxed view over `area`, follows its
 * resizes, and takes the view away while the tab is hidden, once the page left, and on unmount.
 * A native view cannot live inside the page's layout, so the window measures the space and the
 * host puts the view there; the browser host has no such view and answers `placed: false` at once.
 */
export function usePanePlacement({ conversationId, appId, visible, ejected }: PanePlacementTarget): PanePlacement {
  const store = useDesktopStore();
  const host = useDesktopView().info?.host;
  const area = useRef<HTMLDivElement>(null);
  const [placed, setPlaced] = useState<boolean | undefined>(host === 'electron' ? undefined : false);

  useEffect(() => {
    if (host !== 'electron' || ejected) {
      return undefined;
    }
    const element = area.current;
    if (!element) {
      return undefined;
    }
    const unplace = (): void => void store.call('pane.place', { conversationId, appId, bounds: null }).catch(() => undefined);
    if (!visible) {
      unplace();
      return undefined;
    }
    const place = (): void => {
      const rect = element.getBoundingClientRect();
      void store
        .call('pane.place', { conversationId, appId, bounds: { x: rect.x, y: rect.y, width: rect.width, height: rect.height } })
        .then((r) => setPlaced(r.placed), () => setPlaced(false));
    };
    const observer = new ResizeObserver(place);
    observer.observe(element);
    place();
    return () => {
      observer.disconnect();
      unplace();
    };
  }, [store, host, conversationId, appId, visible, ejected]);

  return { area, placed };
}
