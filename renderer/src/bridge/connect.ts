import type { SwitchboardBridge } from '../../../common/bridge';
import { SocketBridge, sessionToken, type LinkStatus } from './socket-bridge';

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent in the browser host. */
    readonly switchboard?: SwitchboardBridge;
  }
}

/** A bridge and the state of the link it runs over. */
export type HostLink = {
  readonly bridge: SwitchboardBridge;
  status(): LinkStatus;
  onStatus(listener: (status: LinkStatus) => void): () => void;
};

/**
 * The window's host: the preload's bridge in Electron, the WebSocket bridge in the browser
 * host, or undefined when the page was opened without its session token.
 */
export function connectToHost(): HostLink | undefined {
  const preload = window.switchboard;
  if (preload) {
    return { bridge: preload, status: () => 'open', onStatus: () => () => undefined };
  }
  const token = sessionToken();
  if (!token) {
    return undefined;
  }
  const socket = new SocketBridge(token);
  return { bridge: socket, status: () => socket.linkStatus, onStatus: (listener) => socket.onStatus(listener) };
}
