import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExtensionRegistry } from '../../core/extensions/extension-registry';
import { silentLogger } from '../../core/ports/logger';
import { ExtensionDirectoryStore } from './extension-directory-store';
import { RegistrySnapshot } from './registry-snapshot';

const APP = '{5E0C2B1A-7D3F-4C8E-9A6B-1F2E3D4C5B6A}';

/** A package folder with a valid manifest. */
function packageDir(root: string): string {
  const dir = join(root, 'src');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'extension.json'), JSON.stringify({ id: APP, name: 'Ticket Pane', version: '1.0.0', entry: 'index.html' }));
  writeFileSync(join(dir, 'index.html'), '<p>pane</p>');
  return dir;
}

const snapshots: RegistrySnapshot[] = [];
afterEach(() => snapshots.splice(0).forEach((s) => s.close()));

async function until(check: () => boolean, ms: number): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; ) {
    if (check()) {
      return true;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return check();
}

describe('RegistrySnapshot', () => {
  it('sees an install made by another process in a fresh profile whose folder did not exist at start', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sb-snapshot-'));
    const userDir = join(root, 'config', 'extensions');
    mkdirSync(join(root, 'config'));
    const env = { SWITCHBOARD_MACHINE_EXTENSIONS: join(root, 'machine') };
    const snapshot = await RegistrySnapshot.load(userDir, env, silentLogger);
    snapshots.push(snapshot);
    expect(snapshot.lookup(APP)).toBeUndefined();
    // Another process (`switchboard extensions install`) creates the folder and installs.
    await new ExtensionRegistry(new ExtensionDirectoryStore({ userDir, machineDir: env.SWITCHBOARD_MACHINE_EXTENSIONS })).install(packageDir(root));
    expect(await until(() => snapshot.lookup(APP) !== undefined, 3000)).toBe(true);
    expect(snapshot.lookup(APP)?.name).toBe('Ticket Pane');
  });

  it('sees an install at once after refresh(), without waiting for the file-system event', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sb-snapshot-'));
    const userDir = join(root, 'extensions');
    const env = { SWITCHBOARD_MACHINE_EXTENSIONS: join(root, 'machine') };
    const snapshot = await RegistrySnapshot.load(userDir, env, silentLogger);
    snapshots.push(snapshot);
    await new ExtensionRegistry(new ExtensionDirectoryStore({ userDir, machineDir: env.SWITCHBOARD_MACHINE_EXTENSIONS })).install(packageDir(root));
    await snapshot.refresh();
    expect(snapshot.lookup(APP)?.name).toBe('Ticket Pane');
  });
});
