import { watch, type FSWatcher } from 'node:fs';
import type { ChannelRegistration } from '../../core/channels/channel-decision';
import { ExtensionRegistry, findEffective, type ExtensionListing, type RegisteredExtension } from '../../core/extensions/extension-registry';
import type { Logger } from '../../core/ports/logger';
import { defaultMachineExtensionsDir, defaultUserExtensionsDir, ExtensionDirectoryStore } from './extension-directory-store';

/** A registered extension as the channel decision sees it. */
export type ChannelApp = ChannelRegistration & { readonly extension: RegisteredExtension };

/**
 * The extension registry as a synchronous lookup for the agent: the listing is read at start
 * and read again when either registry directory changes (inotify through `fs.watch`), so an
 * install while the agent runs is seen within a moment, with no polling.
 */
export class RegistrySnapshot {
  private listing: ExtensionListing = { extensions: [], problems: [], userInstallsAllowed: true };
  private readonly watchers: FSWatcher[] = [];
  private reloading: Promise<void> | undefined;
  private readonly registry: ExtensionRegistry;

  private constructor(
    private readonly dirs: { readonly user: string; readonly machine: string },
    private readonly log: Logger,
  ) {
    this.registry = new ExtensionRegistry(new ExtensionDirectoryStore({ userDir: dirs.user, machineDir: dirs.machine }));
  }

  /** Loads the registry named by `--registry` (or the default) and the machine directory. */
  static async load(userDir: string | undefined, env: NodeJS.ProcessEnv, log: Logger): Promise<RegistrySnapshot> {
    const snapshot = new RegistrySnapshot({ user: userDir ?? defaultUserExtensionsDir(env), machine: defaultMachineExtensionsDir(env) }, log.child('registry'));
    await snapshot.reload();
    snapshot.watch();
    return snapshot;
  }

  /** The effective extension for an application id in any GUID form. */
  lookup(appId: string): ChannelApp | undefined {
    const extension = findEffective(this.listing, appId);
    return extension ? { name: extension.manifest.name, extension } : undefined;
  }

  /** How many extensions are effective (for the start-up log). */
  get count(): number {
    return this.listing.extensions.filter((e) => e.effective).length;
  }

  close(): void {
    this.watchers.splice(0).forEach((w) => w.close());
  }

  private reload(): Promise<void> {
    this.reloading ??= this.registry
      .list()
      .then((listing) => {
        this.listing = listing;
        for (const problem of listing.problems) {
          this.log.warn('extension skipped', { problem: JSON.stringify(problem) });
        }
      })
      .catch((error: unknown) => this.log.warn('cannot read the extension registry', { error: String(error) }))
      .finally(() => {
        this.reloading = undefined;
      });
    return this.reloading;
  }

  private watch(): void {
    for (const dir of [this.dirs.user, this.dirs.machine]) {
      try {
        const watcher = watch(dir, { persistent: false }, () => void this.reload());
        watcher.on('error', () => watcher.close());
        this.watchers.push(watcher);
      } catch {
        // A registry folder that does not exist yet has nothing to watch; it is read at start.
      }
    }
  }
}
