import type { SwitchboardBridge } from '../../common/bridge';

declare global {
  interface Window {
    /** Exposed by the preload (Electron) or the browser host's bridge script. */
    readonly switchboard?: SwitchboardBridge;
  }
}

/** The host bridge, or undefined when the page is opened outside a Switchboard host. */
export function getBridge(): SwitchboardBridge | undefined {
  return window.switchboard;
}
