import { existsSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
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
 * @remarks A registry folder that does not exist yet (a fresh profile, no provisioned
 * extensions) is watched through its parent until it appears, then watched itself; an install
 * made by this process also calls {@link RegistrySnapshot.refresh}, so the next channel
 * decision sees it without waiting for the file-system event.
 */
export class RegistrySnapshot {
  private listing: ExtensionListing = { extensions: [], problems: [], userInstallsAllowed: true };
  private readonly watchers: FSWatcher[] = [];
  private reloading: Promise<void> | undefined;
  private dirty = false;
  private closed = false;
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

  /** Reads the registry again now (after an install or removal made by this process). */
  refresh(): Promise<void> {
    return this.reload();
  }

  close(): void {
    this.closed = true;
    this.watchers.splice(0).forEach((w) => w.close());
  }

  /** Reads the listing, again after the current read when more changes came meanwhile. */
  private reload(): Promise<void> {
    this.dirty = true;
    this.reloading ??= this.drain();
    return this.reloading;
  }

  private async drain(): Promise<void> {
    try {
      while (this.dirty) {
        this.dirty = false;
        await this.readListing();
      }
    } finally {
      this.reloading = undefined;
    }
  }

  private async readListing(): Promise<void> {
    try {
      const listing = await this.registry.list();
      this.listing = listing;
      for (const problem of listing.problems) {
        this.log.warn('extension skipped', { problem: JSON.stringify(problem) });
      }
    } catch (error) {
      this.log.warn('cannot read the extension registry', { error: String(error) });
    }
  }

  private watch(): void {
    for (const dir of [this.dirs.user, this.dirs.machine]) {
      this.watchDir(dir);
    }
  }

  /** Watches `dir`, or its parent until `dir` appears (one level: the registry's own parent). */
  private watchDir(dir: string): void {
    if (this.closed) {
      return;
    }
    if (existsSync(dir)) {
      this.addWatcher(dir, () => void this.reload());
      return;
    }
    const parent = dirname(dir);
    const watcher = this.addWatcher(parent, (_event, name) => {
      if ((name === null || name === basename(dir)) && existsSync(dir)) {
        watcher?.close();
        this.watchDir(dir);
        void this.reload();
      }
    });
  }

  private addWatcher(path: string, onChange: (event: string, name: string | null) => void): FSWatcher | undefined {
    try {
      const watcher = watch(path, { persistent: false }, (event, name) => onChange(event, name === null ? null : String(name)));
      watcher.on('error', () => watcher.close());
      this.watchers.push(watcher);
      return watcher;
    } catch {
      // Nothing to watch here (no such folder, or no permission): the registry is read at start.
      return undefined;
    }
  }
}
