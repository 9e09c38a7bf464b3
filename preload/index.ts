import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { BRIDGE_MEDIA_CHANNEL, BRIDGE_METHODS, BRIDGE_PUSH_CHANNEL, bridgeChannel, type BridgeMethod, type BridgePush, type BridgeResponse, type SwitchboardBridge } from '../common/bridge';
import type { MediaCommand } from '../common/media-link';

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
  onPush: (listener) => {
    if (typeof listener !== 'function') {
      throw new TypeError('onPush needs a function');
    }
    const relay = (_event: IpcRendererEvent, push: BridgePush): void => listener(push);
    ipcRenderer.on(BRIDGE_PUSH_CHANNEL, relay);
    return () => {
      ipcRenderer.removeListener(BRIDGE_PUSH_CHANNEL, relay);
    };
  },
  onMedia: (listener) => {
    if (typeof listener !== 'function') {
      throw new TypeError('onMedia needs a function');
    }
    const relay = (_event: IpcRendererEvent, command: MediaCommand): void => listener(command);
    ipcRenderer.on(BRIDGE_MEDIA_CHANNEL, relay);
    return () => {
      ipcRenderer.removeListener(BRIDGE_MEDIA_CHANNEL, relay);
    };
  },
};

contextBridge.exposeInMainWorld('switchboard', bridge);
