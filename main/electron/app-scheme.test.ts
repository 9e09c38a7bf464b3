import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_CSP, appPageUrl, createAppFileHandler, isAppPageUrl, resolveAppPath, type AppOrigin } from './app-scheme';

/**
 * A renderer folder beside a folder it must never serve:
 *   <tmp>/renderer/{index.html, assets/…, inner-link.js → assets/app.js, escape.txt → ../outside/secret.txt, escape-dir → ../outside}
 *   <tmp>/outside/secret.txt
 */
const base = mkdtempSync(join(tmpdir(), 'app-scheme-'));
const rendererDir = join(base, 'renderer');
const SECRET = 'the secret outside the renderer';
const FILES: Readonly<Record<string, string>> = {
  'index.html': '<!doctype html><title>Switchboard</title>',
  'assets/app.js': 'export const app = 1;',
  'assets/app.mjs': 'export const m = 1;',
  'assets/style.css': 'body{margin:0}',
  'assets/font.woff2': 'wOF2',
  'assets/logo.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
  'assets/logo.png': 'PNG',
  'assets/data.json': '{}',
  'assets/blob.bin': 'bytes',
  'assets/..dots.js': 'export const dots = 1;',
};

beforeAll(() => {
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  mkdirSync(join(base, 'outside'));
  writeFileSync(join(base, 'outside', 'secret.txt'), SECRET);
  writeFileSync(join(base, 'package.json'), SECRET);
  for (const [path, body] of Object.entries(FILES)) {
    writeFileSync(join(rendererDir, path), body);
  }
  symlinkSync(join(rendererDir, 'assets', 'app.js'), join(rendererDir, 'inner-link.js'));
  symlinkSync(join(base, 'outside', 'secret.txt'), join(rendererDir, 'escape.txt'));
  symlinkSync(join(base, 'outside'), join(rendererDir, 'escape-dir'));
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

const get = (url: string, method = 'GET'): Promise<Response> => createAppFileHandler({ rendererDir })({ url, method });

describe('the app scheme serves the renderer folder', () => {
  it('serves the page for / and for no path at all, with the CSP', async () => {
    for (const url of ['switchboard-app://ui/', 'switchboard-app://ui', 'switchboard-app://ui/index.html', 'switchboard-app://UI/index.html']) {
      const response = await get(url);
      expect(response.status, url).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('content-security-policy')).toBe(APP_CSP);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await response.text()).toBe(FILES['index.html']);
    }
  });

  it.each([
    ['assets/app.js', 'text/javascript; charset=utf-8'],
    ['assets/app.mjs', 'text/javascript; charset=utf-8'],
    ['assets/style.css', 'text/css; charset=utf-8'],
    ['assets/font.woff2', 'font/woff2'],
    ['assets/logo.svg', 'image/svg+xml'],
    ['assets/logo.png', 'image/png'],
    ['assets/data.json', 'application/json; charset=utf-8'],
    ['assets/blob.bin', 'application/octet-stream'],
    ['assets/..dots.js', 'text/javascript; charset=utf-8'],
  ])('serves %s as %s', async (path, type) => {
    const response = await get(`switchboard-app://ui/${path}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(type);
    expect(await response.text()).toBe(FILES[path]);
  });

  it('ignores the query and the hash', async () => {
    const response = await get('switchboard-app://ui/assets/app.js?v=3#x');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(FILES['assets/app.js']);
  });

  it('follows a symlink that stays inside the folder', async () => {
    const response = await get('switchboard-app://ui/inner-link.js');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(FILES['assets/app.js']);
  });

  it('answers HEAD with the headers and no body, and refuses other methods with 405', async () => {
    const head = await get('switchboard-app://ui/assets/style.css', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(head.body).toBeNull();
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const response = await get('switchboard-app://ui/index.html', method);
      expect(response.status, method).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, HEAD');
    }
  });
});

describe('the app scheme refuses everything else with a 404', () => {
  // A 404 for all of them, as for a missing file: a page learns nothing about what exists
  // outside the renderer folder.
  it.each([
    // dot segments: the URL parser collapses them at the root, so they land inside the folder
    'switchboard-app://ui/../outside/secret.txt',
    'switchboard-app://ui/assets/../../outside/secret.txt',
    'switchboard-app://ui/%2e%2e/outside/secret.txt',
    'switchboard-app://ui/%2E%2E/%2e%2e/package.json',
    'switchboard-app://ui/.%2e/outside/secret.txt',
    // encoded separators, which the URL parser leaves alone
    'switchboard-app://ui/..%2foutside%2fsecret.txt',
    'switchboard-app://ui/..%2Foutside/secret.txt',
    'switchboard-app://ui/assets/..%2F..%2Fpackage.json',
    'switchboard-app://ui/..%5coutside%5csecret.txt',
    'switchboard-app://ui/..\\outside\\secret.txt',
    'switchboard-app://ui/%2e%2e%5c%2e%2e%5cpackage.json',
    // double encoding is a literal name, not a traversal
    'switchboard-app://ui/%252e%252e/outside/secret.txt',
    // absolute paths
    'switchboard-app://ui//etc/passwd',
    'switchboard-app://ui/%2fetc%2fpasswd',
    `switchboard-app://ui/${encodeURIComponent(join(base, 'outside', 'secret.txt'))}`,
    'switchboard-app://ui/C:%5cWindows%5cwin.ini',
    'switchboard-app://ui/index.html%00.js',
    'switchboard-app://ui/%zz',
    // symlinks out of the folder
    'switchboard-app://ui/escape.txt',
    'switchboard-app://ui/escape-dir/secret.txt',
    // not files
    'switchboard-app://ui/assets',
    'switchboard-app://ui/assets/',
    'switchboard-app://ui/missing.js',
  ])('%s', async (url) => {
    const response = await get(url);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain(SECRET);
  });

  it.each([
    'switchboard-app://evil/index.html',
    'switchboard-app://ui.evil/index.html',
    'switchboard-app://ui:8080/index.html',
    'switchboard-app://user@ui/index.html',
    'switchboard-app:///index.html',
    'https://ui/index.html',
    'file:///index.html',
    'not a url',
  ])('another origin: %s', async (url) => {
    expect(resolveAppPath(url)).toEqual({ ok: false, reason: 'not this origin' });
    expect((await get(url)).status).toBe(404);
  });

  it('refuses encoded separators, dots and drive letters from the URL alone, before any file is read', () => {
    for (const url of ['switchboard-app://ui/..%2fx', 'switchboard-app://ui/a%5cb', 'switchboard-app://ui/..\\x', 'switchboard-app://ui/C:x', 'switchboard-app://ui/a%00', 'switchboard-app://ui//x', 'switchboard-app://ui/%zz']) {
      expect(resolveAppPath(url), url).toEqual({ ok: false, reason: 'not a plain path' });
    }
    expect(resolveAppPath('switchboard-app://ui/%2e%2e/%2e%2e/x')).toEqual({ ok: true, path: 'x' });
    expect(resolveAppPath('switchboard-app://ui/')).toEqual({ ok: true, path: 'index.html' });
  });

  it('tells why it refused', async () => {
    const refusals: string[] = [];
    const handler = createAppFileHandler({ rendererDir, onRefused: (_url, reason) => refusals.push(reason) });
    await handler({ url: 'switchboard-app://evil/', method: 'GET' });
    await handler({ url: 'switchboard-app://ui/..%2fx', method: 'GET' });
    await handler({ url: 'switchboard-app://ui/escape.txt', method: 'GET' });
    expect(refusals).toEqual(['not this origin', 'not a plain path', 'no such file inside the renderer']);
  });
});

describe('another origin for the same handler', () => {
  const origin: AppOrigin = { scheme: 'https', host: 'switchboard.test' };

  it('serves on that origin and refuses the app scheme there', async () => {
    const handler = createAppFileHandler({ rendererDir, origin });
    expect((await handler({ url: 'https://switchboard.test/assets/app.js', method: 'GET' })).status).toBe(200);
    expect((await handler({ url: 'https://switchboard.test/..\\..\\package.json', method: 'GET' })).status).toBe(404);
    expect((await handler({ url: 'switchboard-app://ui/assets/app.js', method: 'GET' })).status).toBe(404);
  });
});

describe('the app page URL', () => {
  it('puts the route in the hash of the one page', () => {
    expect(appPageUrl('/conversation/a%2Fb')).toBe('switchboard-app://ui/index.html#/conversation/a%2Fb');
    expect(isAppPageUrl(appPageUrl('/main'))).toBe(true);
    expect(isAppPageUrl('switchboard-app://ui/#/toast')).toBe(true);
  });

  it('is not any other page, origin or file', () => {
    for (const url of ['switchboard-app://ui/assets/app.js', 'switchboard-app://evil/index.html', 'switchboard-app://ui:1/index.html', 'file:///out/renderer/index.html', 'https://ui/index.html', 'switchboard-pane://ui/index.html', '']) {
      expect(isAppPageUrl(url), url).toBe(false);
    }
  });
});
