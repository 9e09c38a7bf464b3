import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// An unpatched sip.js 0.21.2 for the "plain sip.js" baseline of bench/channel-info.ts. The
// copy in node_modules is patched at install (scripts/patch-sipjs.mjs builds the parser's
// bytecode once per process, ~4x less CPU per message; header names headerized once), so a
// baseline loading it is not plain sip.js. This makes a copy in a folder of its own, from npm's
// own tarball when npm's cache has it (checked against package-lock.json's integrity), else
// from node_modules with the patch's edits reversed (checked: patching the result again gives
// the installed files back).

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VERSION = '0.21.2';
const GRAMMAR = 'lib/grammar/pegjs/dist/grammar.js';
const UTILS = 'lib/core/messages/utils.js';
const MARK = 'peg$bytecodeCache';
const HEADERIZE_MARK = 'headerizeCache';
const SESSION_DIALOG = 'lib/core/dialogs/session-dialog.js';
const EARLY_ACK_MARK = 'switchboard: an ACK in an early dialog';
const ACK_ANCHOR = '        if (message.method === C.ACK) {\n            // If ackWait is true, then this is the ACK to the initial INVITE,\n';

/** scripts/patch-sipjs.mjs's edits per file, [original, patched], in its order. */
const PATCH_EDITS: Readonly<Record<string, readonly (readonly [string, string])[]>> = {
  [GRAMMAR]: [
    ['function peg$parse(input, options) {', `let ${MARK};\nfunction peg$parse(input, options) {`],
    ['    const peg$bytecode = [\n', `    const peg$bytecode = ${MARK} ?? (${MARK} = [\n`],
    ['\n    ];\n    let peg$currPos = 0;', '\n    ]);\n    let peg$currPos = 0;'],
  ],
  [UTILS]: [
    [
      'export function headerize(str) {\n',
      `const ${HEADERIZE_MARK} = new Map();\n` +
        'export function headerize(str) {\n' +
        `    const cached = ${HEADERIZE_MARK}.get(str);\n` +
        '    if (cached !== undefined) {\n' +
        '        return cached;\n' +
        '    }\n' +
        '    const hname = headerizeOnce(str);\n' +
        `    if (typeof str === "string" && str.length <= 64 && ${HEADERIZE_MARK}.size < 512) {\n` +
        `        ${HEADERIZE_MARK}.set(str, hname);\n` +
        '    }\n' +
        '    return hname;\n' +
        '}\n' +
        'function headerizeOnce(str) {\n',
    ],
  ],
  [SESSION_DIALOG]: [
    [
      ACK_ANCHOR,
      '        if (message.method === C.ACK) {\n' +
        `            // ${EARLY_ACK_MARK} acknowledges no 2xx yet: dropped, or the 2xx\n` +
        '            // retransmissions (RFC 3261 13.3.1.4) would stop before the 2xx is even sent.\n' +
        '            if (this.early) {\n' +
        '                this.logger.warn(`INVITE dialog ${this.id} received ACK before its 2xx, dropping.`);\n' +
        '                return;\n' +
        '            }\n' +
        '            // If ackWait is true, then this is the ACK to the initial INVITE,\n',
    ],
  ],
};

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
    const patched = readFileSync(join(dir, GRAMMAR), 'utf8').includes(MARK) || readFileSync(join(dir, UTILS), 'utf8').includes(HEADERIZE_MARK) || readFileSync(join(dir, SESSION_DIALOG), 'utf8').includes(EARLY_ACK_MARK);
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
  if (again !== patched || original.includes(MARK) || original.includes(HEADERIZE_MARK) || original.includes(EARLY_ACK_MARK)) {
    throw new Error('un-patching sip.js did not give back what the patch script patches');
  }
  return original;
}
