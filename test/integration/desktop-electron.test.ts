import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The Electron shell end to end: the built app (out/) on the embedded lab, driven through its
 * real windows. Runs only where the Electron binary is installed; the package downloads it
 * from GitHub on first install, which some machines cannot do.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN_BUNDLE = join(ROOT, 'out', 'main', 'index.js');
const STEP_MS = 20_000;

/**
 * Where the Electron binary is, or undefined when it is not installed.
 * @remarks Not `import('electron')`: when the binary is missing, the package's main tries to
 * download it (a network fetch in the middle of a test run) before it throws "Electron failed
 * to install correctly". This reads the same files it does, without that side effect.
 */
function findElectronBinary(): string | undefined {
  try {
    const dir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const pathFile = join(dir, 'path.txt');
    const name = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;
    const override = process.env['ELECTRON_OVERRIDE_DIST_PATH'];
    const candidate = override ? join(override, name ?? 'electron') : name !== undefined ? join(dir, 'dist', name) : undefined;
    return candidate !== undefined && existsSync(candidate) ? candidate : undefined;
  } catch {
    return undefined;
  }
}

const electronPath = findElectronBinary();
const haveBinary = electronPath !== undefined;
const haveDisplay = process.platform !== 'linux' || Boolean(process.env['DISPLAY'] || process.env['WAYLAND_DISPLAY']);
const available = haveBinary && haveDisplay;
if (!haveBinary) {
  console.warn('desktop-electron: skipped: no Electron binary at node_modules/electron/dist (Electron 45 downloads it from GitHub on first install; unavailable here)');
} else if (!haveDisplay) {
  console.warn('desktop-electron: skipped: no display (set DISPLAY, or run the tests under xvfb-run)');
}

type Prefs = { sandbox?: boolean; contextIsolation?: boolean; nodeIntegration?: boolean; webSecurity?: boolean };
type LastPrefs = { getLastWebPreferences(): Prefs };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `probe` returns a value, or fails naming what was last seen. */
async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = STEP_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await sleep(100);
  }
}

