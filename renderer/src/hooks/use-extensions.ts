import { useEffect, useMemo, useRef, useState } from 'react';
import type { BridgeResult, ExtensionInfo } from '../../../common/bridge';
import type { DesktopStore } from '../bridge/desktop-store';
import { useDesktopStore, useDesktopView } from '../store-context';

/** Installed extensions, the administrator's policy, what was skipped and where packages live. */
export type ExtensionListing = BridgeResult<'extensions.list'>;
/** An extension that was installed, and the version it replaced. */
export type InstalledExtension = BridgeResult<'extensions.install'>;

type CachedListing = { readonly version: number; readonly promise: Promise<ExtensionListing>; value?: ExtensionListing };

/**
 * One listing per store and registry version, shared by every hook of the window: a
 * conversation view that mounts as a channel opens its pane gets the listing at once instead of
 * waiting for its own bridge round trip before it can show the pane (issue 15, screen pop).
 */
const listings = new WeakMap<DesktopStore, CachedListing>();

function listingFor(store: DesktopStore, version: number): CachedListing {
  const cached = listings.get(store);
  if (cached?.version === version) {
    return cached;
  }
  const entry: CachedListing = {
    version,
    promise: store.call('extensions.list', {}).then(
      (listing) => {
        entry.value = listing;
        return listing;
      },
      (error: unknown) => {
        // Not kept: the next hook that mounts asks again.
        if (listings.get(store) === entry) {
          listings.delete(store);
        }
        throw error;
      },
    ),
  };
  listings.set(store, entry);
  return entry;
}

/**
 * The extension registry, listed again whenever the host says it changed (an install, a
 * removal, a provisioned package appearing), so every window shows the same extensions.
 * @param onError - told why a listing failed; the last good listing stays.
 */
export function useExtensionListing(onError?: (message: string) => void): ExtensionListing | undefined {
  const store = useDesktopStore();
  const { extensionsVersion } = useDesktopView();
  const [listing, setListing] = useState<ExtensionListing | undefined>(() => listingFor(store, extensionsVersion).value);
  const reportError = useRef(onError);
  reportError.current = onError;
  useEffect(() => {
    let live = true;
    listingFor(store, extensionsVersion).promise.then(
      (l) => live && setListing(l),
      (e: Error) => live && reportError.current?.(e.message),
    );
    return () => {
      live = false;
    };
  }, [store, extensionsVersion]);
  return listing;
}

/**
 * The extensions that run (effective: not shadowed, not blocked) by canonical id: what a
 * conversation needs to name a pane's tab and load its page.
 */
export function useEffectiveExtensions(): ReadonlyMap<string, ExtensionInfo> {
  const listing = useExtensionListing();
  return useMemo(() => new Map((listing?.extensions ?? []).filter((e) => e.effective).map((e) => [e.id, e])), [listing]);
}

/** Reads a file as base64 without building a giant string of char codes. */
async function toBase64(file: File): Promise<string> {
  const url = await new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('cannot read the file'));
    reader.readAsDataURL(file);
  });
  return url.slice(url.indexOf(',') + 1);
}

/** What the agent can do to personal extensions; each rejects with the host's reason. */
export type ExtensionActions = {
  /** Electron's native file picker; resolves with the chosen path, or undefined. */
  readonly pick: () => Promise<string | undefined>;
  readonly install: (path: string) => Promise<InstalledExtension>;
  /** Installs an archive read in the window (the browser host has no access to the agent's files). */
  readonly upload: (file: File) => Promise<InstalledExtension>;
  /** Removes the agent's own copy; resolves with whether a provisioned copy remains. */
  readonly remove: (id: string) => Promise<{ machineCopyRemains: boolean }>;
};

/** Install, upload and remove personal extensions: the registry change comes back as a push. */
export function useExtensionActions(): ExtensionActions {
  const store = useDesktopStore();
  return {
    pick: async () => (await store.call('extensions.pick', { folder: false })).path,
    install: (path) => store.call('extensions.install', { path }),
    upload: async (file) => store.call('extensions.upload', { fileName: file.name, dataBase64: await toBase64(file) }),
    remove: (id) => store.call('extensions.remove', { id }),
  };
}
