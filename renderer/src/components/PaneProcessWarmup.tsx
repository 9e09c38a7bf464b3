import { useEffect } from 'react';
import { useEffectiveExtensions } from '../hooks/use-extensions';
import { isLocalPane, type PanePool } from '../panes/pane-pool';

/**
 * Gets the browser host's panes ready before any channel opens: keeps the sandboxed panes'
 * process running, and keeps `pool` loaded with a page of each installed local pane.
 *
 * @remarks Chromium puts sandboxed iframes in a process of their own, one per site
 * (IsolateSandboxedIframes), and starts it when the first one appears: the agent's Accept
 * then waits for a process to start before the pane's page even parses. Measured with a 30 KB
 * pane page on this machine (15 frames each, loaded): first script run 134–230 ms after the
 * iframe was added without a warm frame, 72–84 ms with one (p50). The frame is `sandbox=""`
 * (no scripts, no forms, opaque origin) with an empty `srcdoc`, so it can do nothing; its only
 * cost is that process's memory while no pane is open. It stays beside the pool's pages, for
 * panes that cannot wait as spares. Remote (https) panes are another site and gain nothing from
 * it. The Electron host places panes in views of its own and skips this.
 */
export function PaneProcessWarmup({ pool }: { pool: PanePool | undefined }): React.JSX.Element | null {
  const extensions = useEffectiveExtensions();
  useEffect(() => pool?.sync([...extensions.values()]), [pool, extensions]);
  const local = [...extensions.values()].some(isLocalPane);
  if (!local) {
    return null;
  }
  return <iframe sandbox="" srcDoc="" hidden aria-hidden="true" tabIndex={-1} title="" data-pane-warmup="" />;
}
