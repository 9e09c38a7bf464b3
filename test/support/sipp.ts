import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCENARIOS = fileURLToPath(new URL('../../lab/sipp/', import.meta.url));

/** Result of one sipp run. */
export type SippResult = { readonly code: number | null; readonly stdout: string; readonly stderr: string };

/**
 * Runs sipp (Debian's `sip-tester`) with a scenario from lab/sipp against `target`, bounded
 * by `timeoutSec` (sipp's own `-timeout`) plus a hard kill two seconds later.
 */
export function runSipp(
  scenario: string,
  target: string,
  extra: readonly string[] = [],
  timeoutSec = 20,
): { result: Promise<SippResult>; kill: () => void } {
  const args = ['-sf', isAbsolute(scenario) ? scenario : `${SCENARIOS}${scenario}`, '-i', '127.0.0.1', '-m', '1', '-nostdin', '-timeout', `${timeoutSec}s`, '-timeout_error', ...extra, target];
  const child = spawn('sipp', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout = (stdout + d.toString()).slice(-20_000)));
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
  const hardKill = setTimeout(() => child.kill('SIGKILL'), (timeoutSec + 2) * 1000);
  const result = new Promise<SippResult>((resolve) => {
    child.on('error', (error) => resolve({ code: -1, stdout, stderr: `${stderr}\n${error.message}` }));
    child.on('exit', (code) => {
      clearTimeout(hardKill);
      resolve({ code, stdout, stderr });
    });
  });
  return { result, kill: () => child.kill('SIGKILL') };
}

const escapeAttribute = (value: string): string =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * Copies a lab/sipp scenario to a temporary file with `__NAME__` placeholders replaced
 * (escaped for XML attributes): sipp expands its own keywords only inside messages.
 */
export function renderScenario(scenario: string, values: Readonly<Record<string, string>>): string {
  let text = readFileSync(`${SCENARIOS}${scenario}`, 'utf8');
  for (const [name, value] of Object.entries(values)) {
    text = text.split(`__${name}__`).join(escapeAttribute(value));
  }
  const path = join(mkdtempSync(join(tmpdir(), 'sb-sipp-')), scenario);
  writeFileSync(path, text);
  return path;
}
