import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { bridgeSocketFrameSchema, type BridgeSocketFrame } from '../../common/bridge';
import { silentLogger } from '../../core/ports/logger';
import { DesktopSession, sessionSecretStore } from '../desktop/desktop-session';
import { startWebHost, type WebHost } from './web-host';

const running: Array<{ host: WebHost; session: DesktopSession }> = [];
afterEach(async () => {
  for (const { host, session } of running.splice(0)) {
    await host.close();
    await session.close();
  }
});

async function start(): Promise<WebHost> {
  const root = mkdtempSync(join(tmpdir(), 'sb-web-'));
  const rendererDir = join(root, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Switchboard</title>');
  writeFileSync(join(root, 'secret.txt'), 'not for the web');
  const session = await DesktopSession.open({
    configDir: join(root, 'config'),
    appRoot: root,
    version: '0.0.0-test',
    env: { HOME: root, SWITCHBOARD_MACHINE_EXTENSIONS: join(root, 'machine') },
    logger: silentLogger,
    secrets: sessionSecretStore(),
    platform: { host: 'browser' },
    embeddedLab: false,
  });
  const host = await startWebHost({ session, rendererDir, port: 0, logger: silentLogger });
  running.push({ host, session });
  return host;
}

type Answer = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

/** One HTTP request with exactly these method, path and Host header (no URL normalisation). */
function get(host: WebHost, path: string, options: { method?: string; hostHeader?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port: host.port, path, method: options.method ?? 'GET', headers: { Host: options.hostHeader ?? `127.0.0.1:${host.port}` } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

/** Opens the bridge as a window of `origin` would; resolves with the open socket, or the refusal. */
function connect(host: WebHost, origin: string, token: string): Promise<WebSocket | string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/bridge?token=${token}`, { headers: { Origin: origin } });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_request, response) => resolve(String(response.statusCode)));
    ws.once('error', (error) => resolve(error.message));
  });
}

function nextFrame(ws: WebSocket, kind: BridgeSocketFrame['kind']): Promise<BridgeSocketFrame> {
  return new Promise((resolve) => {
    const onMessage = (data: unknown): void => {
      const frame = bridgeSocketFrameSchema.parse(JSON.parse(String(data)));
      if (frame.kind === kind) {
        ws.off('message', onMessage);
        resolve(frame);
      }
    };
    ws.on('message', onMessage);
  });
}

describe('startWebHost', () => {
  it('serves the renderer with its CSP, to its own host names and GET or HEAD only', async () => {
    const host = await start();
    const page = await get(host, '/');
    expect(page).toMatchObject({ status: 200, body: '<!doctype html><title>Switchboard</title>' });
    expect(page.headers['content-security-policy']).toContain(`connect-src 'self' ws://127.0.0.1:${host.port} ws://localhost:${host.port}`);
    expect(page.headers['x-frame-options']).toBe('SAMEORIGIN');
    await expect(get(host, '/', { method: 'HEAD', hostHeader: `localhost:${host.port}` })).resolves.toMatchObject({ status: 200, body: '' });
    await expect(get(host, '/', { hostHeader: `rebound.example.org:${host.port}` })).resolves.toMatchObject({ status: 421 });
    await expect(get(host, '/', { method: 'POST' })).resolves.toMatchObject({ status: 405, headers: { allow: 'GET, HEAD' } });
    await expect(get(host, '/%E0%A4%A')).resolves.toMatchObject({ status: 400 });
    await expect(get(host, '/missing.js')).resolves.toMatchObject({ status: 404 });
    await expect(get(host, '/..%2Fsecret.txt')).resolves.toMatchObject({ status: 404 });
    await expect(get(host, '/pane/8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01/index.html')).resolves.toMatchObject({ status: 404, body: 'No such extension file\n' });
  });

  it('opens the bridge only to its origin with the token, and carries requests and pushes', async () => {
    const host = await start();
    const token = new URL(host.url).searchParams.get('token') ?? '';
    const origin = `http://127.0.0.1:${host.port}`;
    await expect(connect(host, 'http://evil.example.org', token)).resolves.toBe('403');
    await expect(connect(host, origin, 'wrong')).resolves.toBe('403');
    const ws = await connect(host, origin, token);
    if (typeof ws === 'string') {
      throw new Error(`bridge refused: ${ws}`);
    }
    const answer = nextFrame(ws, 'response');
    ws.send(JSON.stringify({ kind: 'request', id: 7, method: 'app.info', params: {} }));
    await expect(answer).resolves.toEqual({ kind: 'response', id: 7, response: { ok: true, result: { name: 'Switchboard', version: '0.0.0-test', host: 'browser', labAvailable: false } } });
    const push = nextFrame(ws, 'push');
    ws.send(JSON.stringify({ kind: 'request', id: 8, method: 'settings.set', params: { settings: { server: '', aor: '', autoAccept: true, trust: [] } } }));
    await expect(push).resolves.toMatchObject({ kind: 'push', push: { event: { type: 'host.agent' } } });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send(JSON.stringify({ kind: 'push', push: { seq: 1, at: 0, event: { type: 'host.extensions' } } }));
    await expect(closed).resolves.toBe(1008);
  });
});