describe.skipIf(!available)('desktop (Electron)', () => {
  let app: ElectronApplication;
  let configHome: string;

  const windowAt = (route: RegExp): Promise<Page> => until(`a window at ${route}`, () => app.windows().find((p) => route.test(p.url())));

  /** URL and visibility of every app window, from the main process. */
  const windowStates = (): Promise<{ url: string; visible: boolean }[]> =>
    app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().map((w) => ({ url: w.webContents.getURL(), visible: w.isVisible() })));

  beforeAll(async () => {
    expect(existsSync(MAIN_BUNDLE), 'build the app first: npm run build').toBe(true);
    configHome = await mkdtemp(join(tmpdir(), 'sb-electron-'));
    // A fresh config folder: no account, so the app starts the embedded lab.
    app = await _electron.launch({
      executablePath: electronPath as string,
      args: [ROOT],
      env: { ...process.env, XDG_CONFIG_HOME: configHome, ELECTRON_ENABLE_LOGGING: '1' },
      timeout: 30_000,
    });
  }, 45_000);

  afterAll(async () => {
    if (app) {
      const closed = app.close().then(() => true);
      // The clean quit is bounded in the app (8 s); never hang the suite on it.
      if (!(await Promise.race([closed, sleep(15_000).then(() => false)]))) {
        app.process().kill('SIGKILL');
      }
    }
    if (configHome) {
      await rm(configHome, { recursive: true, force: true });
    }
  }, 30_000);

  it('opens the main window with sandboxed, isolated web preferences everywhere', async () => {
    const main = await windowAt(/#\/main$/);
    await main.waitForLoadState('domcontentloaded');
    // getLastWebPreferences is Electron's runtime view of what a page really got (untyped).
    const prefs = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().map((w) => (w.webContents as unknown as LastPrefs).getLastWebPreferences()));
    expect(prefs.length).toBeGreaterThanOrEqual(2); // main and the (hidden) toast
    for (const p of prefs) {
      expect(p).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true });
    }
    // The UI comes from the privileged app scheme, never file:// (main/electron/app-scheme.ts).
    for (const { url } of await windowStates()) {
      expect(url).toMatch(/^switchboard-app:\/\/ui\/index\.html#\//);
    }
    expect(await main.evaluate(() => window.location.origin)).toBe('switchboard-app://ui');
    const exposed = await main.evaluate(() => ({
      bridge: typeof (globalThis as { switchboard?: { invoke?: unknown } }).switchboard?.invoke,
      keys: Object.keys((globalThis as { switchboard?: object }).switchboard ?? {}).sort(),
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
    }));
    expect(exposed).toEqual({ bridge: 'function', keys: ['invoke', 'onMedia', 'onPush'], require: 'undefined', process: 'undefined' });
  });

  it('shows the toast for an invitation and a conversation window on Accept', async () => {
    const main = await windowAt(/#\/main$/);
    await main.getByRole('button', { name: /Invite me to a conference/ }).click({ timeout: STEP_MS });
    const toast = await windowAt(/#\/toast$/);
    await until('the toast window to show', async () => ((await windowStates()).some((w) => /#\/toast$/.test(w.url) && w.visible) ? true : undefined));
    await toast.getByRole('button', { name: /Accept/ }).first().click({ timeout: STEP_MS });
    const conversation = await windowAt(/#\/conversation\//);
    await conversation.waitForLoadState('domcontentloaded');
    // The main window's WebRTC stack carries the audio (the shell lets it reach the lab on 127.0.0.1).
    await conversation.locator('[aria-label="audio devices"]').waitFor({ timeout: STEP_MS });
    expect(await conversation.locator('[aria-label="audio devices"]').textContent()).not.toContain('runs in the host');
    await until('the toast window to hide', async () => ((await windowStates()).some((w) => /#\/toast$/.test(w.url) && w.visible) ? undefined : true));
  });

  it('opens the CRM pane in its own sandboxed view, initialised over the pane protocol', async () => {
    const candidates = [await windowAt(/#\/main$/), await windowAt(/#\/conversation\//)];
    const button = await until('the "Open a CRM channel in this conference" button', async () => {
      for (const page of candidates) {
        const locator = page.getByRole('button', { name: /Open a CRM channel in this conference/ });
        if ((await locator.count()) > 0) {
          return locator.first();
        }
      }
      return undefined;
    });
    await button.click({ timeout: STEP_MS });
    const paneViews = (): Promise<{ id: number; url: string; prefs: Prefs }[]> =>
      app.evaluate(({ webContents }) =>
        webContents
          .getAllWebContents()
          .filter((w) => w.getURL().startsWith('switchboard-pane://'))
          .map((w) => ({ id: w.id, url: w.getURL(), prefs: (w as unknown as LastPrefs).getLastWebPreferences() })),
      );
    // The lab's channel request rings like any other (the toast), unless the agent auto-accepts.
    const ringing = await until('the channel request to ring, or the pane to open', async () =>
      (await windowStates()).some((w) => /#\/toast$/.test(w.url) && w.visible) ? 'toast' : (await paneViews()).length > 0 ? 'pane' : undefined,
    );
    if (ringing === 'toast') {
      const toast = await windowAt(/#\/toast$/);
      await toast.getByRole('button', { name: /Accept/ }).first().click({ timeout: STEP_MS });
    }
    const pane = await until('a pane view', async () => (await paneViews())[0]);
    expect(pane.prefs).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true });
    // The page's SDK got init through the preload relay: the heading leaves its waiting text.
    const heading = await until('the CRM pane to show its customer', async () => {
      const text = await app.evaluate(
        ({ webContents }, id) => webContents.fromId(id)?.executeJavaScript("document.getElementById('customer')?.textContent ?? ''") as Promise<string> | undefined,
        pane.id,
      );
      return text !== undefined && text !== '' && !text.startsWith('Waiting') ? text : undefined;
    });
    expect(heading.length).toBeGreaterThan(0);
    const isolation = await app.evaluate(
      ({ webContents }, id) => webContents.fromId(id)?.executeJavaScript('[typeof window.switchboard, typeof require, typeof process].join()') as Promise<string> | undefined,
      pane.id,
    );
    expect(isolation).toBe('undefined,undefined,undefined');
  });
});
