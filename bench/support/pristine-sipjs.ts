import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PATCHES, SIPJS_VERSION } from '../../scripts/sipjs-patches.mjs';

// An unpatched sip.js 0.21.2 for the "plain sip.js" baseline of bench/channel-info.ts. The
// copy in node_modules is patched at install (scripts/patch-sipjs.mjs builds the parser's
// bytecode once per process, ~4x less CPU per message; header names headerized once), so a
// baseline loading it is not plain sip.js. This makes a copy in a folder of its own, from npm's
// own tarball when npm's cache has it (checked against package-lock.json's integrity), else
// from node_modules with the patch's edits reversed (checked: patching the result again gives
// the installed files back).

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VERSION = SIPJS_VERSION;
/** scripts/patch-sipjs.mjs's edits per file, [original, patched], in its order (the same data). */
const PATCH_EDITS: Readonly<Record<string, readonly (readonly [string, string])[]>> = Object.fromEntries(PATCHES.map((p) => [p.file, p.edits]));
const MARKS: readonly (readonly [string, string])[] = PATCHES.map((p) => [p.file, p.mark]);

/** A pristine sip.js: its package folder, how it was made, and the cleanup. */
export type PristineSipJs = { readonly dir: string; readonly source: string; readonly dispose: () => void };

/** Makes the copy; throws with the reason when neither way works. */
export function makePristineSipJs(): PristineSipJs {
  const work = mkdtempSync(join(tmpdir(), 'sb-bench-sipjs-'));
  const dispose = (): void => rmSync(work, { recursive: true, force: true });
  try {
    let source: string;
    try {
      source = fromTarball(work);
    } catch (tarballError) {
      source = `${fromNodeModules(work)} (npm pack failed: ${tarballError instanceof Error ? tarballError.message.split('\n')[0] : String(tarballError)})`;
    }
    const dir = join(work, 'package');
    const patched = MARKS.some(([file, mark]) => readFileSync(join(dir, file), 'utf8').includes(mark));
    const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version;
    if (patched || version !== VERSION) {
      throw new Error(`the copy is not a pristine sip.js ${VERSION} (version ${version ?? '?'}, patched: ${patched})`);
    }
    return { dir, source, dispose };
  } catch (error) {
    dispose();
    throw error;
  }
}

/** `npm pack` from npm's cache (offline), the tarball's sha512 checked against the lockfile. */
function fromTarball(work: string): string {
  execFileSync('npm', ['pack', `sip.js@${VERSION}`, '--offline', '--pack-destination', work], { cwd: work, stdio: 'pipe', timeout: 60_000 });
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  if (tarball === undefined) {
    throw new Error('npm pack wrote no tarball');
  }
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages?: Record<string, { integrity?: string }> };
  const expected = lock.packages?.['node_modules/sip.js']?.integrity;
  const actual = `sha512-${createHash('sha512').update(readFileSync(join(work, tarball))).digest('base64')}`;
  if (expected !== actual) {
    throw new Error(`tarball integrity ${actual.slice(0, 24)}... is not the lockfile's ${String(expected).slice(0, 24)}...`);
  }
  execFileSync('tar', ['-xzf', join(work, tarball), '-C', work], { stdio: 'pipe', timeout: 30_000 });
  return `npm's tarball of sip.js@${VERSION}, integrity as in package-lock.json`;
}

/** node_modules/sip.js copied, its grammar un-patched; the reversal is checked by re-patching. */
function fromNodeModules(work: string): string {
  const installed = join(ROOT, 'node_modules/sip.js');
  const dir = join(work, 'package');
  cpSync(installed, dir, { recursive: true });
  for (const [file, edits] of Object.entries(PATCH_EDITS)) {
    writeFileSync(join(dir, file), unpatched(readFileSync(join(installed, file), 'utf8'), edits));
  }
  if (!existsSync(join(dir, 'lib/index.js'))) {
    throw new Error('the copied sip.js has no lib/index.js');
  }
  return 'node_modules/sip.js with the patch reversed';
}

/** `patched` with `edits` reversed; throws unless patching the result again gives `patched`. */
function unpatched(patched: string, edits: readonly (readonly [string, string])[]): string {
  let original = patched;
  for (const [before, after] of [...edits].reverse()) {
    if (original.split(after).length !== 2) {
      throw new Error(`cannot un-patch sip.js: ${JSON.stringify(after.slice(0, 40))} is not there exactly once`);
    }
    original = original.replace(after, before);
  }
  let again = original;
  for (const [before, after] of edits) {
    again = again.replace(before, after);
  }
  if (again !== patched || MARKS.some(([, mark]) => original.includes(mark))) {
    throw new Error('un-patching sip.js did not give back what the patch script patches');
  }
  return original;
}
