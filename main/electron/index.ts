import { app, BrowserWindow, ipcMain, shell } from 'electron';
import { join } from 'node:path';
import { BridgeChannel, type AppInfo } from '../../common/bridge';

/**
 * Electron main process: a thin shell. Every protocol decision lives in core/; this file
 * only owns windows and relays through the bridge contract in common/bridge.ts.
 */

const secureWebPreferences = {
  preload: join(import.meta.dirname, '../preload/index.cjs'),
  sandbox: true,
  contextIsolation: true,
  nodeIntegration: false,
  webSecurity: true,
  spellcheck: false,
} as const;

function createMainWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1024,
    height: 700,
    show: false,
    title: 'Switchboard',
    webPreferences: secureWebPreferences,
  });
  window.once('ready-to-show', () => window.show());
  // Never navigate the app window away from our own renderer; links open in the browser.
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https:')) {
      void shell.openExternal(url);
    }
    return { action: 'deny' };
  });
  const devUrl = process.env['ELECTRON_RENDERER_URL'];
  if (devUrl) {
    void window.loadURL(devUrl);
  } else {
    void window.loadFile(join(import.meta.dirname, '../renderer/index.html'));
  }
  return window;
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  ipcMain.handle(BridgeChannel.appInfo, (): AppInfo => ({
    name: 'Switchboard',
    version: app.getVersion(),
    host: 'electron',
  }));
  void app.whenReady().then(() => {
    createMainWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) {
        createMainWindow();
      }
    });
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') {
      app.quit();
    }
  });
}
