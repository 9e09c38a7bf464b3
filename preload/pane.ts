import { contextBridge, ipcRenderer } from 'electron';
import { hostToPaneSchema, PANE_PROTOCOL, PANE_TO_HOST_CHANNEL, PANE_TO_PANE_CHANNEL, paneToHostSchema } from '../common/pane-protocol';

/**
 * The preload of extension panes: relays `switchboard-pane/1` between the page and the host.
 * @remarks A pane in Electron is a top-level page (its own WebContentsView), so `window.parent`
 * is the window itself: the pane SDK's `parent.postMessage` lands on this same window, where
 * this isolated-world script picks up what the page said (hello, send, close) and forwards it
 * to main; what main answers is posted back to the window, where the SDK accepts it because
 * its source is `window.parent`. Only messages the page posted to itself count (a frame inside
 * the pane has another source), and both directions are validated here and again in main.
 * Nothing is exposed to the page.
 */

const TO_HOST = PANE_TO_HOST_CHANNEL;
const TO_PANE = PANE_TO_PANE_CHANNEL;

/**
 * Runs in the page's own world: deletes every `RTC…` constructor (RTCPeerConnection and its
 * `webkit` alias first), so that the page cannot open a peer connection to any host. Serialised
 * by Electron, so it must stand alone.
 * @remarks WebRTC reaches the network without the session's request filter or the CSP seeing it
 * (a pane in Chromium 156 sent STUN and TURN/TCP to an arbitrary host under `connect-src
 * 'none'`: README, "Extension panes"). The pane's view also forbids non-proxied UDP.
 */
function removeWebRtc(): void {
  for (const name of Object.getOwnPropertyNames(globalThis)) {
    if (/^(webkit)?RTC/.test(name)) {
      Reflect.deleteProperty(globalThis, name);
    }
  }
}

try {
  // Preloads run before the page's scripts, and executeInMainWorld runs synchronously.
  contextBridge.executeInMainWorld({ func: removeWebRtc });
} catch {
  // An Electron without executeInMainWorld (before 35): the UDP policy still holds.
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (event.source !== window) {
    return;
  }
  const data = event.data as { protocol?: unknown } | null;
  if (typeof data !== 'object' || data === null || data.protocol !== PANE_PROTOCOL) {
    return;
  }
  const parsed = paneToHostSchema.safeParse(data);
  if (parsed.success) {
    ipcRenderer.send(TO_HOST, parsed.data);
  } else if ((data as { kind?: unknown }).kind === 'send') {
    // Main answers a malformed send with a "sent" failure instead of leaving the pane waiting;
    // it gets a bounded copy that still shows what was wrong (type too long, body too large).
    const { requestId, contentType, body } = data as { requestId?: unknown; contentType?: unknown; body?: unknown };
    ipcRenderer.send(TO_HOST, {
      protocol: PANE_PROTOCOL,
      kind: 'send',
      requestId: typeof requestId === 'number' ? requestId : -1,
      contentType: typeof contentType === 'string' ? contentType.slice(0, 256) : '',
      body: typeof body === 'string' ? body.slice(0, 64_001) : '',
    });
  }
});

ipcRenderer.on(TO_PANE, (_event, message: unknown) => {
  const parsed = hostToPaneSchema.safeParse(message);
  if (parsed.success) {
    window.postMessage(parsed.data, '*');
  }
});
