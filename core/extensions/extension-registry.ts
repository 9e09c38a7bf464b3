import { normalizeAppId, parseExtensionManifest } from '../../common/extension-manifest';
import type { ExtensionManifest } from '../../common/extension-manifest';
import type { ExtensionRecord, ExtensionScope, ExtensionStore, PolicyFile } from '../ports/extension-store';
import { MACHINE_POLICY_FILE, parseMachinePolicy } from './machine-policy';

/**
 * One registered package, as {@link ExtensionRegistry.list} shows it.
 * @public
 */
export type RegisteredExtension = {
  /** The application GUID, canonical form. */
  readonly id: string;
  readonly manifest: ExtensionManifest;
  readonly scope: ExtensionScope;
  /** Where the package lives (a directory for the directory store). */
  readonly location: string;
  /** A user package hidden by a machine-wide package of the same id (machine wins). */
  readonly shadowed: boolean;
  /** A user package the machine policy forbids (`allowUserInstalls: false`). */
  readonly forbidden: boolean;
  /** The package that runs for this id: neither shadowed nor forbidden. */
  readonly effective: boolean;
};

/**
 * A package folder the registry ignores, and why (bad manifest, wrong folder name,
 * duplicate), or a policy file it could not read.
 * @public
 */
export type ExtensionProblem = {
  readonly scope: ExtensionScope;
  readonly location: string;
  readonly message: string;
};

/**
 * Everything registered, with the rules applied.
 * @public
 */
export type ExtensionListing = {
  /** Every valid package of both scopes, sorted by name, then id, machine first. */
  readonly extensions: readonly RegisteredExtension[];
  readonly problems: readonly ExtensionProblem[];
  /** False when the machine policy turns per-user packages off (or cannot be read). */
  readonly userInstallsAllowed: boolean;
};

const SCOPE_ORDER: Record<ExtensionScope, number> = { machine: 0, user: 1 };

type Valid = { readonly id: string; readonly manifest: ExtensionManifest; readonly record: ExtensionRecord };

/** Validates each record of one scope and keeps one package per id. */
function validateScope(records: readonly ExtensionRecord[], problems: ExtensionProblem[]): Map<string, Valid> {
  const byId = new Map<string, Valid>();
  // The canonical folder name first, then by name, so that which duplicate wins is stable.
  const ordered = [...records].sort((a, b) => {
    const canonical = Number(normalizeAppId(b.folder) === b.folder) - Number(normalizeAppId(a.folder) === a.folder);
    return canonical !== 0 ? canonical : a.folder < b.folder ? -1 : a.folder > b.folder ? 1 : 0;
  });
  for (const record of ordered) {
    const problem = (message: string): void => {
      problems.push({ scope: record.scope, location: record.location, message });
    };
    if ('error' in record.manifest) {
      problem(record.manifest.error);
      continue;
    }
    const parsed = parseExtensionManifest(record.manifest.text);
    if (!parsed.ok) {
      problem(parsed.errors.join('; '));
      continue;
    }
    const { manifest } = parsed;
    // The folder name is the key a lookup goes by (Lync: the registry subkey is the GUID), so
    // a folder that says one id and a manifest that says another is refused, not guessed at.
    if (normalizeAppId(record.folder) !== manifest.id) {
      problem(`folder name ${record.folder} does not match the id ${manifest.id} in extension.json`);
      continue;
    }
    const kept = byId.get(manifest.id);
    if (kept !== undefined) {
      problem(`duplicate of ${manifest.id} at ${kept.record.location}; ignored`);
      continue;
    }
    byId.set(manifest.id, { id: manifest.id, manifest, record });
  }
  return byId;
}

/**
 * Applies the registry's rules to what a store holds: one package per id and scope, the
 * machine-wide package wins over a per-user one of the same id, and the machine policy may
 * forbid per-user packages altogether.
 * @param records - Every record of both scopes.
 * @param policyFile - The machine policy file, undefined when there is none.
 * @public
 */
export function resolveExtensions(
  records: readonly ExtensionRecord[],
  policyFile: PolicyFile | undefined,
): ExtensionListing {
  const problems: ExtensionProblem[] = [];
  const { policy, problem: policyProblem } = parseMachinePolicy(policyFile === undefined ? undefined : 'text' in policyFile ? policyFile.text : { error: policyFile.error });
  if (policyProblem !== undefined) {
    problems.push({ scope: 'machine', location: policyFile?.location ?? MACHINE_POLICY_FILE, message: policyProblem });
  }
  const machine = validateScope(
    records.filter((r) => r.scope === 'machine'),
    problems,
  );
  const user = validateScope(
    records.filter((r) => r.scope === 'user'),
    problems,
  );
  const extensions: RegisteredExtension[] = [];
  for (const { id, manifest, record } of machine.values()) {
    extensions.push({ id, manifest, scope: 'machine', location: record.location, shadowed: false, forbidden: false, effective: true });
  }
  for (const { id, manifest, record } of user.values()) {
    const shadowed = machine.has(id);
    const forbidden = !policy.allowUserInstalls;
    extensions.push({ id, manifest, scope: 'user', location: record.location, shadowed, forbidden, effective: !shadowed && !forbidden });
  }
  extensions.sort((a, b) => {
    const byName = a.manifest.name.toLowerCase().localeCompare(b.manifest.name.toLowerCase(), 'en');
    if (byName !== 0) {
      return byName;
    }
    return a.id < b.id ? -1 : a.id > b.id ? 1 : SCOPE_ORDER[a.scope] - SCOPE_ORDER[b.scope];
  });
  return { extensions, problems, userInstallsAllowed: policy.allowUserInstalls };
}

