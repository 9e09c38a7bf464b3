import { useRef, useState } from 'react';
import type { PaneState } from '../../../common/desktop-state';
import { useDesktopStore } from '../store-context';

/** Whether the pane is down for leaving its page, and the frame's `load` handler that finds out. */
export type PaneEjection = {
  readonly ejected: boolean;
  readonly onFrameLoad: (frame: HTMLIFrameElement) => void;
  /** A frame loaded ahead (the window's pool) comes with the loads it already had. */
  readonly adoptFrame: (frame: HTMLIFrameElement, loads: number) => void;
};

/**
 * Browser host: the frame's first load is the pane's page; any later one means the page left
 * it (navigated, reloaded, submitted, refreshed). Its opaque origin hides where it went, and
 * Chromium has no CSP directive that keeps a frame from navigating itself (`navigate-to` never
 * shipped), so the pane is taken down at once and the host is told (`pane.ejected`). The pane
 * counts as down from that moment, before the host's confirmation comes back in the state.
 */
export function usePaneEjection(conversationId: string, pane: PaneState): PaneEjection {
  const store = useDesktopStore();
  // Set as soon as this window sees the frame leave, before the host confirms (pane.ejected).
  const [left, setLeft] = useState(false);
  const loads = useRef(new WeakMap<HTMLIFrameElement, number>());

  const onFrameLoad = (element: HTMLIFrameElement): void => {
    const count = (loads.current.get(element) ?? 0) + 1;
    loads.current.set(element, count);
    if (count > 1 && !left) {
      setLeft(true);
      void store.call('pane.ejected', { appId: pane.appId, conversationId }).catch(() => undefined);
    }
  };

  const adoptFrame = (element: HTMLIFrameElement, count: number): void => {
    loads.current.set(element, count);
  };

  return { ejected: left || pane.ejected === true, onFrameLoad, adoptFrame };
}
