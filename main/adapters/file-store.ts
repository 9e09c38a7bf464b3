import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { KeyValueStore } from '../../core/ports/storage';

/**
 * A {@link KeyValueStore} keeping one file per key in `dir`.
 * @remarks Writes go to a temporary file that is renamed into place: rename is atomic on
 * POSIX file systems, so a crash leaves either the old or the new value, never half of one.
 */
export class FileStore implements KeyValueStore {
  constructor(private readonly dir: string) {}

  async get(key: string): Promise<string | undefined> {
    try {
      return await readFile(this.pathOf(key), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return undefined;
      }
      throw error;
    }
  }

  async set(key: string, value: string): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const temp = join(this.dir, `.${encodeURIComponent(key)}.${randomUUID()}.tmp`);
    await writeFile(temp, value, { mode: 0o600 });
    await rename(temp, this.pathOf(key));
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  private pathOf(key: string): string {
    return join(this.dir, encodeURIComponent(key));
  }
}
