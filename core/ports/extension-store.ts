import type { ExtensionManifest } from '../../common/extension-manifest';

/**
 * Where an extension package is registered.
 * @remarks Lync registers packages per user, under HKCU (protocol-notes §3, [MSDOC LYNC-KEYS,
 * LYNC-REG]); `machine` is the administrator-provisioned location the notes recommend as a
 * fallback (§5.13). Unlike that recommendation, the machine copy wins here: an administrator
 * who provisions an application means it to be the one that runs.
 * @public
 */
export type ExtensionScope = 'user' | 'machine';

/**
 * One package folder as a store found it, before the registry validates it.
 * @public
 */
export interface ExtensionRecord {
  readonly scope: ExtensionScope;
  /** The folder's name; it should be the application GUID (any form normalises to the id). */
  readonly folder: string;
  /** Where the folder is, for messages (a directory path for the directory store). */
  readonly location: string;
  /** The text of its `extension.json`, or why it could not be read. */
  readonly manifest: { readonly text: string } | { readonly error: string };
}

/**
 * The machine policy file as a store read it.
 * @public
 */
export type PolicyFile = { readonly location: string } & ({ readonly text: string } | { readonly error: string });

/**
 * A package unpacked and validated next to the user registry, not yet visible.
 * Exactly one of {@link StagedExtension.commit} and {@link StagedExtension.discard} must be
 * called.
 * @public
 */
export interface StagedExtension {
  /** The validated manifest (entry file checked to exist when it is a path). */
  readonly manifest: ExtensionManifest;
  /**
   * Makes the package the user scope's copy of `manifest.id`, replacing any previous one in
   * one step: readers see the old package or the new one, never a mix.
   * @returns Where the package now lives, for messages.
   */
  commit(): Promise<{ readonly location: string }>;
  /** Throws the staged files away. */
  discard(): Promise<void>;
}

/**
 * Storage of extension packages, in two scopes.
 * @remarks The port gives no way to write the machine scope: it is provisioned by an
 * administrator (or a package manager), and read-only to the app. Rules (which copy wins,
 * the policy) are the registry's, not the store's.
 * @public
 */
export interface ExtensionStore {
  /** Every package folder in `scope`, in no particular order; an absent scope is empty. */
  list(scope: ExtensionScope): Promise<readonly ExtensionRecord[]>;
  /**
   * The machine scope's policy file: where it is, and its text or why it could not be read;
   * undefined when there is none.
   */
  readMachinePolicy(): Promise<PolicyFile | undefined>;
  /**
   * Unpacks and validates the package at `source` (for the directory store: a folder, a
   * `.tar.gz`/`.tgz` or a `.zip`).
   * @throws {@link ExtensionStoreError} `invalid-package`, `source-not-found` or `busy`.
   */
  stage(source: string): Promise<StagedExtension>;
  /**
   * Removes the user scope's copy of `appId` (canonical form) in one step.
   * @returns false when the user scope has none.
   */
  remove(appId: string): Promise<boolean>;
  /** Where each scope lives, for messages. */
  locations(): { readonly user: string; readonly machine: string };
}

/**
 * Why a store operation failed.
 * - `invalid-package`: the package is refused (manifest, missing entry, unsafe or oversized
 *   archive); the message says why, naming the field or the archive member;
 * - `source-not-found`: there is nothing at the source given;
 * - `busy`: another process held the registry lock for too long.
 * @public
 */
export type ExtensionStoreErrorCode = 'invalid-package' | 'source-not-found' | 'busy';

/**
 * An error of an {@link ExtensionStore}, with a one-line message fit for the agent.
 * @public
 */
export class ExtensionStoreError extends Error {
  override readonly name = 'ExtensionStoreError';
  constructor(
    readonly code: ExtensionStoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}
