import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeUdpPort } from './free-port';
import { runSipp, type SippResult } from './sipp';

/** A sipp run with its wire record: every message sent and received, errors, and scenario logs. */
export type TracedSippResult = SippResult & {
  /** `-trace_msg`: every message sipp sent or received, with timestamps. */
  readonly messages: string;
  /** `-trace_err`: unexpected messages and failed calls. */
  readonly errors: string;
  /** `-trace_logs`: lines the scenario wrote with `<log>`. */
  readonly logs: string;
  /** The folder holding the three files, kept for a person reading a failure. */
  readonly dir: string;
};

/** Keys (`-key name value`) for a scenario's `[name]` keywords. */
export type SippKeys = Readonly<Record<string, string>>;

const readOrEmpty = (path: string): string => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    // sipp creates a trace file only once it has something to write.
    return '';
  }
};

/**
 * Runs a lab/sipp scenario (see runSipp) with message, error and log tracing into a fresh
 * temporary folder, so a test can assert on what crossed the wire and not only on sipp's exit.
 */
export async function runSippTraced(scenario: string, target: string, keys: SippKeys, extra: readonly string[] = [], timeoutSec = 20): Promise<TracedSippResult> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-sipp-trace-'));
  const files = { messages: join(dir, 'messages.log'), errors: join(dir, 'errors.log'), logs: join(dir, 'scenario.log') };
  const keyArgs = Object.entries(keys).flatMap(([name, value]) => ['-key', name, value]);
  const traceArgs = ['-trace_msg', '-message_file', files.messages, '-trace_err', '-error_file', files.errors, '-trace_logs', '-log_file', files.logs];
  // A port of its own: a proxy still retransmitting to an earlier run's port (its call aborted
  // before the ACK) must not feed that run's messages to this one.
  const port = ['-p', String(await freeUdpPort())];
  const result = await runSipp(scenario, target, [...port, ...keyArgs, ...traceArgs, ...extra], timeoutSec).result;
  return { ...result, messages: readOrEmpty(files.messages), errors: readOrEmpty(files.errors), logs: readOrEmpty(files.logs), dir };
}

/** Writes a sipp injection file (-inf) whose calls take the rows in turn. */
export function injectionFile(rows: readonly (readonly string[])[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'sb-sipp-inf-')), 'rows.csv');
  writeFileSync(path, ['SEQUENTIAL', ...rows.map((fields) => `${fields.join(';')};`)].join('\n') + '\n');
  return path;
}

/** What a failed run shows: exit code, the end of the screen, errors, and the last messages. */
export function sippEvidence(run: TracedSippResult): string {
  return [
    `sipp exit ${run.code} (traces in ${run.dir})`,
    run.stdout.slice(-1200),
    run.stderr.slice(-600),
    `errors:\n${run.errors.slice(-2000)}`,
    `last messages:\n${run.messages.slice(-3000)}`,
  ].join('\n');
}
