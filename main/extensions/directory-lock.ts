import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** Options of {@link acquireDirectoryLock}. @public */
export type DirectoryLockOptions = {
  /** Give up after waiting this long for another holder; default 15 s. */
  readonly timeoutMs?: number;
  /**
   * A lock older than this is broken even when its holder seems alive (a PID reused by
   * another program, or a holder on another host); default 60 s. Holders keep the lock for
   * a few renames, milliseconds.
   */
  readonly staleMs?: number;
};

/** Thrown when the lock stays held by a live process past the timeout. @public */
export class LockTimeoutError extends Error {
  override readonly name = 'LockTimeoutError';
  constructor(
    message: string,
    readonly holderPid: number | undefined,
  ) {
    super(message);
  }
}

type Owner = { readonly pid: number; readonly host: string; readonly token: string; readonly since: number };

const OWNER_FILE = 'owner.json';
// mkdir and writing owner.json are two steps: a lock without an owner younger than this is
// being taken right now, not abandoned.
const OWNERLESS_GRACE_MS = 5_000;
const MAX_ATTEMPTS = 5_000;

const errno = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;
const sleep = (ms: number): Promise<void> => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

/** True when a process with this PID exists on this host (EPERM: it exists, not ours). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errno(error) === 'EPERM';
  }
}

async function readOwner(lockDir: string): Promise<Owner | undefined> {
  try {
    const value = JSON.parse(await readFile(join(lockDir, OWNER_FILE), 'utf8')) as Partial<Owner>;
    if (typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.token === 'string' && typeof value.since === 'number') {
      return value as Owner;
    }
  } catch {
    // Missing or half-written: judged by the lock directory's age instead.
  }
  return undefined;
}

async function ageOf(path: string): Promise<number | undefined> {
  try {
    return Date.now() - (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

async function isStale(lockDir: string, owner: Owner | undefined, staleMs: number): Promise<boolean> {
  if (owner === undefined) {
    const age = await ageOf(lockDir);
    return age !== undefined && age > OWNERLESS_GRACE_MS;
  }
  if (owner.host === hostname() && !isProcessAlive(owner.pid)) {
    return true;
  }
  return Date.now() - owner.since > staleMs;
}

/**
 * Removes a stale lock, unless it changed hands since it was judged stale.
 * @remarks Two processes that both find the same stale lock must not both remove it: the
 * second would remove the fresh lock the first just took. A second lock directory
 * (`<lock>.break`) makes the check-and-remove exclusive.
 */
async function breakStaleLock(lockDir: string, seen: Owner | undefined, staleMs: number): Promise<void> {
  const breaker = `${lockDir}.break`;
  try {
    await mkdir(breaker);
  } catch (error) {
    if (errno(error) !== 'EEXIST') {
      throw error;
    }
    // A breaker is held for microseconds; an old one was left by a crash.
    const age = await ageOf(breaker);
    if (age !== undefined && age > OWNERLESS_GRACE_MS) {
      await rm(breaker, { recursive: true, force: true });
    }
    return;
  }
  try {
    const now = await readOwner(lockDir);
    if (now?.token === seen?.token && (await isStale(lockDir, now, staleMs))) {
      await rm(lockDir, { recursive: true, force: true });
    }
  } finally {
    await rm(breaker, { recursive: true, force: true });
  }
}

/**
 * Takes an exclusive lock on a directory by creating `<dir>/<name>` (mkdir is atomic and
 * fails when the directory exists, on every local file system and on NFS).
 * @remarks The holder writes its PID, host and a token into the lock; a lock whose holder is
 * dead (same host) or that is older than `staleMs` is broken. Waits with jitter, so two
 * processes that collide do not retry in lockstep.
 * @returns The release function; it removes the lock only if it is still this holder's.
 * @throws {@link LockTimeoutError} when a live holder keeps it past `timeoutMs`.
 * @public
 */
export async function acquireDirectoryLock(dir: string, name: string, options: DirectoryLockOptions = {}): Promise<() => Promise<void>> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const staleMs = options.staleMs ?? 60_000;
  const lockDir = join(dir, name);
  const token = randomUUID();
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    try {
      await mkdir(lockDir);
      const owner: Owner = { pid: process.pid, host: hostname(), token, since: Date.now() };
      await writeFile(join(lockDir, OWNER_FILE), JSON.stringify(owner));
      return async () => {
        if ((await readOwner(lockDir))?.token === token) {
          await rm(lockDir, { recursive: true, force: true });
        }
      };
    } catch (error) {
      if (errno(error) !== 'EEXIST') {
        throw error;
      }
    }
    const owner = await readOwner(lockDir);
    if (await isStale(lockDir, owner, staleMs)) {
      await breakStaleLock(lockDir, owner, staleMs);
      await sleep(1);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new LockTimeoutError(`${lockDir} is held by process ${owner?.pid ?? '(unknown)'}`, owner?.pid);
    }
    await sleep(5 + Math.floor(Math.random() * Math.min(50, 5 + attempt)));
  }
  throw new LockTimeoutError(`${lockDir} could not be taken after ${MAX_ATTEMPTS} attempts`, undefined);
}
