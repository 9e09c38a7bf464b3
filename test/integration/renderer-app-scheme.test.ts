import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser, BrowserContext, ConsoleMessage, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_CSP, createAppFileHandler, type AppOrigin } from '../../main/electron/app-scheme';
import { launchChromium, screenshotPath } from '../support/chromium';

// The built renderer in Debian's Chromium (Electron's binary cannot be downloaded here), served
// by the very handler the Electron shell gives `protocol.handle` for `switchboard-app://ui`.
// Chromium has no such scheme, so the handler answers on `https://switchboard.test` through
// Playwright's request routing: a standard, secure origin, which is what the privileged
// `standard` + `secure` scheme gives the page in Electron. The contrast is the failure the
// scheme replaces: the same index.html over file:// stays blank, its module script refused by
// CORS from origin `null` (a packaged build's `grantFileProtocolExtraPrivileges` fuse is off).

const RENDERER_DIR = fileURLToPath(new URL('../../out/renderer/', import.meta.url));
const INDEX = join(RENDERER_DIR, 'index.html');
/** `.test` is reserved (RFC 2606): never a real host, and every request to it is routed here. */
const ORIGIN: AppOrigin = { scheme: 'https', host: 'switchboard.test' };
const BASE = `${ORIGIN.scheme}://${ORIGIN.host}`;
/** What the renderer shows when it runs without a host (renderer/src/views/NoHost.tsx). */
const NO_HOST_TEXT = 'Not connected to Switchboard';

type Served = { readonly url: string; readonly status: number; readonly type: string | null };

/** Console errors and uncaught exceptions of a page, as text. */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') {
      errors.push(message.text());
    }
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  return errors;
}

/** A context where the origin is answered by the app handler and every other request is refused (and noted). */
async function schemeContext(browser: Browser, served: Served[], elsewhere: string[]): Promise<BrowserContext> {
  const context = await browser.newContext();
  const handler = createAppFileHandler({ rendererDir: RENDERER_DIR, origin: ORIGIN });
  // Routes match last-registered first: this catch-all sees only what the origin route does not.
  await context.route('**/*', async (route) => {
    elsewhere.push(route.request().url());
    await route.abort('blockedbyclient');
  });
  await context.route(`${BASE}/**`, async (route) => {
    const request = route.request();
    const response = await handler({ url: request.url(), method: request.method() });
    served.push({ url: request.url(), status: response.status, type: response.headers.get('content-type') });
    await route.fulfill({ status: response.status, headers: Object.fromEntries(response.headers), body: Buffer.from(await response.arrayBuffer()) });
  });
  return context;
}

describe('the built renderer on a standard secure origin, served by the app scheme handler', () => {
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(INDEX)) {
      throw new Error(`${INDEX} is missing: run npm run build (npm test builds it before the tests)`);
    }
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('renders, module script included, with no console error', async () => {
    const served: Served[] = [];
    const elsewhere: string[] = [];
    const context = await schemeContext(browser, served, elsewhere);
    const page = await context.newPage();
    const errors = collectErrors(page);

    const response = await page.goto(`${BASE}/#/main`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toBe(APP_CSP);
    await expect(page.getByText(NO_HOST_TEXT).waitFor({ timeout: 15_000 })).resolves.toBeUndefined();
    expect(await page.evaluate(() => document.getElementById('root')?.childElementCount ?? 0)).toBeGreaterThan(0);

    // The page's module script came through the handler, as JavaScript (strict MIME check for modules).
    const script = /<script type="module"[^>]*src="\.\/([^"]+)"/.exec(readFileSync(INDEX, 'utf8'))?.[1];
    expect(script).toBeDefined();
    expect(served).toContainEqual({ url: `${BASE}/${script}`, status: 200, type: 'text/javascript; charset=utf-8' });
    expect(served.filter((s) => s.status !== 200)).toEqual([]);
    expect(elsewhere).toEqual([]);
    expect(errors).toEqual([]);

    // From the page itself: the handler keeps it inside the renderer folder.
    const statuses = await page.evaluate(async (paths) => Promise.all(paths.map(async (p) => (await fetch(p)).status)), [
      '/%2e%2e/%2e%2e/package.json',
      '/..%2f..%2fpackage.json',
      '/assets/..%5c..%5cpackage.json',
      '/%2fetc%2fpasswd',
      '/index.html',
    ]);
    expect(statuses).toEqual([404, 404, 404, 404, 200]);

    await page.screenshot({ path: screenshotPath('renderer-app-scheme') });
    await context.close();
  });

  it('stays blank over file://, its module script refused by CORS (the failure the scheme replaces)', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = collectErrors(page);
    const refused = page.waitForEvent('console', { predicate: (m) => m.type() === 'error' && /CORS policy/.test(m.text()), timeout: 15_000 });

    await page.goto(`${pathToFileURL(INDEX).href}#/main`);
    const message = (await refused).text();
    expect(message).toMatch(/from origin 'null' has been blocked by CORS policy/);
    // Give the page the time it takes to render on the secure origin (well under a second), and more.
    await expect(page.getByText(NO_HOST_TEXT).waitFor({ timeout: 3000 })).rejects.toThrow();
    expect(await page.evaluate(() => document.getElementById('root')?.childElementCount)).toBe(0);
    expect(errors).toContain(message);

    await page.screenshot({ path: screenshotPath('renderer-file-protocol-blank') });
    await context.close();
  });
});
