import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineChild } from './line-child';

// One run of lab/sipp/uac-channel-info.xml: `dialogs` calls at once, `infos` INFO each, and what
// sipp says about it afterwards: the INFO phase of every call (its -trace_logs lines) and the
// message counters of the scenario (-trace_counts).

/** One call's INFO phase, from sipp's gettimeofday: epoch milliseconds with microseconds. */
export type CallPhase = { readonly call: number; readonly startMs: number; readonly endMs: number; readonly answered: number };

/** sipp's counters for the INFO step of the scenario (the first INFO sent and the 200 after it). */
export type InfoCounts = {
  readonly sent: number;
  readonly retransmitted: number;
  /** INFOs given up after retransmissions (UDP, timer F). */
  readonly timedOut: number;
  /** 200s received for them: the INFOs answered. */
  readonly answered: number;
  /** Responses that were not the 200 the scenario waits for. */
  readonly unexpected: number;
  /** Waits for the 200 that ran out (the recv timeout). */
  readonly answerTimeouts: number;
};

/** What one sipp run reports. */
export type SippLoadResult = {
  readonly code: number | null;
  readonly phases: readonly CallPhase[];
  readonly counts: InfoCounts | undefined;
  /** Problems worth printing: the exit code explained, error-file lines, a missing counter file. */
  readonly problems: readonly string[];
  /**
   * sipp's watchdog warnings ("the minor watchdog timer ... has been tripped"): its own loop ran
   * late, the machine being busy. Not a problem of the receiver, whose figures carry the delay.
   */
  readonly watchdogTrips: number;
};

/** Options of {@link startSippLoad}. */
export type SippLoadOptions = {
  readonly scenario: string;
  /** `host:port` of the proxy (UDP). */
  readonly target: string;
  /** User part of the Request-URI (`sip:<service>@lab.local`). */
  readonly service: string;
  readonly dialogs: number;
  readonly infos: number;
  /** sipp's own global -timeout; the process is SIGKILLed 5 s after it. */
  readonly timeoutSec: number;
  /** CPUs sipp may run on (`taskset -c` list); anywhere when absent. */
  readonly cpus?: string;
};

const EXIT_CODES: Readonly<Record<number, string>> = {
  1: 'at least one call failed',
  97: 'exit on internal command',
  99: 'no call processed',
  255: 'fatal error',
  254: 'could not bind its socket',
};

/** Starts sipp; `result` settles when it exits (bounded), `kill` ends it at once. */
export function startSippLoad(options: SippLoadOptions): { readonly pid: number; result: Promise<SippLoadResult>; kill: () => Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-sipp-'));
  const logFile = join(dir, 'phases.log');
  const errorFile = join(dir, 'errors.log');
  const args = [
    '-sf', options.scenario,
    '-s', options.service,
    '-i', '127.0.0.1',
    '-nostdin',
    '-l', String(options.dialogs),
    '-m', String(options.dialogs),
    // Every call at once (sipp's default rate is 10 calls/s); the scenario waits for all anyway.
    '-r', String(Math.max(1000, options.dialogs)),
    '-set', 'infos', String(options.infos),
    '-set', 'dialogs', String(options.dialogs),
    '-trace_logs', '-log_file', logFile,
    '-trace_err', '-error_file', errorFile,
    // Written into the working directory as <scenario>_<pid>_counts.csv.
    '-trace_counts',
    '-timeout', `${options.timeoutSec}s`,
    '-timeout_error',
    options.target,
  ];
  const screen: string[] = [];
  // taskset execs sipp, so the pid read for its CPU is sipp's own.
  const [command, argv] = options.cpus === undefined ? ['sipp', args] : ['taskset', ['-c', options.cpus, 'sipp', ...args]];
  const child = new LineChild(command, argv, (line) => {
    screen.push(line);
    screen.splice(0, Math.max(0, screen.length - 60));
  }, { cwd: dir });
  const hardKill = setTimeout(() => void child.stop(undefined, 0), (options.timeoutSec + 5) * 1000);
  hardKill.unref();

  const result = child.exited.then((code): SippLoadResult => {
    clearTimeout(hardKill);
    const problems: string[] = [];
    if (code !== 0) {
      problems.push(`sipp exited ${code ?? 'on a signal'}${code !== null && EXIT_CODES[code] ? ` (${EXIT_CODES[code]})` : ''}`);
      const tail = child.stderr();
      if (tail.length > 0) {
        problems.push(`sipp stderr: ${tail.split('\n').slice(-3).join(' | ')}`);
      }
    }
    const all = readLines(errorFile);
    const watchdog = /watchdog timer .* has been tripped/;
    const watchdogTrips = all.filter((l) => watchdog.test(l)).length;
    // sipp heads a batch of such warnings with this line of its own.
    const errors = all.filter((l) => !watchdog.test(l) && l.trim() !== 'The following events occurred:');
    if (errors.some((l) => l.trim().length > 0)) {
      problems.push(`sipp errors: ${summarizeErrors(errors)}`);
    }
    const phases = readLines(logFile).flatMap(parsePhase);
    const countsFile = readdirSync(dir).find((f) => f.endsWith('_counts.csv'));
    const counts = countsFile === undefined ? undefined : parseCounts(readLines(join(dir, countsFile)));
    if (counts === undefined) {
      problems.push('sipp wrote no usable -trace_counts file');
    }
    rmSync(dir, { recursive: true, force: true });
    return { code, phases, counts, problems, watchdogTrips };
  });
  return {
    pid: child.pid,
    result,
    kill: async () => {
      await child.stop(undefined, 0);
    },
  };
}

