import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { bridgeSocketFrameSchema, type BridgeSocketFrame } from '../../common/bridge';
import type { Logger } from '../../core/ports/logger';
import type { BridgeCaller, DesktopSession } from '../desktop/desktop-session';
import type { LoopbackOrigin } from './loopback-origin';

/** A window that falls this far behind is dropped; it reconnects and takes a fresh snapshot. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** Large enough for an extension archive upload (20 MiB, base64). */
const MAX_FRAME_BYTES = 30 * 1024 * 1024;

/** Options of {@link bridgeSocketEndpoint}. */
export type BridgeSocketOptions = {
  readonly session: Pick<DesktopSession, 'handle' | 'onPush'>;
  readonly origin: LoopbackOrigin;
  /** The per-session token a window must show (printed with the URL). */
  readonly token: string;
  readonly log: Logger;
};

/** The `/bridge` WebSocket endpoint of the browser host. */
export type BridgeSocketEndpoint = {
  /** The HTTP server's `upgrade` listener: accepts or refuses one window. */
  readonly upgrade: (request: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** Closes every window ("host stopping") and stops accepting. */
  readonly close: () => void;
};

/**
 * The bridge of `common/bridge.ts` over a WebSocket: only from a page of this origin that
 * holds the session token. Each request frame goes to `DesktopSession.handle`, each push of
 * `DesktopSession.onPush` to every window, media commands to the window they are for.
 */
export function bridgeSocketEndpoint(options: BridgeSocketOptions): BridgeSocketEndpoint {
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  return {
    upgrade: (request, socket, head) => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const origin = request.headers.origin ?? '';
      const allowed = url.pathname === '/bridge' && options.origin.isOwnHost(request.headers.host) && options.origin.isOwnOrigin(origin) && sameToken(url.searchParams.get('token'), options.token);
      if (!allowed) {
        options.log.warn('bridge connection refused', { origin, path: url.pathname });
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      sockets.handleUpgrade(request, socket, head, (ws) => serveWindow(ws, options));
    },
    close: () => {
      for (const client of sockets.clients) {
        client.close(1001, 'host stopping');
      }
      sockets.close();
    },
  };
}

function sameToken(given: string | null, token: string): boolean {
  if (given === null) {
    return false;
  }
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** One window's link: its requests answered, the session's pushes and its media commands sent. */
function serveWindow(ws: WebSocket, options: BridgeSocketOptions): void {
  const { session, log } = options;
  const send = frameSender(ws, log);
  const off = session.onPush((push) => send({ kind: 'push', push }));
  const goneListeners: Array<() => void> = [];
  const caller: BridgeCaller = {
    sendMedia: (command) => send({ kind: 'media', command }),
    onGone: (listener) => goneListeners.push(listener),
  };
  ws.on('message', (data, isBinary) => {
    const frame = requestFrame(ws, log, data, isBinary);
    if (frame !== undefined) {
      const { id, method, params } = frame;
      void session.handle(method, params, caller).then((response) => send({ kind: 'response', id, response }));
    }
  });
  ws.on('close', () => {
    off();
    for (const listener of goneListeners.splice(0)) {
      listener();
    }
  });
  ws.on('error', () => ws.terminate());
}

/** Sends frames while the window reads them; one that falls too far behind is dropped. */
function frameSender(ws: WebSocket, log: Logger): (frame: BridgeSocketFrame) => void {
  return (frame) => {
    if (ws.readyState !== ws.OPEN) {
      return;
    }
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      log.warn('window is not reading; dropping it so it reconnects with a snapshot');
      ws.close(1013, 'too far behind');
      return;
    }
    ws.send(JSON.stringify(frame));
  };
}

type RequestFrame = Extract<BridgeSocketFrame, { kind: 'request' }>;

/** The request a window's message carries; anything else closes its link (undefined). */
function requestFrame(ws: WebSocket, log: Logger, data: RawData, isBinary: boolean): RequestFrame | undefined {
  if (isBinary) {
    ws.close(1003, 'text frames only');
    return undefined;
  }
  try {
    const parsed = bridgeSocketFrameSchema.safeParse(JSON.parse(String(data)));
    if (!parsed.success || parsed.data.kind !== 'request') {
      throw new Error(parsed.success ? 'only requests are accepted' : (parsed.error.issues[0]?.message ?? 'bad frame'));
    }
    return parsed.data;
  } catch (error) {
    log.warn('bad bridge frame', { error: String(error) });
    ws.close(1008, 'bad frame');
    return undefined;
  }
}
