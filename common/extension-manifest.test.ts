import { describe, expect, it } from 'vitest';
import {
  EXTENSION_PERMISSIONS,
  PANE_SIZES,
  classifyEntry,
  extensionManifestSchema,
  normalizeAppId,
  parseExtensionManifest,
} from './extension-manifest';

const ID = '{8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01}';
const base = { id: ID, name: 'Ticket Pane', version: '1.0.0', entry: 'index.html' };

/** The errors of a manifest that differs from `base` by `patch` (undefined deletes a field). */
function errorsOf(patch: Record<string, unknown>): readonly string[] {
  const input: Record<string, unknown> = { ...base, ...patch };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) {
      delete input[key];
    }
  }
  const result = parseExtensionManifest(input);
  return result.ok ? [] : result.errors;
}

function parsed(patch: Record<string, unknown>) {
  const result = parseExtensionManifest({ ...base, ...patch });
  if (!result.ok) {
    throw new Error(result.errors.join('; '));
  }
  return result.manifest;
}

describe('normalizeAppId', () => {
  it.each([
    ['{8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01}'],
    ['{8b1d6e2a-3c4f-4a7b-9e0d-5f6a7b8c9d01}'],
    ['8b1d6e2a-3c4f-4a7b-9e0d-5f6a7b8c9d01'],
    ['8B1D6E2A-3c4f-4A7B-9e0d-5F6A7B8C9D01'],
    ['  {8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01}\n'],
    ['\t8b1d6e2a-3c4f-4a7b-9e0d-5f6a7b8c9d01 '],
    ['{ 8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01 }'],
  ])('accepts %j', (raw) => {
    expect(normalizeAppId(raw)).toBe(ID);
  });

  it.each([
    [''],
    ['{}'],
    ['{8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01'],
    ['8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01}'],
    ['{{8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01}}'],
    ['(8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01)'],
    ['8B1D6E2A3C4F4A7B9E0D5F6A7B8C9D01'],
    ['8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D0'],
    ['8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D012'],
    ['8B1D6E2G-3C4F-4A7B-9E0D-5F6A7B8C9D01'],
    ['8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01x'],
    ['ticket-pane'],
  ])('refuses %j', (raw) => {
    expect(normalizeAppId(raw)).toBeUndefined();
  });
});