/**
 * The package that runs for `appId` (any GUID form), or undefined when none does.
 * @public
 */
export function findEffective(listing: ExtensionListing, appId: string): RegisteredExtension | undefined {
  const id = normalizeAppId(appId);
  return id === undefined ? undefined : listing.extensions.find((e) => e.id === id && e.effective);
}

/**
 * Why a registry operation was refused.
 * - `bad-id`: not an application GUID;
 * - `not-installed`: no per-user package (and no machine-wide one) has that id;
 * - `machine-provisioned`: only the administrator can remove a machine-wide package;
 * - `user-installs-forbidden`: the machine policy turns per-user installs off;
 * - `shadowed-by-machine`: a machine-wide package of the same id exists, so a per-user copy
 *   would never run.
 * @public
 */
export type ExtensionRegistryErrorCode = 'bad-id' | 'not-installed' | 'machine-provisioned' | 'user-installs-forbidden' | 'shadowed-by-machine';

/** A refusal by the {@link ExtensionRegistry}, with a one-line message fit for the agent. @public */
export class ExtensionRegistryError extends Error {
  override readonly name = 'ExtensionRegistryError';
  constructor(
    readonly code: ExtensionRegistryErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** What {@link ExtensionRegistry.install} did. @public */
export type InstallResult = {
  readonly manifest: ExtensionManifest;
  readonly location: string;
  /** The version of the per-user package it replaced, if any. */
  readonly replacedVersion?: string;
};

/** What {@link ExtensionRegistry.remove} did. @public */
export type RemoveResult = {
  readonly id: string;
  /** The removed package's manifest; undefined when its manifest was unreadable. */
  readonly manifest?: ExtensionManifest;
  /** A machine-wide package of the same id stays and now runs. */
  readonly machineCopyRemains: boolean;
};

/**
 * The registry of extension packages: which application GUIDs may open a pane, and with
 * which package.
 * @remarks Only locally registered applications may be launched or fed data (protocol-notes
 * §3, "Security rules"); {@link ExtensionRegistry.lookup} is that check for the channel code.
 * Every call reads the store afresh, so packages installed by another process (the CLI while
 * the desktop runs) are seen without a restart.
 * @public
 */
export class ExtensionRegistry {
  constructor(private readonly store: ExtensionStore) {}

  /** Every package of both scopes, with shadowed and forbidden ones marked, and problems. */
  async list(): Promise<ExtensionListing> {
    const [machine, user, policy] = await Promise.all([this.store.list('machine'), this.store.list('user'), this.store.readMachinePolicy()]);
    return resolveExtensions([...machine, ...user], policy);
  }

  /** The package that runs for `appId` (any GUID form), or undefined. */
  async lookup(appId: string): Promise<RegisteredExtension | undefined> {
    return normalizeAppId(appId) === undefined ? undefined : findEffective(await this.list(), appId);
  }

  /**
   * Installs the package at `source` in the user scope, replacing an older copy.
   * @throws {@link ExtensionRegistryError} `user-installs-forbidden` or `shadowed-by-machine`;
   * the store's `ExtensionStoreError` for a bad package or a busy registry.
   */
  async install(source: string): Promise<InstallResult> {
    const before = await this.list();
    if (!before.userInstallsAllowed) {
      throw new ExtensionRegistryError(
        'user-installs-forbidden',
        `per-user extension installs are disabled by the administrator (${MACHINE_POLICY_FILE} in ${this.store.locations().machine})`,
      );
    }
    const staged = await this.store.stage(source);
    try {
      const { id, name } = staged.manifest;
      const machine = before.extensions.find((e) => e.id === id && e.scope === 'machine');
      if (machine !== undefined) {
        throw new ExtensionRegistryError(
          'shadowed-by-machine',
          `${id} (${name}) is provisioned machine-wide (version ${machine.manifest.version} in ${machine.location}); a per-user copy would never be used`,
        );
      }
      const previous = before.extensions.find((e) => e.id === id && e.scope === 'user');
      const { location } = await staged.commit();
      return { manifest: staged.manifest, location, ...(previous === undefined ? {} : { replacedVersion: previous.manifest.version }) };
    } catch (error) {
      await staged.discard();
      throw error;
    }
  }

  /**
   * Removes the per-user package of `appId` (any GUID form).
   * @throws {@link ExtensionRegistryError} `bad-id`, `machine-provisioned` (only a
   * machine-wide package has that id) or `not-installed`.
   */
  async remove(appId: string): Promise<RemoveResult> {
    const id = normalizeAppId(appId);
    if (id === undefined) {
      throw new ExtensionRegistryError('bad-id', `not an application GUID: ${JSON.stringify(appId)}`);
    }
    const before = await this.list();
    const user = before.extensions.find((e) => e.id === id && e.scope === 'user');
    const machine = before.extensions.find((e) => e.id === id && e.scope === 'machine');
    // Removal goes by id, not by the listing: a per-user folder with a broken manifest is not
    // listed as a package, yet the agent must be able to get rid of it.
    if (await this.store.remove(id)) {
      return { id, machineCopyRemains: machine !== undefined, ...(user === undefined ? {} : { manifest: user.manifest }) };
    }
    if (machine !== undefined) {
      throw new ExtensionRegistryError(
        'machine-provisioned',
        `${id} (${machine.manifest.name}) is provisioned machine-wide in ${machine.location}; only an administrator can remove it`,
      );
    }
    throw new ExtensionRegistryError('not-installed', `no extension with id ${id} is installed in ${this.store.locations().user}`);
  }
}
