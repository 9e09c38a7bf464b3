import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { BRIDGE_MEDIA_CHANNEL, BRIDGE_METHODS, BRIDGE_PUSH_CHANNEL, bridgeChannel, type BridgeMethod, type BridgeResponse, type SwitchboardBridge } from '../common/bridge';

/**
 * The preload of app windows: exposes `window.switchboard` ({@link SwitchboardBridge}) and
 * nothing else. The page never sees `ipcRenderer`: it can call the bridge's methods, by name,
 * and listen to pushes and to the media commands meant for it.
 */

const methods = new Set<string>(BRIDGE_METHODS);

const refused = (method: unknown): BridgeResponse => ({
  ok: false,
  error: { code: 'bad-request', message: `unknown method ${JSON.stringify(String(method).slice(0, 64))}` },
});

/** Relays one host → window channel to `listener` (only the message, never the IPC event); returns the unsubscribe. */
function listen<T>(name: string, channel: string, listener: (message: T) => void): () => void {
  if (typeof listener !== 'function') {
    throw new TypeError(`${name} needs a function`);
  }
  const relay = (_event: IpcRendererEvent, message: T): void => listener(message);
  ipcRenderer.on(channel, relay);
  return () => {
    ipcRenderer.removeListener(channel, relay);
  };
}

const bridge: SwitchboardBridge = {
  invoke: (method, params) => {
    if (typeof method !== 'string' || !methods.has(method)) {
      return Promise.resolve(refused(method) as never);
    }
    // The host validates params; a transport failure still comes back as the error envelope.
    return (ipcRenderer.invoke(bridgeChannel(method as BridgeMethod), params) as Promise<BridgeResponse>).catch(
      (error: unknown): BridgeResponse => ({ ok: false, error: { code: 'internal', message: `${method}: ${error instanceof Error ? error.message : String(error)}` } }),
    ) as never;
  },
  onPush: (listener) => listen('onPush', BRIDGE_PUSH_CHANNEL, listener),
  onMedia: (listener) => listen('onMedia', BRIDGE_MEDIA_CHANNEL, listener),
};

contextBridge.exposeInMainWorld('switchboard', bridge);
