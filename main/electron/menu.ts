import { app, dialog, Menu, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';

/** Options of {@link installAppMenu}. */
export type AppMenuOptions = {
  /** The window the About box belongs to. */
  readonly parent: () => BrowserWindow | undefined;
};

/**
 * The application menu: File › Quit, Help › About, and in development View › Reload and
 * Toggle DevTools (a packaged app has neither, so an agent cannot open a console by accident).
 */
export function installAppMenu(options: AppMenuOptions): void {
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    { label: 'File', submenu: [{ role: 'quit', label: 'Quit Switchboard' }] },
    { role: 'editMenu' },
    ...(app.isPackaged ? [] : [{ label: 'View', submenu: [{ role: 'reload' as const }, { role: 'toggleDevTools' as const }] }]),
    {
      role: 'help',
      submenu: [
        {
          label: 'About Switchboard',
          click: () => {
            const message = {
              type: 'info' as const,
              title: 'About Switchboard',
              message: `Switchboard ${app.getVersion()}`,
              detail: `An agent desktop for SIP contact centers.\nElectron ${process.versions.electron}, Chromium ${process.versions.chrome}, Node ${process.versions.node}`,
              buttons: ['OK'],
            };
            const parent = options.parent();
            void (parent ? dialog.showMessageBox(parent, message) : dialog.showMessageBox(message));
          },
        },
      ],
    },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
