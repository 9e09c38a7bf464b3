import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AgentEvent, AgentEventOf } from '../../common/agent-events';
import type { AgentCommand } from '../../common/agent-commands';
import { LineChild } from './line-child';

// The real headless agent (`node bin/switchboard.js agent --json`) as a bench child process:
// its JSON Lines events with the moment each arrived, waits on future events, the pid for
// /proc readings, and the open-dialog journal it keeps in its own state folder.

const BIN = fileURLToPath(new URL('../../bin/switchboard.js', import.meta.url));

/** An agent event and the `performance.now()` at which its line reached the bench. */
export type TimedEvent<E extends AgentEvent = AgentEvent> = { readonly at: number; readonly event: E };

/** What {@link AgentChild.start} needs. */
export type AgentChildOptions = {
  readonly server: string;
  readonly aor: string;
  /** `--trust` senders; `--auto-accept` is always on, so these are accepted without a click. */
  readonly trust: readonly string[];
  /** `--registry`: the extension registry (the echo sample installed) for channels. */
  readonly registry?: string;
  /** Node flags before the bin, e.g. `--inspect=127.0.0.1:0`. */
  readonly nodeFlags?: readonly string[];
};

/** Problems kept for the report; past this they are only counted. */
const MAX_PROBLEMS = 20;

/**
 * `switchboard agent --json --auto-accept --trust ...` as a child of the bench.
 * @remarks Events are parsed with `JSON.parse` only (the integration tests validate the schema):
 * on these two cores the bench must not spend CPU the agent could use. Nothing is kept per
 * event, so a soak of many thousand events holds constant memory here.
 */
export class AgentChild {
  /** Its `XDG_STATE_HOME`: the open-dialog journal lives under `switchboard/` in it. */
  readonly stateDir: string;
  readonly problems: string[] = [];
  private problemCount = 0;
  private readonly child: LineChild;
  private readonly listeners = new Set<(timed: TimedEvent) => void>();

  private constructor(options: AgentChildOptions) {
    this.stateDir = mkdtempSync(join(tmpdir(), 'sb-bench-state-'));
    const args = [
      ...(options.nodeFlags ?? []),
      BIN,
      'agent',
      '--json',
      '--auto-accept',
      '--server',
      options.server,
      '--aor',
      options.aor,
      ...(options.registry === undefined ? [] : ['--registry', options.registry]),
      // Variadic: kept last so that it swallows no other flag's value.
      '--trust',
      ...options.trust,
    ];
    this.child = new LineChild(process.execPath, args, (line) => this.onLine(line), {
      env: { ...process.env, XDG_STATE_HOME: this.stateDir },
    });
  }

  /** Starts the agent and waits (bounded) until it is registered. */
  static async start(options: AgentChildOptions, timeoutMs = 10_000): Promise<AgentChild> {
    const agent = new AgentChild(options);
    const registered = await Promise.race([
      agent.waitFor((e): e is AgentEventOf<'registered'> => e.type === 'registered', timeoutMs),
      agent.child.exited.then(() => undefined),
    ]);
    if (registered === undefined) {
      await agent.stop();
      throw new Error(`agent not registered within ${timeoutMs} ms; stderr: ${agent.stderr() || '(empty)'}`);
    }
    return agent;
  }

  get pid(): number {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.running;
  }

  /** Problems counted, listed or not (error events, refusals, unreadable lines). */
  get problemTotal(): number {
    return this.problemCount;
  }

  /** The last lines of its stderr. */
  stderr(): string {
    return this.child.stderr();
  }

