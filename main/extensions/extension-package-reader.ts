import { constants, createReadStream } from 'node:fs';
import { copyFile, lstat, mkdir, open, readdir, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Parser } from 'tar';
import type { ReadEntry } from 'tar';
import { getFileNameLowLevel, openPromise } from 'yauzl';
import type { Entry as ZipEntry, ZipFile } from 'yauzl';
import { DEFAULT_PACKAGE_LIMITS, formatBytes, UnsafePackageError, type ExtensionPackageLimits } from './extension-package-limits';

export { DEFAULT_PACKAGE_LIMITS, formatBytes, UnsafePackageError, type ExtensionPackageLimits };

export type ArchiveKind = 'tar' | 'zip';

/**
 * Tells a tar (plain or gzip-compressed) from a zip by content, not by file name.
 * @returns undefined for anything else.
 * @public
 */
export async function sniffArchive(file: string): Promise<ArchiveKind | undefined> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(512);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    if (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
      return 'tar';
    }
    // Local file header, or the end-of-central-directory record of an empty zip.
    if (bytesRead >= 4 && head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6))) {
      return 'zip';
    }
    if (bytesRead >= 262 && head.toString('latin1', 257, 262) === 'ustar') {
      return 'tar';
    }
    return undefined;
  } finally {
    await handle.close();
  }
}

/**
 * Checks one member path of a package and returns it normalised (no `.` or empty segments),
 * or undefined for the package root itself (`./`).
 * @throws {@link UnsafePackageError} for an absolute path, a `..` segment, a backslash,
 * a control character or a path beyond the limits.
 * @public
 */
export function checkMemberPath(raw: string, limits: ExtensionPackageLimits = DEFAULT_PACKAGE_LIMITS): string | undefined {
  const shown = JSON.stringify(raw);
  if (/[\u0000-\u001f\u007f]/.test(raw)) {
    throw new UnsafePackageError(`member ${shown} has a control character in its name`);
  }
  if (raw.startsWith('/') || /^[A-Za-z]:/.test(raw)) {
    throw new UnsafePackageError(`member ${shown} is an absolute path`);
  }
  // Legal in a POSIX name, but a separator on Windows: the same package must unpack to the
  // same files everywhere.
  if (raw.includes('\\')) {
    throw new UnsafePackageError(`member ${shown} has a backslash in its name`);
  }
  const segments = raw.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) {
    throw new UnsafePackageError(`member ${shown} escapes the package (..)`);
  }
  if (segments.length === 0) {
    return undefined;
  }
  const path = segments.join('/');
  if (path.length > limits.maxPathChars || segments.length > limits.maxDepth || segments.some((s) => Buffer.byteLength(s) > 255)) {
    throw new UnsafePackageError(`member ${shown} has a path that is too long or too deep`);
  }
  return path;
}

type Member = { readonly path: string; readonly kind: 'dir' } | { readonly path: string; readonly kind: 'file'; readonly data: Buffer };

/** Counts files and bytes against the limits as a package is read. */
class Budget {
  private files = 0;
  private bytes = 0;
  constructor(private readonly limits: ExtensionPackageLimits) {}

  addMember(): void {
    this.files += 1;
    if (this.files > this.limits.maxFiles) {
      throw new UnsafePackageError(`the package has more than ${this.limits.maxFiles} files and folders`);
    }
  }

  /** Refuses a member whose declared size would not fit, before reading its data. */
  ensureRoom(count: number): void {
    if (this.bytes + count > this.limits.maxTotalBytes) {
      throw new UnsafePackageError(`the package is larger than ${formatBytes(this.limits.maxTotalBytes)} unpacked`);
    }
  }

  addBytes(count: number): void {
    this.ensureRoom(count);
    this.bytes += count;
  }
}


const errno = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

/** Writes the members under `root`, refusing duplicates and file/folder clashes. */
async function writeMembers(root: string, members: readonly Member[]): Promise<void> {
  for (const member of members) {
    const target = resolve(root, member.path);
    // Belt and braces: checkMemberPath already made escaping impossible.
    if (!target.startsWith(root + sep)) {
      throw new UnsafePackageError(`member ${JSON.stringify(member.path)} escapes the package`);
    }
    try {
      if (member.kind === 'dir') {
        await mkdir(target, { recursive: true, mode: 0o755 });
      } else {
        await mkdir(dirname(target), { recursive: true, mode: 0o755 });
        // Modes from the archive are dropped: pane files need no execute, setuid or
        // world-write bits.
        await writeFile(target, member.data, { flag: 'wx', mode: 0o644 });
      }
    } catch (error) {
      if (['EEXIST', 'ENOTDIR', 'EISDIR'].includes(errno(error) ?? '')) {
        throw new UnsafePackageError(`member ${JSON.stringify(member.path)} appears twice or clashes with another member`);
      }
      throw error;
    }
  }
}

