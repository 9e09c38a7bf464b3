import { contextBridge, ipcRenderer } from 'electron';
import { BridgeChannel, type AppInfo, type SwitchboardBridge } from '../common/bridge';

/** The renderer's only door to the host: one named method per operation (common/bridge.ts). */
const bridge: SwitchboardBridge = {
  appInfo: () => ipcRenderer.invoke(BridgeChannel.appInfo) as Promise<AppInfo>,
};

contextBridge.exposeInMainWorld('switchboard', bridge);