  /** Calls `listener` with every event from now on; returns the unsubscribe. */
  on(listener: (timed: TimedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The first event from now on that `match` accepts, or undefined after `timeoutMs`. Call it
   * before the action that causes the event, so that a quick answer is not missed.
   */
  waitFor<E extends AgentEvent>(match: (event: AgentEvent) => event is E, timeoutMs: number): Promise<TimedEvent<E> | undefined> {
    return new Promise((resolve) => {
      const done = (value: TimedEvent<E> | undefined): void => {
        clearTimeout(timer);
        off();
        resolve(value);
      };
      const off = this.on((timed) => {
        if (match(timed.event)) {
          done({ at: timed.at, event: timed.event });
        }
      });
      const timer = setTimeout(() => done(undefined), timeoutMs);
      timer.unref();
    });
  }

  /** Starts keeping every event from now on, until the recording is disposed. */
  record(): Recording {
    return new Recording((listener) => this.on(listener));
  }

  /** Writes one command to its stdin. */
  send(command: AgentCommand): void {
    this.child.send(JSON.stringify(command));
  }

  /** The agent's `trace` answer (SIP trace and the dialogs seen in it), or undefined after `timeoutMs`. */
  async trace(timeoutMs = 5000): Promise<AgentEventOf<'trace'> | undefined> {
    const answer = this.waitFor((e): e is AgentEventOf<'trace'> => e.type === 'trace', timeoutMs);
    this.send({ cmd: 'trace' });
    return (await answer)?.event;
  }

  /**
   * The dialogs in its open-dialog journal: sip.js's own table of confirmed dialogs, as the
   * agent last wrote it (every 2 s when it changed; no file means none open).
   */
  journaledDialogs(): { kind: string; callId: string }[] {
    const folder = join(this.stateDir, 'switchboard');
    let files: string[];
    try {
      files = readdirSync(folder).filter((f) => f.startsWith('open-dialogs-') && f.endsWith('.json'));
    } catch {
      return [];
    }
    return files.flatMap((file) => {
      try {
        const parsed: unknown = JSON.parse(readFileSync(join(folder, file), 'utf8'));
        return Array.isArray(parsed) ? parsed.map((d: { kind?: unknown; callId?: unknown }) => ({ kind: String(d.kind), callId: String(d.callId) })) : [];
      } catch {
        return [];
      }
    });
  }

  /** Quits (bounded), SIGKILL when it does not, and removes its state folder. */
  async stop(): Promise<boolean> {
    const clean = await this.child.stop('{"cmd":"quit"}', 5000);
    rmSync(this.stateDir, { recursive: true, force: true });
    return clean;
  }

  /** Records a problem the bench saw (shown in its report). */
  problem(text: string): void {
    this.problemCount += 1;
    if (this.problems.length < MAX_PROBLEMS) {
      this.problems.push(text);
    }
  }

  private onLine(line: string): void {
    const at = performance.now();
    let event: AgentEvent;
    try {
      event = JSON.parse(line) as AgentEvent;
    } catch {
      this.problem(`not JSON on stdout: ${line.slice(0, 80)}`);
      return;
    }
    if (event.type === 'error' || event.type === 'channel.refused') {
      this.problem(`agent event ${line.slice(0, 200)}`);
    }
    for (const listener of [...this.listeners]) {
      listener({ at, event });
    }
  }
}

/**
 * The events of an {@link AgentChild} since the recording began, with waits that see past and
 * future events alike: an answer that arrives before the bench begins to wait is not missed.
 * For phases of a few dozen events; the soak's long phases count instead of keeping.
 */
export class Recording {
  readonly events: TimedEvent[] = [];
  private readonly wakers = new Set<() => void>();
  private readonly off: () => void;

  constructor(subscribe: (listener: (timed: TimedEvent) => void) => () => void) {
    this.off = subscribe((timed) => {
      this.events.push(timed);
      this.wakers.forEach((wake) => wake());
    });
  }

  /** The first recorded event (past or future) that `match` accepts, or undefined after `timeoutMs`. */
  waitFor<E extends AgentEvent>(match: (event: AgentEvent) => event is E, timeoutMs: number): Promise<TimedEvent<E> | undefined> {
    const find = (): TimedEvent<E> | undefined => {
      const found = this.events.find((timed) => match(timed.event));
      return found === undefined ? undefined : { at: found.at, event: found.event as E };
    };
    const now = find();
    if (now !== undefined) {
      return Promise.resolve(now);
    }
    return new Promise((resolve) => {
      const done = (value: TimedEvent<E> | undefined): void => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve(value);
      };
      const wake = (): void => {
        const found = find();
        if (found !== undefined) {
          done(found);
        }
      };
      const timer = setTimeout(() => done(undefined), timeoutMs);
      timer.unref();
      this.wakers.add(wake);
    });
  }

  /** Stops recording. */
  dispose(): void {
    this.off();
    this.wakers.clear();
  }
}