const TAR_KIND: Record<string, string> = {
  SymbolicLink: 'a symbolic link',
  Link: 'a hard link',
  CharacterDevice: 'a character device',
  BlockDevice: 'a block device',
  FIFO: 'a FIFO',
};

// HTML, scripts and images compress 3 to 10-fold; a thousandfold is zeros, i.e. a bomb. The
// size cap usually stops one first; this stops it even under a raised cap.
const TAR_MAX_RATIO = 1000;

/** Reads every member of a tar or tar.gz, checking each as it arrives. */
function readTar(file: string, limits: ExtensionPackageLimits): Promise<Member[]> {
  const budget = new Budget(limits);
  const members: Member[] = [];
  return new Promise<Member[]>((resolvePromise, reject) => {
    const input = createReadStream(file);
    let failed = false;
    const fail = (error: unknown): void => {
      if (!failed) {
        failed = true;
        input.destroy();
        reject(
          error instanceof UnsafePackageError
            ? error
            : /decompression ratio/.test(messageOf(error))
              ? new UnsafePackageError(`the archive expands more than ${TAR_MAX_RATIO}-fold; refused as a likely compression bomb`)
              : new UnsafePackageError(`not a valid tar archive (${messageOf(error)})`),
        );
      }
    };
    // strict: a damaged header is an error, not a warning that silently skips a member.
    const parser = new Parser({ strict: true, maxDecompressionRatio: TAR_MAX_RATIO });
    parser.on('entry', (entry: ReadEntry) => {
      if (failed) {
        entry.resume();
        return;
      }
      try {
        const path = checkMemberPath(entry.path, limits);
        const kind = entry.type === 'Directory' ? 'dir' : ['File', 'OldFile', 'ContiguousFile'].includes(entry.type) ? 'file' : undefined;
        if (kind === undefined) {
          const what = TAR_KIND[entry.type] ?? `a ${entry.type} entry`;
          throw new UnsafePackageError(`member ${JSON.stringify(entry.path)} is ${what}; packages may hold only files and folders`);
        }
        budget.addMember();
        if (kind === 'dir' || path === undefined) {
          entry.resume();
          if (path !== undefined) {
            members.push({ path, kind: 'dir' });
          }
          return;
        }
        budget.ensureRoom(entry.size);
        const chunks: Buffer[] = [];
        entry.on('data', (chunk: Buffer) => {
          try {
            budget.addBytes(chunk.length);
            chunks.push(chunk);
          } catch (error) {
            fail(error);
          }
        });
        entry.on('end', () => members.push({ path, kind: 'file', data: Buffer.concat(chunks) }));
      } catch (error) {
        entry.resume();
        fail(error);
      }
    });
    parser.on('error', fail);
    parser.on('end', () => {
      if (!failed) {
        resolvePromise(members);
      }
    });
    input.on('error', fail);
    input.pipe(parser);
  });
}

// Unix file types in the high 16 bits of a zip entry's external attributes.
const S_IFMT = 0o170000;
const ZIP_KIND: Record<number, string> = {
  0o120000: 'a symbolic link',
  0o020000: 'a character device',
  0o060000: 'a block device',
  0o010000: 'a FIFO',
  0o140000: 'a socket',
};

/** Reads every member of a zip, checking each before its data is read. */
async function readZip(file: string, limits: ExtensionPackageLimits): Promise<Member[]> {
  const budget = new Budget(limits);
  const members: Member[] = [];
  let zip: ZipFile;
  try {
    zip = await openPromise(file, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true });
  } catch (error) {
    throw new UnsafePackageError(`not a valid zip archive (${messageOf(error)})`);
  }
  try {
    if (zip.entryCount > limits.maxFiles) {
      throw new UnsafePackageError(`the package has more than ${limits.maxFiles} files and folders`);
    }
    for await (const entry of zip.eachEntry()) {
      const member = await readZipEntry(zip, entry, budget, limits);
      if (member !== undefined) {
        members.push(member);
      }
    }
    return members;
  } catch (error) {
    throw error instanceof UnsafePackageError ? error : new UnsafePackageError(`not a valid zip archive (${messageOf(error)})`);
  } finally {
    zip.close();
  }
}

