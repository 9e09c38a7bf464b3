import { useLayoutEffect, useRef, type RefObject } from 'react';
import type { ExtensionInfo } from '../../../common/bridge';
import { createPaneIframe } from '../panes/pane-pool';
import { usePanePool } from '../panes/pane-pool-context';

/** What {@link usePaneElement} puts where. */
export type PaneElementTarget = {
  readonly extension: ExtensionInfo;
  /** The window shows the pane itself (browser host, not ejected). */
  readonly enabled: boolean;
  readonly appId: string;
  readonly className: string;
  /** Told of every `load` of the frame after it was put in place. */
  readonly onLoad: (frame: HTMLIFrameElement) => void;
  /** Told of the loads a frame from the pool had before it was taken. */
  readonly adopt: (frame: HTMLIFrameElement, loads: number) => void;
};

/** The slot to render, the frame put in it, and whether that frame already said hello. */
export type PaneElement = {
  readonly slot: RefObject<HTMLDivElement | null>;
  readonly frame: RefObject<HTMLIFrameElement | null>;
  readonly helloSeen: RefObject<boolean>;
};

type MovableParent = { moveBefore(node: Node, child: Node | null): void };

/**
 * Browser host: puts the pane's sandboxed iframe in `slot`, before the browser paints. The
 * frame is the window pool's page loaded ahead when there is one (moved in, not reloaded: the
 * screen pop then waits for no page load), otherwise a new one. The frame is the pane's alone
 * and goes with the slot.
 */
export function usePaneElement({ extension, enabled, appId, className, onLoad, adopt }: PaneElementTarget): PaneElement {
  const pool = usePanePool();
  const slot = useRef<HTMLDivElement>(null);
  const frame = useRef<HTMLIFrameElement>(null);
  const helloSeen = useRef(false);
  const handlers = useRef({ onLoad, adopt });
  handlers.current = { onLoad, adopt };

  useLayoutEffect(() => {
    const parent = slot.current;
    if (!enabled || !parent || !extension.paneUrl) {
      return undefined;
    }
    const claimed = pool?.claim(extension);
    const iframe = claimed?.iframe ?? createPaneIframe(parent.ownerDocument, extension);
    iframe.className = className;
    iframe.title = `${extension.name} pane`;
    iframe.dataset.pane = appId;
    iframe.removeAttribute('tabindex');
    const listener = (): void => handlers.current.onLoad(iframe);
    iframe.addEventListener('load', listener);
    if (claimed) {
      handlers.current.adopt(iframe, claimed.loads);
      (parent as unknown as MovableParent).moveBefore(iframe, null);
    } else {
      parent.appendChild(iframe);
    }
    frame.current = iframe;
    helloSeen.current = claimed?.helloSeen ?? false;
    return () => {
      iframe.removeEventListener('load', listener);
      iframe.remove();
      frame.current = null;
      helloSeen.current = false;
    };
  }, [pool, enabled, extension.paneUrl, extension.entry, extension.version, appId]);

  return { slot, frame, helloSeen };
}
