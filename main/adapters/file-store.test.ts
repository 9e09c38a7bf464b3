import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileStore } from './file-store';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('FileStore', () => {
  it('stores, reads and deletes values, leaving no temporary files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sb-store-'));
    dirs.push(dir);
    const store = new FileStore(join(dir, 'nested'));
    expect(await store.get('a/b')).toBeUndefined();
    await store.set('a/b', 'one');
    await store.set('a/b', 'two');
    expect(await store.get('a/b')).toBe('two');
    expect(await readdir(join(dir, 'nested'))).toEqual(['a%2Fb']);
    await store.delete('a/b');
    expect(await store.get('a/b')).toBeUndefined();
  });

  it('keeps one whole value when many writers race', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sb-store-'));
    dirs.push(dir);
    const store = new FileStore(dir);
    const values = Array.from({ length: 50 }, (_, i) => `value-${i}-${'x'.repeat(10_000)}`);
    await Promise.all(values.map((v) => store.set('k', v)));
    expect(values).toContain(await store.get('k'));
  });
});
