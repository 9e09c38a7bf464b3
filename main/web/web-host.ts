import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../core/ports/logger';
import type { DesktopSession } from '../desktop/desktop-session';
import { bridgeSocketEndpoint } from './bridge-socket';
import { loopbackOrigin } from './loopback-origin';
import { webRequestHandler } from './web-requests';

/** Options of {@link startWebHost}. */
export type WebHostOptions = {
  readonly session: DesktopSession;
  /** The built renderer (`out/renderer`). */
  readonly rendererDir: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly logger: Logger;
};

/** A running browser host. */
export type WebHost = {
  /** The URL to open, with the session token. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
};

/**
 * The browser host: serves the renderer and the bridge on 127.0.0.1 only, for Chromium here
 * and for agents on thin clients. The bridge is a WebSocket that needs the per-session token
 * and this origin (`bridge-socket.ts`); extension panes are served sandboxed, from paths the
 * registry vouches for (`web-requests.ts`).
 * @public
 */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const { session } = options;
  const token = randomBytes(24).toString('base64url');
  const server = createServer();
  await listenOnLoopback(server, options.port);
  // The listeners are added once the port is known: no request can arrive before this turn ends.
  const port = (server.address() as AddressInfo).port;
  const origin = loopbackOrigin(port);
  server.on('request', webRequestHandler({ session, rendererDir: resolve(options.rendererDir), origin }));
  const bridge = bridgeSocketEndpoint({ session, origin, token, log: options.logger.child('web') });
  server.on('upgrade', bridge.upgrade);
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    close: async () => {
      bridge.close();
      server.closeAllConnections();
      await new Promise<void>((resolvePromise) => server.close(() => resolvePromise()));
    },
  };
}

/** Listens on 127.0.0.1 only (`port` 0 picks a free one); rejects when the port is taken. */
function listenOnLoopback(server: Server, port: number): Promise<void> {
  return new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolvePromise();
    });
  });
}