/**
 * The gist of sipp's error file, which holds whole messages: each distinct error line (sipp's
 * own, stamped with a date) and each status line of an unexpected response, with counts.
 */
function summarizeErrors(lines: readonly string[]): string {
  const seen = new Map<string, number>();
  for (const line of lines) {
    const status = /^\s*(SIP\/2\.0 \d{3}.*)$/.exec(line)?.[1];
    const error = /^\d{4}-\d\d-\d\d\s+[\d:.]+\s+[\d.]+:\s*(.*)$/.exec(line)?.[1];
    const key = status ?? error?.replace(/\d+/g, 'N');
    if (key !== undefined) {
      seen.set(key.trim(), (seen.get(key.trim()) ?? 0) + 1);
    }
  }
  return seen.size === 0
    ? lines.filter((l) => l.trim().length > 0).slice(0, 3).join(' | ')
    : [...seen].slice(0, 6).map(([text, n]) => `${n}x ${text}`).join('; ');
}

function readLines(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n');
  } catch {
    return [];
  }
}

/** `phase <call> <start s> <start us> <end s> <end us> <answered>`; sipp prints numbers as %lf. */
function parsePhase(line: string): CallPhase[] {
  const match = /^phase (\d+) ([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+)\s*$/.exec(line.trim());
  if (!match) {
    return [];
  }
  const n = match.slice(1).map(Number);
  const [call, startS, startUs, endS, endUs, answered] = n as [number, number, number, number, number, number];
  return [{ call, startMs: startS * 1000 + startUs / 1000, endMs: endS * 1000 + endUs / 1000, answered }];
}

/**
 * The INFO counters from the last row of sipp's counts CSV: columns are named
 * `<step>_<message>_<counter>`; the INFO is the step with `INFO_Sent`, its answer the first
 * `200_Recv` step after it.
 */
function parseCounts(lines: readonly string[]): InfoCounts | undefined {
  const rows = lines.filter((l) => l.trim().length > 0);
  const header = rows[0]?.split(';');
  const last = rows.at(-1)?.split(';');
  if (header === undefined || last === undefined || rows.length < 2) {
    return undefined;
  }
  const value = (column: string): number => {
    const index = header.indexOf(column);
    return index < 0 ? Number.NaN : Number(last[index]);
  };
  const infoColumn = header.find((c) => /^\d+_INFO_Sent$/.test(c));
  if (infoColumn === undefined) {
    return undefined;
  }
  const infoStep = Number(infoColumn.split('_')[0]);
  const answerColumn = header.find((c) => /^\d+_200_Recv$/.test(c) && Number(c.split('_')[0]) > infoStep);
  if (answerColumn === undefined) {
    return undefined;
  }
  const answerStep = answerColumn.split('_')[0];
  return {
    sent: value(`${infoStep}_INFO_Sent`),
    retransmitted: value(`${infoStep}_INFO_Retrans`),
    timedOut: value(`${infoStep}_INFO_Timeout`),
    answered: value(`${answerStep}_200_Recv`),
    unexpected: value(`${answerStep}_200_Unexp`),
    answerTimeouts: value(`${answerStep}_200_Timeout`),
  };
}
