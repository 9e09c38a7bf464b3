import type { SettingsView } from '../../common/bridge';
import type { MediaCommand } from '../../common/media-link';

// What a shell (the Electron main process or the browser host) hands the desktop session: its
// platform features, the window behind each bridge request, and where the password is kept.
// Apart from `desktop-session.ts` so that the bridge handlers can name these types without
// importing the session they serve.

/** Where the host keeps the agent's password: the OS keychain, or memory for this run only. */
export type SecretStore = {
  readonly kind: SettingsView['passwordStorage'];
  get(): Promise<string | undefined>;
  set(secret: string | undefined): Promise<void>;
};

/** A secret store that forgets on exit (the browser host has no keychain to use). */
export function sessionSecretStore(initial?: string): SecretStore {
  let secret = initial;
  return {
    kind: 'this-session',
    get: () => Promise.resolve(secret),
    set: (value) => {
      secret = value;
      return Promise.resolve();
    },
  };
}

/**
 * The window a bridge request came from, as its host knows it: the browser host makes one per
 * WebSocket, Electron one per WebContents.
 */
export type BridgeCaller = {
  /** Sends a media command to this window alone. */
  readonly sendMedia: (command: MediaCommand) => void;
  /** Calls `listener` once when the window goes away (closed, reloaded, link lost). */
  readonly onGone: (listener: () => void) => void;
  /** The platform's own handle on the window (Electron's WebContents), for pane placement. */
  readonly native?: unknown;
};

/** What differs between the Electron shell and the browser host. */
export type DesktopPlatform = {
  readonly host: 'electron' | 'browser';
  /** Opens an https: link in the system browser; absent where the window must do it. */
  readonly openExternal?: (url: string) => Promise<void>;
  /** Shows a conversation in its own window; absent where windows show it in place. */
  readonly openConversation?: (conversationId: string) => boolean;
  /** Shows or hides a pane's own view over a window rectangle; absent where windows use iframes. */
  readonly placePane?: (request: { conversationId: string; appId: string; bounds: { x: number; y: number; width: number; height: number } | null }, caller: unknown) => boolean;
  /** A native picker for a package folder or archive. */
  readonly pickPackage?: (folder: boolean) => Promise<string | undefined>;
};
