import {
  BRIDGE_PROTOCOL,
  bridgeSocketFrameSchema,
  type BridgeMethod,
  type BridgeParams,
  type BridgePush,
  type BridgeResponse,
  type SwitchboardBridge,
} from '../../../common/bridge';
import type { MediaCommand } from '../../../common/media-link';

/** Whether the window currently reaches its host. */
export type LinkStatus = 'connecting' | 'open' | 'closed';

const TOKEN_KEY = 'switchboard.token';

/**
 * The browser host's session token: taken from the URL once (`?token=`), kept in this tab's
 * sessionStorage, and removed from the address bar so it is not bookmarked or shared.
 */
export function sessionToken(): string | undefined {
  const fromUrl = new URLSearchParams(window.location.search).get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    const url = new URL(window.location.href);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.toString());
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

/**
 * {@link SwitchboardBridge} over the browser host's WebSocket (`/bridge?token=`). Reconnects
 * with backoff; requests in flight when the link drops fail with `unavailable`, and the store
 * takes a fresh snapshot when the link is back, so no event is missed.
 */
export class SocketBridge implements SwitchboardBridge {
  private socket: WebSocket | undefined;
  private nextId = 1;
  private readonly inFlight = new Map<number, (response: BridgeResponse) => void>();
  private readonly pushListeners = new Set<(push: BridgePush) => void>();
  private readonly mediaListeners = new Set<(command: MediaCommand) => void>();
  private readonly statusListeners = new Set<(status: LinkStatus) => void>();
  private status: LinkStatus = 'connecting';
  private attempt = 0;
  private opened: Promise<void>;
  private resolveOpened: () => void = () => undefined;

  constructor(private readonly token: string) {
    this.opened = new Promise((resolve) => {
      this.resolveOpened = resolve;
    });
    this.connect();
  }

  get linkStatus(): LinkStatus {
    return this.status;
  }

  onStatus(listener: (status: LinkStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  onPush(listener: (push: BridgePush) => void): () => void {
    this.pushListeners.add(listener);
    return () => this.pushListeners.delete(listener);
  }

  onMedia(listener: (command: MediaCommand) => void): () => void {
    this.mediaListeners.add(listener);
    return () => this.mediaListeners.delete(listener);
  }

  async invoke<M extends BridgeMethod>(method: M, params: BridgeParams<M>): Promise<BridgeResponse<M>> {
    await this.opened;
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      return { ok: false, error: { code: 'unavailable', message: 'not connected to the Switchboard host' } };
    }
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.inFlight.set(id, resolve as (response: BridgeResponse) => void);
      socket.send(JSON.stringify({ kind: 'request', id, method, params }));
    });
  }

  private setStatus(status: LinkStatus): void {
    this.status = status;
    this.statusListeners.forEach((listener) => listener(status));
  }

  private connect(): void {
    const url = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/bridge?token=${encodeURIComponent(this.token)}&protocol=${encodeURIComponent(BRIDGE_PROTOCOL)}`;
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.attempt = 0;
      this.setStatus('open');
      this.resolveOpened();
    });
    socket.addEventListener('message', (message) => {
      let json: unknown;
      try {
        json = JSON.parse(String(message.data));
      } catch {
        console.warn('switchboard: dropped a frame from the host that is not JSON');
        return;
      }
      const parsed = bridgeSocketFrameSchema.safeParse(json);
      if (!parsed.success) {
        console.warn('switchboard: dropped an invalid frame from the host', parsed.error.issues[0]?.message);
        return;
      }
      const frame = parsed.data;
      if (frame.kind === 'push') {
        this.pushListeners.forEach((listener) => listener(frame.push as BridgePush));
      } else if (frame.kind === 'media') {
        this.mediaListeners.forEach((listener) => listener(frame.command));
      } else if (frame.kind === 'response') {
        this.inFlight.get(frame.id)?.(frame.response as BridgeResponse);
        this.inFlight.delete(frame.id);
      }
    });
    socket.addEventListener('close', () => {
      for (const resolve of this.inFlight.values()) {
        resolve({ ok: false, error: { code: 'unavailable', message: 'the connection to the Switchboard host was lost' } });
      }
      this.inFlight.clear();
      this.opened = new Promise((resolve) => {
        this.resolveOpened = resolve;
      });
      this.setStatus('closed');
      const delay = Math.min(10_000, 250 * 2 ** this.attempt) * (0.5 + Math.random() / 2);
      this.attempt += 1;
      setTimeout(() => this.connect(), delay);
    });
  }
}
