/**
 * The process groups the lab started (Kamailio, rtpengine, Janus…), killed when this process
 * exits however it exits, so no daemon outlives a test run or a lab.
 * @packageDocumentation
 */

const live = new Set<number>();
let hooked = false;

/** Remembers a process group the lab started (its leader's pid, spawned `detached`). */
export function trackProcessGroup(pgid: number): void {
  if (!hooked) {
    hooked = true;
    process.on('exit', () => {
      for (const group of live) {
        try {
          process.kill(-group, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    });
  }
  live.add(pgid);
}

/** The group is gone (stopped or exited): nothing to kill at exit. */
export function forgetProcessGroup(pgid: number): void {
  live.delete(pgid);
}
