import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const BIN = fileURLToPath(new URL('../../bin/switchboard.js', import.meta.url));

/**
 * The real `switchboard web` as a child process (the bin itself: npm would not forward
 * signals), with the URL it prints and its log lines.
 */
export class WebHostProcess {
  readonly stderrLines: string[] = [];
  readonly url: Promise<string>;
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcessWithoutNullStreams;

  constructor(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, [BIN, 'web', ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
    this.url = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`switchboard web printed no URL in 15 s; stderr:\n${this.stderrLines.join('\n')}`)), 15_000);
      createInterface({ input: this.child.stdout }).on('line', (line) => {
        const match = /Open (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(line);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      void this.exited.then((code) => reject(new Error(`switchboard web exited with ${code}:\n${this.stderrLines.join('\n')}`)));
    });
    createInterface({ input: this.child.stderr }).on('line', (line) => {
      this.stderrLines.push(line);
      if (this.stderrLines.length > 1000) {
        this.stderrLines.shift();
      }
    });
  }

  /** The process id, for CPU and memory readings. */
  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** SIGTERM, then the exit code (SIGKILL after `timeoutMs`). */
  async stop(timeoutMs = 10_000): Promise<number | null> {
    if (this.child.exitCode !== null) {
      return this.child.exitCode;
    }
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}
