import { randomUUID } from 'node:crypto';
import { lstat, mkdir, mkdtemp, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { EXTENSION_MANIFEST_FILE, classifyEntry, normalizeAppId, parseExtensionManifest } from '../../common/extension-manifest';
import type { ExtensionManifest } from '../../common/extension-manifest';
import { MACHINE_POLICY_FILE } from '../../core/extensions/machine-policy';
import type { ExtensionRecord, ExtensionScope, ExtensionStore, PolicyFile, StagedExtension } from '../../core/ports/extension-store';
import { ExtensionStoreError } from '../../core/ports/extension-store';
import { acquireDirectoryLock, isProcessAlive, LockTimeoutError } from './directory-lock';
import type { DirectoryLockOptions } from './directory-lock';
import { DEFAULT_PACKAGE_LIMITS, formatBytes, UnsafePackageError, type ExtensionPackageLimits } from './extension-package-limits';

/** Environment variable naming the machine-wide extensions directory. @public */
export const MACHINE_EXTENSIONS_ENV = 'SWITCHBOARD_MACHINE_EXTENSIONS';

/** The machine-wide extensions directory when {@link MACHINE_EXTENSIONS_ENV} is not set. @public */
export const DEFAULT_MACHINE_EXTENSIONS_DIR = '/etc/switchboard/extensions';

/**
 * The per-user registry directory: `$XDG_CONFIG_HOME/switchboard/extensions`, by default
 * `~/.config/switchboard/extensions`.
 * @public
 */
export function defaultUserExtensionsDir(env: NodeJS.ProcessEnv): string {
  const xdg = env['XDG_CONFIG_HOME'];
  // The XDG spec says to ignore a relative value.
  const config = xdg !== undefined && xdg !== '' && isAbsolute(xdg) ? xdg : join(env['HOME'] || homedir(), '.config');
  return join(config, 'switchboard', 'extensions');
}

/** The machine-wide directory: `$SWITCHBOARD_MACHINE_EXTENSIONS`, else `/etc/switchboard/extensions`. @public */
export function defaultMachineExtensionsDir(env: NodeJS.ProcessEnv): string {
  return env[MACHINE_EXTENSIONS_ENV] || DEFAULT_MACHINE_EXTENSIONS_DIR;
}

/** Options of {@link ExtensionDirectoryStore}. @public */
export type ExtensionDirectoryStoreOptions = {
  /** The per-user registry (read-write); created on first install. */
  readonly userDir: string;
  /** The machine-wide directory (only ever read). */
  readonly machineDir: string;
  /** Overrides of {@link DEFAULT_PACKAGE_LIMITS}. */
  readonly limits?: Partial<ExtensionPackageLimits>;
  /** Timing of the registry lock. */
  readonly lock?: DirectoryLockOptions;
};

// Names the store itself creates in the user directory. All start with a dot, so listings
// never mistake them for packages.
const LOCK_NAME = '.lock';
const STAGING_PREFIX = '.staging-';
const OLD_PREFIX = '.old-';
const TRASH_PREFIX = '.trash-';
const OLD_RE = /^\.old-(\{[0-9A-F-]{36}\})\.[0-9a-f-]+$/;
const STAGING_RE = /^\.staging-(\d+)-/;
// A staging folder this old belongs to no running install, whatever its PID says.
const STAGING_MAX_AGE_MS = 24 * 60 * 60 * 1000;
// Zip tools add these beside the real top-level folder; they do not make it "not single".
const ARCHIVE_LITTER = new Set(['__MACOSX', '.DS_Store']);

const errno = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

class FileTooLargeError extends Error {}

/** Reads a small regular file, refusing anything larger than `max` bytes. */
async function readSmallFile(path: string, max: number): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      throw new Error('not a regular file');
    }
    if (info.size > max) {
      throw new FileTooLargeError(`larger than ${formatBytes(max)}`);
    }
    return (await handle.readFile()).toString('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * The {@link ExtensionStore} on two directories: each package is a folder named by its
 * normalised application GUID, holding `extension.json` and the pane's files.
 *
 * @remarks Layout of the per-user directory (the analogue of Lync's
 * `HKCU\...\Lync\Addins\{GUID}` subkeys, protocol-notes §3):
 * ```
 * {8B1D6E2A-...}/extension.json, index.html, ...   one folder per package
 * .staging-<pid>-<random>/                          an install being unpacked and checked
 * .old-{GUID}.<uuid>/                               a replaced package, deleted after the swap
 * .trash-<uuid>/                                    a removed package, being deleted
 * .lock/owner.json                                  the registry lock while a swap runs
 * ```
 * An install unpacks into its own staging folder inside the registry (so the final rename
 * never crosses file systems), checks everything, then under the lock renames the current
 * package aside, renames the new one in, and deletes the old one after unlocking. Readers
 * never see a half-written package. A crash between the two renames leaves the old package
 * under `.old-`; the next writer (or the next listing that notices) renames it back, so
 * after a crash the registry holds the old version or the new one, never neither.
 * @public
 */
export class ExtensionDirectoryStore implements ExtensionStore {
  private readonly userDir: string;
  private readonly machineDir: string;
  private readonly limits: ExtensionPackageLimits;
  private readonly lockOptions: DirectoryLockOptions;

  constructor(options: ExtensionDirectoryStoreOptions) {
    this.userDir = resolve(options.userDir);
    this.machineDir = resolve(options.machineDir);
    this.limits = { ...DEFAULT_PACKAGE_LIMITS, ...options.limits };
    this.lockOptions = options.lock ?? {};
  }

  locations(): { readonly user: string; readonly machine: string } {
    return { user: this.userDir, machine: this.machineDir };
  }

  async list(scope: ExtensionScope): Promise<readonly ExtensionRecord[]> {
    const dir = scope === 'user' ? this.userDir : this.machineDir;
    let names = await this.namesIn(dir);
    if (scope === 'user' && this.hasOrphan(names)) {
      try {
        await this.withLock(() => this.recover());
        names = await this.namesIn(dir);
      } catch {
        // A registry this process may not write (or a busy one) is listed as it is; the next
        // writer finishes the recovery.
      }
    }
    const records = await Promise.all(names.filter((name) => !name.startsWith('.')).map((folder) => this.record(scope, dir, folder)));
    return records.filter((record): record is ExtensionRecord => record !== undefined);
  }

  async readMachinePolicy(): Promise<PolicyFile | undefined> {
    const location = join(this.machineDir, MACHINE_POLICY_FILE);
    try {
      return { location, text: await readSmallFile(location, this.limits.maxManifestBytes) };
    } catch (error) {
      if (errno(error) === 'ENOENT' || errno(error) === 'ENOTDIR') {
        return undefined;
      }
      return { location, error: `cannot be read (${errno(error) ?? (error instanceof Error ? error.message : String(error))})` };
    }
  }

  async stage(source: string): Promise<StagedExtension> {
    const from = resolve(source);
    try {
      await stat(from);
    } catch (error) {
      if (errno(error) === 'ENOENT' || errno(error) === 'ENOTDIR') {
        throw new ExtensionStoreError('source-not-found', `no such file or folder: ${source}`);
      }
      throw error;
    }
    const invalid = (message: string): ExtensionStoreError => new ExtensionStoreError('invalid-package', `invalid package ${source}: ${message}`);
    await mkdir(this.userDir, { recursive: true });
    // mkdtemp makes each install's folder unique, across processes and within one.
    const staging = await mkdtemp(join(this.userDir, `${STAGING_PREFIX}${process.pid}-`));
    try {
      const unpacked = join(staging, 'package');
      await mkdir(unpacked, { mode: 0o755 });
      try {
        // Loaded on demand: only installs need the tar and zip readers.
        const { unpackPackage } = await import('./extension-package-reader');
        await unpackPackage(from, unpacked, this.limits);
      } catch (error) {
        throw error instanceof UnsafePackageError ? invalid(error.message) : error;
      }
      const root = await findPackageRoot(unpacked);
      if (root === undefined) {
        throw invalid(`no ${EXTENSION_MANIFEST_FILE} at the top of the package or in its single top-level folder`);
      }
      const manifest = await this.readStagedManifest(root, invalid);
      return this.staged(manifest, staging, root);
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      throw error;
    }
  }

  async remove(appId: string): Promise<boolean> {
    const id = normalizeAppId(appId);
    if (id === undefined || (await this.namesIn(this.userDir)).length === 0) {
      return false;
    }
    const trash: string[] = [];
    await this.withLock(async () => {
      await this.recover();
      // Every folder naming this id, hand-made ones (lower case, no braces) included.
      for (const name of await this.namesIn(this.userDir)) {
        if (!name.startsWith('.') && normalizeAppId(name) === id) {
          const aside = join(this.userDir, `${TRASH_PREFIX}${randomUUID()}`);
          await rename(join(this.userDir, name), aside);
          trash.push(aside);
        }
      }
    });
    await Promise.all(trash.map((path) => rm(path, { recursive: true, force: true })));
    return trash.length > 0;
  }

  private staged(manifest: ExtensionManifest, staging: string, root: string): StagedExtension {
    let settled = false;
    return {
      manifest,
      commit: async () => {
        if (settled) {
          throw new Error('staged package already committed or discarded');
        }
        settled = true;
        try {
          return await this.swapIn(manifest.id, root);
        } finally {
          await rm(staging, { recursive: true, force: true });
        }
      },
      discard: async () => {
        settled = true;
        await rm(staging, { recursive: true, force: true });
      },
    };
  }

  /** Renames the current package aside and the staged one in, under the lock. */
  private async swapIn(id: string, root: string): Promise<{ readonly location: string }> {
    const target = join(this.userDir, id);
    const leftovers: string[] = [];
    await this.withLock(async () => {
      await this.recover();
      const names = await this.namesIn(this.userDir);
      let old: string | undefined;
      if (names.includes(id)) {
        old = join(this.userDir, `${OLD_PREFIX}${id}.${randomUUID()}`);
        await rename(target, old);
      }
      try {
        await rename(root, target);
      } catch (error) {
        if (old !== undefined) {
          await rename(old, target);
        }
        throw error;
      }
      if (old !== undefined) {
        leftovers.push(old);
      }
      // A hand-made folder for the same id would otherwise stay as a duplicate.
      for (const name of names) {
        if (name !== id && !name.startsWith('.') && normalizeAppId(name) === id) {
          const aside = join(this.userDir, `${TRASH_PREFIX}${randomUUID()}`);
          await rename(join(this.userDir, name), aside);
          leftovers.push(aside);
        }
      }
    });
    // Deleting can take a while for a big package, and needs no lock: the names are ours.
    await Promise.all(leftovers.map((path) => rm(path, { recursive: true, force: true })));
    return { location: target };
  }

  /**
   * Finishes what crashed writers left: puts back a package renamed aside whose successor
   * never arrived, and deletes replaced packages, trash and abandoned staging folders.
   * Runs under the lock, so no swap is in progress.
   */
  private async recover(): Promise<void> {
    const names = await this.namesIn(this.userDir);
    const present = new Set(names);
    for (const name of names) {
      const path = join(this.userDir, name);
      const old = OLD_RE.exec(name);
      if (old?.[1] !== undefined) {
        const id = old[1];
        if (present.has(id)) {
          await rm(path, { recursive: true, force: true });
        } else {
          await rename(path, join(this.userDir, id));
          present.add(id);
        }
      } else if (name.startsWith(TRASH_PREFIX)) {
        await rm(path, { recursive: true, force: true });
      } else if (await this.isAbandonedStaging(name, path)) {
        await rm(path, { recursive: true, force: true });
      }
    }
  }

  private async isAbandonedStaging(name: string, path: string): Promise<boolean> {
    const pid = Number(STAGING_RE.exec(name)?.[1] ?? Number.NaN);
    if (!Number.isInteger(pid)) {
      return false;
    }
    if (!isProcessAlive(pid)) {
      return true;
    }
    try {
      return Date.now() - (await stat(path)).mtimeMs > STAGING_MAX_AGE_MS;
    } catch {
      return false;
    }
  }

  /** A package renamed aside whose folder is missing: a swap that crashed half-way. */
  private hasOrphan(names: readonly string[]): boolean {
    return names.some((name) => {
      const id = OLD_RE.exec(name)?.[1];
      return id !== undefined && !names.includes(id);
    });
  }

  private async withLock<T>(action: () => Promise<T>): Promise<T> {
    let release: () => Promise<void>;
    try {
      release = await acquireDirectoryLock(this.userDir, LOCK_NAME, this.lockOptions);
    } catch (error) {
      if (error instanceof LockTimeoutError) {
        const holder = error.holderPid === undefined ? 'another process' : `process ${error.holderPid}`;
        throw new ExtensionStoreError('busy', `the extension registry ${this.userDir} is locked by ${holder}; try again`);
      }
      throw error;
    }
    try {
      return await action();
    } finally {
      await release();
    }
  }

  private async namesIn(dir: string): Promise<string[]> {
    try {
      return await readdir(dir);
    } catch (error) {
      if (errno(error) === 'ENOENT' || errno(error) === 'ENOTDIR') {
        return [];
      }
      throw error;
    }
  }

  /** The record of one folder; undefined for a plain file or a folder that just vanished. */
  private async record(scope: ExtensionScope, dir: string, folder: string): Promise<ExtensionRecord | undefined> {
    const location = join(dir, folder);
    try {
      // stat, not lstat: an administrator may link a machine-wide package in from elsewhere.
      if (!(await stat(location)).isDirectory()) {
        return undefined;
      }
    } catch {
      return undefined;
    }
    try {
      return { scope, folder, location, manifest: { text: await readSmallFile(join(location, EXTENSION_MANIFEST_FILE), this.limits.maxManifestBytes) } };
    } catch (error) {
      const reason =
        errno(error) === 'ENOENT' ? 'missing' : error instanceof FileTooLargeError ? error.message : `cannot be read (${errno(error) ?? String(error)})`;
      return { scope, folder, location, manifest: { error: `${EXTENSION_MANIFEST_FILE}: ${reason}` } };
    }
  }

  /** Reads and validates the staged manifest, and checks that a file entry exists. */
  private async readStagedManifest(root: string, invalid: (message: string) => ExtensionStoreError): Promise<ExtensionManifest> {
    let text: string;
    try {
      text = await readSmallFile(join(root, EXTENSION_MANIFEST_FILE), this.limits.maxManifestBytes);
    } catch (error) {
      throw invalid(`${EXTENSION_MANIFEST_FILE} ${error instanceof Error ? error.message : String(error)}`);
    }
    const parsed = parseExtensionManifest(text);
    if (!parsed.ok) {
      throw invalid(parsed.errors.join('; '));
    }
    const entry = classifyEntry(parsed.manifest);
    if (entry.kind === 'file') {
      let isFile = false;
      try {
        isFile = (await lstat(join(root, entry.path))).isFile();
      } catch {
        throw invalid(`entry: ${entry.path} is not in the package`);
      }
      if (!isFile) {
        throw invalid(`entry: ${entry.path} is not a file`);
      }
    }
    return parsed.manifest;
  }
}

/** The folder holding `extension.json`: the package top, or its single top-level folder. */
async function findPackageRoot(unpacked: string): Promise<string | undefined> {
  const names = (await readdir(unpacked)).filter((name) => !ARCHIVE_LITTER.has(name));
  if (names.includes(EXTENSION_MANIFEST_FILE)) {
    return unpacked;
  }
  const only = names.length === 1 ? names[0] : undefined;
  if (only === undefined) {
    return undefined;
  }
  const candidate = join(unpacked, only);
  try {
    if ((await lstat(candidate)).isDirectory() && (await readdir(candidate)).includes(EXTENSION_MANIFEST_FILE)) {
      return candidate;
    }
  } catch {
    return undefined;
  }
  return undefined;
}
