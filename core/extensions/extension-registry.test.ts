import { describe, expect, it } from 'vitest';
import { ExtensionStoreError } from '../ports/extension-store';
import { ExtensionRegistry, ExtensionRegistryError, findEffective, resolveExtensions } from './extension-registry';
import { parseMachinePolicy } from './machine-policy';
import { MemoryExtensionStore } from './memory-extension-store';

const A = '{8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01}';
const B = '{0F0E0D0C-0B0A-4998-8877-665544332211}';

const manifest = (id: string, name: string, version = '1.0.0', extra: Record<string, unknown> = {}) =>
  JSON.stringify({ id, name, version, entry: 'index.html', ...extra });
const pkg = (id: string, name: string, version = '1.0.0') => ({ manifestText: manifest(id, name, version), files: ['index.html'] });

function setup() {
  const store = new MemoryExtensionStore();
  return { store, registry: new ExtensionRegistry(store) };
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ExtensionRegistryError || error instanceof ExtensionStoreError) {
      return { code: error.code, message: error.message };
    }
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('ExtensionRegistry', () => {
  it('is empty when nothing is registered, and allows user installs', async () => {
    const { registry } = setup();
    expect(await registry.list()).toEqual({ extensions: [], problems: [], userInstallsAllowed: true });
    expect(await registry.lookup(A)).toBeUndefined();
  });

  it('installs, replaces and removes per-user packages', async () => {
    const { store, registry } = setup();
    store.addSource('v1', pkg(A, 'Ticket Pane', '1.0.0'));
    store.addSource('v2', pkg(A, 'Ticket Pane', '2.0.0'));
    const first = await registry.install('v1');
    expect(first).toEqual({ manifest: expect.objectContaining({ id: A, version: '1.0.0' }), location: `memory:user/${A}` });
    const second = await registry.install('v2');
    expect(second.replacedVersion).toBe('1.0.0');
    expect(store.folders('user')).toEqual([A]);
    expect((await registry.lookup(A))?.manifest.version).toBe('2.0.0');
    const removed = await registry.remove(A.toLowerCase().slice(1, -1));
    expect(removed).toEqual({ id: A, manifest: expect.objectContaining({ version: '2.0.0' }), machineCopyRemains: false });
    expect(store.folders('user')).toEqual([]);
  });

  it('resolves any GUID form to the effective package', async () => {
    const { store, registry } = setup();
    store.provision('user', A, pkg(A, 'Ticket Pane'));
    for (const form of [A, A.toLowerCase(), A.slice(1, -1), ` ${A.slice(1, -1).toLowerCase()}\t`]) {
      expect((await registry.lookup(form))?.id).toBe(A);
    }
    expect(await registry.lookup('not-a-guid')).toBeUndefined();
    expect(await registry.lookup(B)).toBeUndefined();
  });

  it('lets the machine-wide package win over a per-user one of the same id', async () => {
    const { store, registry } = setup();
    store.provision('user', A, pkg(A, 'Ticket Pane', '3.0.0'));
    store.provision('machine', A.toLowerCase(), pkg(A, 'Ticket Pane', '1.0.0'));
    store.provision('user', B, pkg(B, 'Echo'));
    const listing = await registry.list();
    expect(listing.extensions.map((e) => [e.manifest.name, e.scope, e.manifest.version, e.shadowed, e.effective])).toEqual([
      ['Echo', 'user', '1.0.0', false, true],
      ['Ticket Pane', 'machine', '1.0.0', false, true],
      ['Ticket Pane', 'user', '3.0.0', true, false],
    ]);
    expect((await registry.lookup(A))?.scope).toBe('machine');
    expect((await registry.lookup(A))?.manifest.version).toBe('1.0.0');
  });

  it('refuses a per-user install that a machine-wide package would shadow', async () => {
    const { store, registry } = setup();
    store.provision('machine', A, pkg(A, 'Ticket Pane', '1.0.0'));
    store.addSource('src', pkg(A, 'Ticket Pane', '9.0.0'));
    expect(await refusal(registry.install('src'))).toEqual({
      code: 'shadowed-by-machine',
      message: `${A} (Ticket Pane) is provisioned machine-wide (version 1.0.0 in memory:machine/${A}); a per-user copy would never be used`,
    });
    expect(store.folders('user')).toEqual([]);
  });

  it('refuses to remove a machine-wide package, and removes only the user copy when both exist', async () => {
    const { store, registry } = setup();
    store.provision('machine', A, pkg(A, 'Ticket Pane'));
    expect(await refusal(registry.remove(A))).toEqual({
      code: 'machine-provisioned',
      message: `${A} (Ticket Pane) is provisioned machine-wide in memory:machine/${A}; only an administrator can remove it`,
    });
    store.provision('user', A, pkg(A, 'Ticket Pane', '2.0.0'));
    expect(await registry.remove(A)).toMatchObject({ id: A, machineCopyRemains: true });
    expect(store.folders('machine')).toEqual([A]);
  });

  it('answers unknown and malformed ids with their own codes', async () => {
    const { registry } = setup();
    expect(await refusal(registry.remove(B))).toEqual({ code: 'not-installed', message: `no extension with id ${B} is installed in memory:user` });
    expect((await refusal(registry.remove('ticket-pane'))).code).toBe('bad-id');
  });

  it('removes a per-user folder whose manifest is broken', async () => {
    const { store, registry } = setup();
    store.provision('user', A, { manifestText: '{"id": "' });
    expect((await registry.list()).extensions).toEqual([]);
    expect(await registry.remove(A)).toEqual({ id: A, machineCopyRemains: false });
    expect(store.folders('user')).toEqual([]);
  });

  it('forbids per-user packages when the policy says so, and still lets them be removed', async () => {
    const { store, registry } = setup();
    store.provision('user', A, pkg(A, 'Ticket Pane'));
    store.provision('machine', B, pkg(B, 'Echo'));
    store.setMachinePolicy('{ "allowUserInstalls": false }');
    store.addSource('src', pkg(A, 'Ticket Pane', '2.0.0'));
    const listing = await registry.list();
    expect(listing.userInstallsAllowed).toBe(false);
    expect(listing.extensions.map((e) => [e.manifest.name, e.scope, e.forbidden, e.effective])).toEqual([
      ['Echo', 'machine', false, true],
      ['Ticket Pane', 'user', true, false],
    ]);
    expect(await registry.lookup(A)).toBeUndefined();
    expect((await registry.lookup(B))?.scope).toBe('machine');
    expect(await refusal(registry.install('src'))).toEqual({
      code: 'user-installs-forbidden',
      message: 'per-user extension installs are disabled by the administrator (policy.json in memory:machine)',
    });
    expect((await registry.remove(A)).id).toBe(A);
  });

  it('allows user installs under an explicit permissive policy', async () => {
    const { store, registry } = setup();
    store.setMachinePolicy('{"allowUserInstalls": true}');
    store.addSource('src', pkg(A, 'Ticket Pane'));
    await registry.install('src');
    expect((await registry.lookup(A))?.scope).toBe('user');
  });

  it('fails closed on a policy file it cannot read, and says why', async () => {
    const { store, registry } = setup();
    store.provision('user', A, pkg(A, 'Ticket Pane'));
    store.setMachinePolicy('{"allowUserInstall": true}');
    const listing = await registry.list();
    expect(listing.userInstallsAllowed).toBe(false);
    expect(listing.problems).toEqual([
      {
        scope: 'machine',
        location: 'memory:machine/policy.json',
        message: 'policy.json: allowUserInstall: unknown setting; per-user extensions are disabled until it is fixed',
      },
    ]);
    expect(await registry.lookup(A)).toBeUndefined();
  });

  it('reports broken folders as problems and leaves them out', async () => {
    const { store, registry } = setup();
    store.provision('user', 'notes', pkg(A, 'Ticket Pane'));
    store.provision('user', B, { manifestText: manifest(B, 'x'.repeat(51)) });
    store.provision('machine', A, { manifestText: manifest(B, 'Echo') });
    const listing = await registry.list();
    expect(listing.extensions).toEqual([]);
    expect(listing.problems.map((p) => [p.scope, p.location, p.message])).toEqual([
      ['machine', `memory:machine/${A}`, `folder name ${A} does not match the id ${B} in extension.json`],
      ['user', `memory:user/${B}`, 'name: at most 50 characters'],
      ['user', 'memory:user/notes', `folder name notes does not match the id ${A} in extension.json`],
    ]);
  });

  it('keeps one package per id within a scope, preferring the canonical folder name', async () => {
    const { store, registry } = setup();
    store.provision('machine', A.toLowerCase(), pkg(A, 'Ticket Pane', '1.0.0'));
    store.provision('machine', A, pkg(A, 'Ticket Pane', '2.0.0'));
    const listing = await registry.list();
    expect(listing.extensions.map((e) => e.manifest.version)).toEqual(['2.0.0']);
    expect(listing.problems).toEqual([
      { scope: 'machine', location: `memory:machine/${A.toLowerCase()}`, message: `duplicate of ${A} at memory:machine/${A}; ignored` },
    ]);
  });

  it('replaces a hand-made folder of the same id on install', async () => {
    const { store, registry } = setup();
    store.provision('user', A.slice(1, -1).toLowerCase(), pkg(A, 'Ticket Pane', '1.0.0'));
    store.addSource('src', pkg(A, 'Ticket Pane', '2.0.0'));
    expect((await registry.install('src')).replacedVersion).toBe('1.0.0');
    expect(store.folders('user')).toEqual([A]);
  });

  it('passes the store refusals through and keeps the registry unchanged', async () => {
    const { store, registry } = setup();
    store.addSource('bad', { manifestText: manifest(A, 'Ticket Pane', '1.0.0', { colour: 'red' }), files: ['index.html'] });
    store.addSource('noentry', { manifestText: manifest(A, 'Ticket Pane'), files: [] });
    expect(await refusal(registry.install('bad'))).toEqual({ code: 'invalid-package', message: 'invalid package bad: colour: unknown field' });
    expect(await refusal(registry.install('noentry'))).toEqual({
      code: 'invalid-package',
      message: 'invalid package noentry: entry: index.html is not in the package',
    });
    expect((await refusal(registry.install('missing'))).code).toBe('source-not-found');
    expect(store.folders('user')).toEqual([]);
  });
});