async function readZipEntry(
  zip: ZipFile,
  entry: ZipEntry,
  budget: Budget,
  limits: ExtensionPackageLimits,
): Promise<Member | undefined> {
  // Names are decoded here rather than by yauzl so that an unsafe one gets our message;
  // non-strict decoding turns the backslashes old Windows zippers wrote into slashes.
  const name = getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
  const path = checkMemberPath(name, limits);
  const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
  const unixKind = ZIP_KIND[mode];
  if (unixKind !== undefined) {
    throw new UnsafePackageError(`member ${JSON.stringify(name)} is ${unixKind}; packages may hold only files and folders`);
  }
  budget.addMember();
  const isDir = name.endsWith('/') || mode === 0o040000 || (entry.externalFileAttributes & 0x10) !== 0;
  if (isDir) {
    return path === undefined ? undefined : { path, kind: 'dir' };
  }
  if (path === undefined) {
    throw new UnsafePackageError(`member ${JSON.stringify(name)} has no file name`);
  }
  if (entry.isEncrypted()) {
    throw new UnsafePackageError(`member ${JSON.stringify(name)} is encrypted`);
  }
  // The declared size is checked first so that a bomb is refused before inflating it;
  // yauzl then checks that the data really is that size.
  budget.ensureRoom(entry.uncompressedSize);
  const stream = await zip.openReadStreamPromise(entry);
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream) {
      const buffer = chunk as Buffer;
      budget.addBytes(buffer.length);
      chunks.push(buffer);
    }
  } finally {
    stream.destroy();
  }
  return { path, kind: 'file', data: Buffer.concat(chunks) };
}

/**
 * Copies a package folder, refusing symbolic links and special files and applying the
 * limits, exactly as an archive would be checked.
 */
async function copyFolder(source: string, target: string, limits: ExtensionPackageLimits): Promise<void> {
  const budget = new Budget(limits);
  const pending: string[] = [''];
  // Bounded: every iteration consumes a folder counted against maxFiles.
  while (pending.length > 0) {
    const rel = pending.pop() ?? '';
    const entries = await readdir(join(source, rel), { withFileTypes: true });
    for (const dirent of entries) {
      const memberRel = rel === '' ? dirent.name : `${rel}/${dirent.name}`;
      const path = checkMemberPath(memberRel, limits) ?? memberRel;
      const from = join(source, path);
      const info = await lstat(from);
      budget.addMember();
      if (info.isSymbolicLink()) {
        throw new UnsafePackageError(`member ${JSON.stringify(path)} is a symbolic link; packages may hold only files and folders`);
      }
      if (info.isDirectory()) {
        await mkdir(join(target, path), { mode: 0o755 });
        pending.push(path);
      } else if (info.isFile()) {
        budget.addBytes(info.size);
        await copyFile(from, join(target, path), constants.COPYFILE_EXCL);
      } else {
        throw new UnsafePackageError(`member ${JSON.stringify(path)} is a special file; packages may hold only files and folders`);
      }
    }
  }
}

/**
 * Unpacks the package at `source` (a folder, a tar, tar.gz/tgz or a zip) into the empty
 * folder `target`, checking every member first.
 * @remarks Archives are read completely into memory (at most `maxTotalBytes`) and checked
 * before anything is written, so a refused archive leaves nothing half-written behind.
 * @throws {@link UnsafePackageError} when the package is refused.
 * @public
 */
export async function unpackPackage(source: string, target: string, limits: ExtensionPackageLimits = DEFAULT_PACKAGE_LIMITS): Promise<void> {
  // The source itself may be a symbolic link: the agent named it. Links inside it may not.
  const info = await stat(source);
  if (info.isDirectory()) {
    const inside = relative(resolve(source), resolve(target));
    if (inside === '' || (inside.split(sep)[0] !== '..' && !isAbsolute(inside))) {
      throw new UnsafePackageError(`the registry is inside the package folder ${source}; install from somewhere else`);
    }
    await copyFolder(source, target, limits);
    return;
  }
  if (!info.isFile()) {
    throw new UnsafePackageError(`${source} is not a folder, a .tar.gz/.tgz or a .zip archive`);
  }
  // Compressed is never much bigger than unpacked; past twice the limit it is not a package
  // (and reading it would only waste time).
  if (info.size > 2 * limits.maxTotalBytes) {
    throw new UnsafePackageError(`the archive is larger than ${formatBytes(2 * limits.maxTotalBytes)}`);
  }
  const kind = await sniffArchive(source);
  if (kind === undefined) {
    throw new UnsafePackageError(`${source} is not a folder, a .tar.gz/.tgz or a .zip archive`);
  }
  const members = kind === 'tar' ? await readTar(source, limits) : await readZip(source, limits);
  await writeMembers(target, members);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
