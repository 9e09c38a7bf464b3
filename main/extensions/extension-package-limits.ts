/**
 * Limits and errors of extension packages, apart from the archive reader so that listing the
 * registry (what a running agent does) never loads the tar and zip libraries.
 */
/**
 * Limits on what a package may unpack to.
 * @remarks They bound disk use and time for a package that is hostile or broken (a
 * compression bomb, a million tiny files); real panes are a few HTML, script and image files.
 * @public
 */
export type ExtensionPackageLimits = {
  /** Total bytes of all files once unpacked. */
  readonly maxTotalBytes: number;
  /** Files and folders, counted together. */
  readonly maxFiles: number;
  /** Size of `extension.json`. */
  readonly maxManifestBytes: number;
  /** Characters in a package-relative path. */
  readonly maxPathChars: number;
  /** Folders deep. */
  readonly maxDepth: number;
};

/** The default {@link ExtensionPackageLimits}: 20 MiB, 1000 files, a 64 KiB manifest. @public */
export const DEFAULT_PACKAGE_LIMITS: ExtensionPackageLimits = {
  maxTotalBytes: 20 * 1024 * 1024,
  maxFiles: 1000,
  maxManifestBytes: 64 * 1024,
  maxPathChars: 1024,
  maxDepth: 32,
};

/** A package refused for its content; the message names the member and the rule. @public */
export class UnsafePackageError extends Error {
  override readonly name = 'UnsafePackageError';
}

/** What a file source turned out to be, from its first bytes. @public */

/** `20 MiB`, `512 KiB` or `300 bytes`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) {
    return `${bytes / (1024 * 1024)} MiB`;
  }
  return bytes >= 1024 && bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}
