import { classifyEntry, normalizeAppId, parseExtensionManifest } from '../../common/extension-manifest';
import type { ExtensionRecord, ExtensionScope, ExtensionStore, PolicyFile, StagedExtension } from '../ports/extension-store';
import { ExtensionStoreError } from '../ports/extension-store';

/** A package as the memory store holds it: the manifest text and the names of its files. */
export type MemoryPackage = {
  readonly manifestText: string;
  /** Package-relative paths of the other files (`pane/index.html`). */
  readonly files?: readonly string[];
};

/**
 * An in-memory {@link ExtensionStore}, for unit tests and throwaway hosts.
 * @remarks Sources are names registered with {@link MemoryExtensionStore.addSource}. The
 * machine scope and its policy are set through {@link MemoryExtensionStore.provision} and
 * {@link MemoryExtensionStore.setMachinePolicy}, which stand for the administrator: the port
 * itself cannot write them.
 * @public
 */
export class MemoryExtensionStore implements ExtensionStore {
  private readonly scopes: Record<ExtensionScope, Map<string, MemoryPackage>> = { user: new Map(), machine: new Map() };
  private readonly sources = new Map<string, MemoryPackage>();
  private policy: string | undefined;

  /** Puts a package folder straight into a scope, as an administrator or a crash might. */
  provision(scope: ExtensionScope, folder: string, pkg: MemoryPackage): void {
    this.scopes[scope].set(folder, pkg);
  }

  /** Sets (or with undefined, deletes) the machine policy file's text. */
  setMachinePolicy(text: string | undefined): void {
    this.policy = text;
  }

  /** Makes `pkg` installable as `source`. */
  addSource(source: string, pkg: MemoryPackage): void {
    this.sources.set(source, pkg);
  }

  /** The folders of a scope, for assertions. */
  folders(scope: ExtensionScope): string[] {
    return [...this.scopes[scope].keys()].sort();
  }

  list(scope: ExtensionScope): Promise<readonly ExtensionRecord[]> {
    return Promise.resolve(
      [...this.scopes[scope]].map(([folder, pkg]) => ({
        scope,
        folder,
        location: `memory:${scope}/${folder}`,
        manifest: { text: pkg.manifestText },
      })),
    );
  }

  readMachinePolicy(): Promise<PolicyFile | undefined> {
    return Promise.resolve(this.policy === undefined ? undefined : { text: this.policy, location: 'memory:machine/policy.json' });
  }

  stage(source: string): Promise<StagedExtension> {
    const pkg = this.sources.get(source);
    if (pkg === undefined) {
      return Promise.reject(new ExtensionStoreError('source-not-found', `no package at ${source}`));
    }
    const parsed = parseExtensionManifest(pkg.manifestText);
    if (!parsed.ok) {
      return Promise.reject(new ExtensionStoreError('invalid-package', `invalid package ${source}: ${parsed.errors.join('; ')}`));
    }
    const { manifest } = parsed;
    const entry = classifyEntry(manifest);
    if (entry.kind === 'file' && !(pkg.files ?? []).includes(entry.path)) {
      return Promise.reject(new ExtensionStoreError('invalid-package', `invalid package ${source}: entry: ${entry.path} is not in the package`));
    }
    let settled = false;
    return Promise.resolve({
      manifest,
      commit: () => {
        if (settled) {
          return Promise.reject(new Error('staged package already committed or discarded'));
        }
        settled = true;
        const user = this.scopes.user;
        for (const folder of [...user.keys()]) {
          if (normalizeAppId(folder) === manifest.id) {
            user.delete(folder);
          }
        }
        user.set(manifest.id, pkg);
        return Promise.resolve({ location: `memory:user/${manifest.id}` });
      },
      discard: () => {
        settled = true;
        return Promise.resolve();
      },
    });
  }

  remove(appId: string): Promise<boolean> {
    let removed = false;
    for (const folder of [...this.scopes.user.keys()]) {
      if (normalizeAppId(folder) === appId) {
        removed = this.scopes.user.delete(folder) || removed;
      }
    }
    return Promise.resolve(removed);
  }

  locations(): { readonly user: string; readonly machine: string } {
    return { user: 'memory:user', machine: 'memory:machine' };
  }
}
