import { dialog, shell, type BrowserWindow, type OpenDialogOptions } from 'electron';
import type { DesktopPlatform } from '../desktop/desktop-session';

/** What the Electron platform needs from the shell, bound once the windows exist. */
export type ElectronPlatformDeps = {
  readonly openConversation: (conversationId: string) => boolean;
  readonly placePane: NonNullable<DesktopPlatform['placePane']>;
  /** The window a picker belongs to. */
  readonly parent: () => BrowserWindow | undefined;
};

/**
 * The Electron side of {@link DesktopPlatform}: the system browser for https: links, a window
 * per conversation, panes in their own views, and native pickers.
 */
export function electronPlatform(deps: ElectronPlatformDeps): DesktopPlatform {
  return {
    host: 'electron',
    openExternal: async (url) => {
      // The bridge schema already allows https: only; checked again where the OS is called.
      if (new URL(url).protocol !== 'https:') {
        throw new Error('only https: links are opened');
      }
      await shell.openExternal(url);
    },
    openConversation: (conversationId) => deps.openConversation(conversationId),
    placePane: (request, caller) => deps.placePane(request, caller),
    pickPackage: async (folder) => {
      const options: OpenDialogOptions = folder
        ? { title: 'Choose an extension package folder', properties: ['openDirectory'] }
        : {
            title: 'Choose an extension package',
            properties: ['openFile'],
            // Dialog filters match the last suffix only: "gz" stands for .tar.gz.
            filters: [{ name: 'Extension packages (.zip, .tgz, .tar.gz)', extensions: ['zip', 'tgz', 'gz'] }],
          };
      const parent = deps.parent();
      const result = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
      return result.canceled ? undefined : result.filePaths[0];
    },
  };
}