describe('resolveExtensions', () => {
  it('sorts by name, then id, machine first', () => {
    const record = (scope: 'user' | 'machine', id: string, name: string) => ({
      scope,
      folder: id,
      location: `${scope}/${id}`,
      manifest: { text: manifest(id, name) },
    });
    const listing = resolveExtensions([record('user', B, 'beta'), record('user', A, 'Alpha'), record('machine', B, 'Beta')], undefined);
    expect(listing.extensions.map((e) => `${e.manifest.name}:${e.scope}`)).toEqual(['Alpha:user', 'Beta:machine', 'beta:user']);
    expect(findEffective(listing, B.toLowerCase())?.scope).toBe('machine');
    expect(findEffective(listing, 'nope')).toBeUndefined();
  });

  it('reports an unreadable manifest as a problem', () => {
    const listing = resolveExtensions([{ scope: 'user', folder: A, location: 'u/A', manifest: { error: 'extension.json: missing' } }], undefined);
    expect(listing.problems).toEqual([{ scope: 'user', location: 'u/A', message: 'extension.json: missing' }]);
  });
});

describe('parseMachinePolicy', () => {
  it.each([
    [undefined, true, undefined],
    ['{}', true, undefined],
    ['\uFEFF{"allowUserInstalls": true}', true, undefined],
    ['{"allowUserInstalls": false}', false, undefined],
    ['{"allowUserInstalls": "no"}', false, 'policy.json: allowUserInstalls: must be true or false; per-user extensions are disabled until it is fixed'],
    ['[]', false, 'policy.json: policy: must be a JSON object like {"allowUserInstalls": false}; per-user extensions are disabled until it is fixed'],
  ])('reads %j', (text, allowed, problem) => {
    const result = parseMachinePolicy(text);
    expect(result.policy.allowUserInstalls).toBe(allowed);
    expect(result.problem).toBe(problem);
  });

  it('fails closed on text that is not JSON', () => {
    const result = parseMachinePolicy('allowUserInstalls = false');
    expect(result.policy.allowUserInstalls).toBe(false);
    expect(result.problem).toMatch(/^policy\.json: not valid JSON \(.*\); per-user extensions are disabled until it is fixed$/);
  });
});