describe('extension manifest', () => {
  it('applies the defaults and normalises the id', () => {
    const manifest = parsed({ id: ' 8b1d6e2a-3c4f-4a7b-9e0d-5f6a7b8c9d01 ' });
    expect(manifest).toEqual({ ...base, id: ID, pane: { size: 'small' }, permissions: [] });
  });

  it('takes every optional field', () => {
    const manifest = parsed({
      pane: { size: 'large' },
      installLink: 'https://crm.example.org/install',
      permissions: [...EXTENSION_PERMISSIONS],
      description: 'Shows the ticket the caller is about.',
    });
    expect(manifest.pane.size).toBe('large');
    expect(PANE_SIZES[manifest.pane.size]).toEqual({ width: 800, height: 600 });
    expect(manifest.permissions).toEqual(['clipboard-write', 'notifications', 'open-external']);
  });

  it('maps pane sizes to the Lync ExtensibilityWindowSize values', () => {
    expect(PANE_SIZES).toEqual({ small: { width: 300, height: 200 }, medium: { width: 400, height: 600 }, large: { width: 800, height: 600 } });
    expect(parsed({ pane: {} }).pane.size).toBe('small');
    expect(parsed({ pane: { size: 'medium' } }).pane.size).toBe('medium');
    expect(errorsOf({ pane: { size: 'huge' } })).toEqual(['pane.size: must be one of small, medium, large']);
    expect(errorsOf({ pane: { size: 'small', width: 10 } })).toEqual(['pane.width: unknown field']);
    expect(errorsOf({ pane: 'large' })).toEqual(['pane: must be an object like {"size":"medium"}']);
  });

  it('names each field in its errors, required fields included', () => {
    expect(errorsOf({ id: undefined })).toEqual(['id: is required']);
    expect(errorsOf({ name: 7 })).toEqual(['name: must be a string']);
    expect(errorsOf({ id: 'ticket-pane' })).toEqual(['id: must be an application GUID like {8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01}']);
    expect(errorsOf({ version: undefined, entry: undefined })).toEqual(['version: is required', 'entry: is required']);
  });

  it('limits the name to 1..50 characters, counting code points', () => {
    expect(parsed({ name: 'n'.repeat(50) }).name).toHaveLength(50);
    expect(errorsOf({ name: 'n'.repeat(51) })).toEqual(['name: at most 50 characters']);
    expect(parsed({ name: '😀'.repeat(50) }).name).toBe('😀'.repeat(50));
    expect(errorsOf({ name: '😀'.repeat(51) })).toEqual(['name: at most 50 characters']);
    expect(parsed({ name: `  ${'n'.repeat(50)}  ` }).name).toBe('n'.repeat(50));
    expect(parsed({ name: 'N' }).name).toBe('N');
    expect(errorsOf({ name: '' })).toEqual(['name: must not be empty']);
    expect(errorsOf({ name: '   ' })).toEqual(['name: must not be empty']);
    expect(errorsOf({ name: 'Ticket\nPane' })).toEqual(['name: must not contain control characters']);
  });

  it.each(['1', '1.2', '1.2.3', '1.2.3.4', '0.0.1', '2.0.0-beta.1', '1.0.0+build.7', '1.0.0-rc-1+sha.5114f85'])('accepts version %j', (version) => {
    expect(parsed({ version }).version).toBe(version);
  });

  it.each(['', 'v1.0.0', '1.2.3.4.5', '01.2.3', '1..2', '1.2.', 'latest', '1.0.0-', '1.0.0+', '1.0 beta', `1.0.0-${'a'.repeat(60)}`])(
    'refuses version %j',
    (version) => {
      expect(errorsOf({ version })[0]).toMatch(/^version: /);
    },
  );

  it.each([
    ['index.html', 'index.html'],
    ['pane/index.htm', 'pane/index.htm'],
    ['./pane/Index.HTML', 'pane/Index.HTML'],
    ['pane/./main.html', 'pane/main.html'],
    ['https://crm.example.org/pane?x=1', 'https://crm.example.org/pane?x=1'],
    ['HTTPS://crm.example.org/', 'HTTPS://crm.example.org/'],
  ])('accepts entry %j', (entry, expected) => {
    expect(parsed({ entry }).entry).toBe(expected);
  });

  it.each([
    ['../evil.html', 'entry: must stay inside the package (no .. segments)'],
    ['pane/../../evil.html', 'entry: must stay inside the package (no .. segments)'],
    ['pane/..', 'entry: must stay inside the package (no .. segments)'],
    ['/etc/pane.html', 'entry: must be a path relative to the package, not an absolute path'],
    ['C:/pane.html', 'entry: must be a path relative to the package, not an absolute path'],
    ['c:pane.html', 'entry: must be a path relative to the package, not an absolute path'],
    ['pane\\index.html', 'entry: must use / as the path separator'],
    ['\\\\server\\share\\pane.html', 'entry: must use / as the path separator'],
    ['pane//index.html', 'entry: must be a file path like pane/index.html (no empty segments)'],
    ['pane/', 'entry: must be a file path like pane/index.html (no empty segments)'],
    ['.', 'entry: must be a file path like pane/index.html (no empty segments)'],
    ['pane/index.js', 'entry: must name an .html file or be an https: URL'],
    ['index.html\u0000.js', 'entry: must not contain control characters'],
    ['', 'entry: must not be empty'],
    ['http://crm.example.org/pane', 'entry: a URL entry must be an https: URL'],
    ['file:///etc/pane.html', 'entry: a URL entry must be an https: URL'],
    ['javascript:alert(1)', 'entry: a URL entry must be an https: URL'],
    ['https://crm.example.org@evil.example/', 'entry: must not contain a user name or password'],
    ['https://', 'entry: must be a valid https: URL'],
  ])('refuses entry %j', (entry, error) => {
    expect(errorsOf({ entry })).toEqual([error]);
  });

  it('classifies entries', () => {
    expect(classifyEntry(parsed({ entry: './pane/index.html' }))).toEqual({ kind: 'file', path: 'pane/index.html' });
    expect(classifyEntry(parsed({ entry: 'https://crm.example.org/pane' }))).toEqual({ kind: 'url', url: 'https://crm.example.org/pane' });
  });

  it('takes only https install links without credentials', () => {
    expect(parsed({ installLink: 'https://crm.example.org/install' }).installLink).toBe('https://crm.example.org/install');
    expect(errorsOf({ installLink: 'http://crm.example.org/install' })).toEqual(['installLink: must be an https: URL']);
    expect(errorsOf({ installLink: 'https://me:pw@crm.example.org/' })).toEqual(['installLink: must not contain a user name or password']);
    expect(errorsOf({ installLink: 'https://crm example.org/' })).toEqual(['installLink: must be a valid https: URL']);
    expect(errorsOf({ installLink: `https://crm.example.org/${'x'.repeat(2048)}` })).toEqual(['installLink: at most 2048 characters']);
  });

  it('takes permissions from the closed list only, each once', () => {
    expect(parsed({ permissions: [] }).permissions).toEqual([]);
    expect(parsed({ permissions: ['notifications'] }).permissions).toEqual(['notifications']);
    expect(errorsOf({ permissions: ['notifications', 'camera'] })).toEqual([
      'permissions[1]: must be one of clipboard-write, notifications, open-external',
    ]);
    expect(errorsOf({ permissions: ['notifications', 'notifications'] })).toEqual(['permissions[1]: "notifications" is listed twice']);
    expect(errorsOf({ permissions: 'notifications' })).toEqual(['permissions: must be an array of permission names']);
  });

  it('limits the description to 500 characters', () => {
    expect(parsed({ description: 'd'.repeat(500) }).description).toHaveLength(500);
    expect(errorsOf({ description: 'd'.repeat(501) })).toEqual(['description: at most 500 characters']);
  });

  it('refuses unknown keys, naming each', () => {
    expect(errorsOf({ colour: 'red', Name: 'x' })).toEqual(['colour: unknown field', 'Name: unknown field']);
  });

  it('reports every problem at once, in field order', () => {
    expect(errorsOf({ id: 'x', name: '', entry: '../a.html', extra: 1 })).toEqual([
      'id: must be an application GUID like {8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01}',
      'name: must not be empty',
      'entry: must stay inside the package (no .. segments)',
      'extra: unknown field',
    ]);
  });

  it('parses manifest text, with or without a byte-order mark', () => {
    const text = JSON.stringify(base);
    expect(parseExtensionManifest(text)).toMatchObject({ ok: true, manifest: { id: ID } });
    expect(parseExtensionManifest(`\uFEFF${text}`)).toMatchObject({ ok: true });
    const bad = parseExtensionManifest('{"id": ');
    expect(bad.ok).toBe(false);
    expect(bad.ok ? [] : bad.errors[0]).toMatch(/^extension\.json: not valid JSON \(/);
    expect(parseExtensionManifest('[]')).toEqual({ ok: false, errors: ['extension.json: must be a JSON object'] });
    expect(parseExtensionManifest(null)).toEqual({ ok: false, errors: ['extension.json: must be a JSON object'] });
  });

  it('infers the output type with defaults applied', () => {
    const output = extensionManifestSchema.parse(base);
    const size: 'small' | 'medium' | 'large' = output.pane.size;
    expect(size).toBe('small');
  });
});
