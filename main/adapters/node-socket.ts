import { WebSocket } from 'ws';
import { LIMITS } from '../../core/agent/limits';
import type { SignalingSocketFactory } from '../../core/ports/socket';

/** Largest WebSocket frame taken from the proxy (`LIMITS.sipFrameBytes`, README "Limits"). */
export const MAX_SIP_FRAME_BYTES = LIMITS.sipFrameBytes;

/**
 * {@link SignalingSocketFactory} on the `ws` package, for Node hosts.
 * @remarks Negotiates the `sip` subprotocol (RFC 7118 §4). Frames are read as UTF-8 text
 * whether the peer sent text or binary frames, since RFC 7118 §5 allows both. A frame over
 * {@link MAX_SIP_FRAME_BYTES} closes the connection (1009) instead of being buffered: `ws`
 * would otherwise take up to 100 MiB from a peer, and no SIP message we take is near that.
 */
export const nodeSocketFactory: SignalingSocketFactory = (url, handlers) => {
  const socket = new WebSocket(url, 'sip', { perMessageDeflate: false, maxPayload: MAX_SIP_FRAME_BYTES });
  let closed = false;
  socket.on('open', () => handlers.onOpen());
  socket.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
    const text = Array.isArray(data)
      ? Buffer.concat(data).toString('utf8')
      : Buffer.from(data as ArrayBuffer).toString('utf8');
    handlers.onMessage(text);
  });
  socket.on('pong', () => handlers.onPong());
  socket.on('error', (error: Error) => handlers.onError(error));
  socket.on('close', (code: number, reason: Buffer) => {
    if (!closed) {
      closed = true;
      handlers.onClose(code, reason.toString('utf8'));
    }
  });
  return {
    send: (data) => socket.send(data),
    ping: () => {
      if (socket.readyState === WebSocket.OPEN) {
        socket.ping();
      }
    },
    close: (code, reason) => socket.close(code, reason),
    terminate: () => socket.terminate(),
  };
};
