import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { agentEventSchema, type AgentEvent } from '../../common/agent-events';
import { EventWaiters } from './event-waiters';

const BIN = fileURLToPath(new URL('../../bin/switchboard.js', import.meta.url));

/** A received event with the monotonic time it arrived. */
export type TimedEvent = { readonly at: number; readonly event: AgentEvent };

/**
 * The real `switchboard agent --json` as a child process (started as the bin file itself:
 * npm would not forward signals, lab-notes.md), with its event stream parsed and validated
 * against the contract in common/.
 */
export class AgentProcess {
  readonly events: TimedEvent[] = [];
  readonly stderrLines: string[] = [];
  readonly startedAt = performance.now();
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiters = new EventWaiters<TimedEvent>(this.events);

  constructor(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, [BIN, 'agent', '--json', ...args], {
      // Each agent gets its own state folder (the open-dialog journal) unless a test shares one
      // on purpose: a killed agent of one test must not end dialogs at the next one's start.
      env: { ...process.env, XDG_STATE_HOME: mkdtempSync(join(tmpdir(), 'sb-state-')), ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const event = agentEventSchema.parse(JSON.parse(line));
      this.events.push({ at: performance.now(), event });
      this.waiters.notify();
    });
    createInterface({ input: this.child.stderr }).on('line', (line) => {
      this.stderrLines.push(line);
      if (this.stderrLines.length > 500) {
        this.stderrLines.shift();
      }
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => {
      resolve(code);
      this.waiters.notify();
    }));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Waits for the first event after index `from` matching `match`; fails with the log tail. */
  waitFor(match: (event: AgentEvent) => boolean, timeoutMs = 10_000, from = 0): Promise<TimedEvent> {
    return this.waiters.waitFor(
      (e) => match(e.event),
      timeoutMs,
      from,
      () => `no matching event within ${timeoutMs} ms; events: ${JSON.stringify(this.events.map((e) => e.event))}\nstderr tail:\n${this.stderrLines.slice(-15).join('\n')}`,
    );
  }

  /** Waits for an event of `type`, optionally matching more fields. */
  waitForType<T extends AgentEvent['type']>(type: T, timeoutMs = 10_000, from = 0, where: (e: Extract<AgentEvent, { type: T }>) => boolean = () => true): Promise<TimedEvent & { event: Extract<AgentEvent, { type: T }> }> {
    return this.waitFor((e) => e.type === type && where(e as Extract<AgentEvent, { type: T }>), timeoutMs, from) as Promise<
      TimedEvent & { event: Extract<AgentEvent, { type: T }> }
    >;
  }

  /** Writes one command line to stdin. */
  send(command: Record<string, unknown>): void {
    this.child.stdin.write(`${JSON.stringify(command)}\n`);
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Resident set size in KiB, from /proc. */
  rssKiB(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 'NaN');
  }

  /** Kills the process if it is still running and waits for it to exit (bounded). */
  async dispose(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGKILL');
    }
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 3000))]);
  }
}
