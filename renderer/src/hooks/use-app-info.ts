import type { AppInfo } from '../../../common/bridge';
import { useDesktopView } from '../store-context';

/**
 * Static facts about the host this page runs in, or undefined until the host answered.
 * Which host it is decides the layout: Electron opens real windows for conversations and toasts
 * and offers a native file picker; the browser host shows both inside the main page.
 */
export function useAppInfo(): AppInfo | undefined {
  return useDesktopView().info;
}
