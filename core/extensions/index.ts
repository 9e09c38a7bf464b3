/**
 * Extension packages: the registry model over the {@link ExtensionStore} port (user and
 * machine scopes, machine wins, the administrator's policy) and an in-memory store.
 * @packageDocumentation
 */
export type {
  ExtensionListing,
  ExtensionProblem,
  ExtensionRegistryErrorCode,
  InstallResult,
  RegisteredExtension,
  RemoveResult,
} from './extension-registry';
export { ExtensionRegistry, ExtensionRegistryError, findEffective, resolveExtensions } from './extension-registry';
export type { MachinePolicy, MachinePolicyResult } from './machine-policy';
export { DEFAULT_MACHINE_POLICY, MACHINE_POLICY_FILE, machinePolicySchema, parseMachinePolicy } from './machine-policy';
export type { MemoryPackage } from './memory-extension-store';
export { MemoryExtensionStore } from './memory-extension-store';
export type { ExtensionRecord, ExtensionScope, ExtensionStore, ExtensionStoreErrorCode, PolicyFile, StagedExtension } from '../ports/extension-store';
export { ExtensionStoreError } from '../ports/extension-store';
