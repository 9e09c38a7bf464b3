import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

// Child processes of a bench (receivers, sipp) that must never outlive it: every live one is
// SIGKILLed from the process 'exit' hook, which also runs when bench/run.ts exits on Ctrl-C.
// A headless agent in particular keeps running when its stdin closes (README: end of input is
// not a quit), so nothing else would stop it.

const live = new Set<ChildProcess>();
let hookInstalled = false;

function installExitHook(): void {
  if (hookInstalled) {
    return;
  }
  hookInstalled = true;
  process.on('exit', () => {
    for (const child of live) {
      child.kill('SIGKILL');
    }
  });
}

/**
 * A child process whose stdout is read line by line as fast as it comes (a writer blocked on a
 * full pipe would be measured as slow), with the last lines of its stderr kept for errors.
 */
export class LineChild {
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private readonly stderrTail: string[] = [];
  private partial = '';
  private exitCode: number | null | undefined;

  constructor(command: string, args: readonly string[], onLine: (line: string) => void, options: SpawnOptions = {}) {
    installExitHook();
    this.child = spawn(command, args, { ...options, stdio: ['pipe', 'pipe', 'pipe'] });
    live.add(this.child);
    this.child.stdout?.setEncoding('utf8');
    this.child.stdout?.on('data', (chunk: string) => {
      const parts = (this.partial + chunk).split('\n');
      this.partial = parts.pop() ?? '';
      for (const line of parts) {
        onLine(line);
      }
    });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      this.stderrTail.push(...chunk.split('\n').filter((l) => l.length > 0));
      this.stderrTail.splice(0, Math.max(0, this.stderrTail.length - 30));
    });
    // A child that dies early must not take the bench down with EPIPE.
    this.child.stdin?.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      const done = (code: number | null): void => {
        live.delete(this.child);
        this.exitCode = code;
        resolve(code);
      };
      this.child.once('exit', (code, signal) => done(code ?? (signal === null ? null : -1)));
      this.child.once('error', (error) => {
        this.stderrTail.push(`spawn failed: ${error.message}`);
        done(-1);
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** The last lines the child wrote to stderr. */
  stderr(): string {
    return this.stderrTail.join('\n');
  }

  /** Writes one line to the child's stdin. */
  send(line: string): void {
    if (this.running) {
      this.child.stdin?.write(`${line}\n`);
    }
  }

  /**
   * Asks the child to stop with `quitLine` on stdin (when given), waits up to `graceMs`, then
   * SIGKILLs it and waits (bounded) for the exit.
   * @returns whether it stopped on its own.
   */
  async stop(quitLine: string | undefined, graceMs: number): Promise<boolean> {
    if (!this.running) {
      return true;
    }
    if (quitLine !== undefined) {
      this.send(quitLine);
    }
    const clean = await Promise.race([this.exited.then(() => true), delay(graceMs).then(() => false)]);
    if (!clean) {
      this.child.kill('SIGKILL');
      await Promise.race([this.exited, delay(3000)]);
    }
    return clean;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
