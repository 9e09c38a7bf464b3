import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

// CPU time of other processes, from Linux's /proc: utime + stime of /proc/PID/stat (fields 14
// and 15, every thread of the process, GC and libuv threads included), in clock ticks.

let ticksPerSecond: number | undefined;

/** `getconf CLK_TCK` (the unit of utime and stime), read once; 100 where it cannot be read. */
function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 2000 }).trim());
      ticksPerSecond = Number.isInteger(value) && value > 0 ? value : 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** The fields of /proc/PID/stat after the command name (which may hold spaces); undefined once gone. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/**
 * User + system CPU of the processes `pids`, in milliseconds (clock-tick resolution, 10 ms
 * with the usual CLK_TCK of 100). A process that is gone counts 0, so compare two readings of
 * the same live set only.
 */
export function cpuMsOf(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const fields = statFields(pid);
    // After the name: [0] state (field 3), so utime (field 14) is [11] and stime [12].
    if (fields !== undefined) {
      ticks += Number(fields[11]) + Number(fields[12]);
    }
  }
  return (ticks * 1000) / clockTicksPerSecond();
}

/** Live (not zombie) members of process group `pgid`, e.g. Kamailio's main process and workers. */
export function processGroup(pgid: number): number[] {
  const members: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) {
      continue;
    }
    const fields = statFields(Number(name));
    // [2] is the process group (field 5).
    if (fields !== undefined && Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') {
      members.push(Number(name));
    }
  }
  return members;
}

/** Resident set size of `pid` in bytes, from /proc/PID/status; NaN once gone. */
export function rssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) * 1024;
  } catch {
    return Number.NaN;
  }
}

/**
 * The Chromium that Playwright started and its whole process group (renderers, GPU, network,
 * audio): its browser process is the one with `--remote-debugging-pipe` and no `--type=`.
 * Empty when none runs.
 */
export function chromiumProcessGroup(): number[] {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) {
      continue;
    }
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (cmdline.startsWith('/usr/lib/chromium/chromium') && cmdline.includes('--remote-debugging-pipe') && !cmdline.includes('--type=')) {
        return processGroup(Number(name));
      }
    } catch {
      // Gone meanwhile.
    }
  }
  return [];
}
