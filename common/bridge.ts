/**
 * The renderer bridge's channel names (`domain:verb`), shared by the Electron preload and
 * the browser host so that both implement one contract.
 * @public
 */
export const BridgeChannel = {
  appInfo: 'app:info',
} as const;

/** Static facts about the running host, answered on {@link BridgeChannel.appInfo}. */
export type AppInfo = {
  readonly name: string;
  readonly version: string;
  /** Which shell hosts the renderer. */
  readonly host: 'electron' | 'browser';
};

/**
 * The API the preload exposes to the renderer as `window.switchboard`: named methods only,
 * never a raw `ipcRenderer`.
 * @public
 */
export type SwitchboardBridge = {
  appInfo(): Promise<AppInfo>;
};
