import { fileURLToPath } from 'node:url';
import { LineChild } from './line-child';

// The receivers of bench/channel-info.ts, each a process of its own registered as the same AoR:
// the headless agent (`switchboard agent --json`), a sip.js UA (support/sipjs-baseline-ua.ts)
// on a pristine sip.js ("plain") or on node_modules' patched one, and the rig's bare responder
// (support/bare-responder.ts). All tell the bench, on stdout, when a dialog is confirmed and
// when it ends, and how many INFOs they took.

const BIN = fileURLToPath(new URL('../../bin/switchboard.js', import.meta.url));
const BASELINE_UA = fileURLToPath(new URL('./sipjs-baseline-ua.ts', import.meta.url));
const BARE_RESPONDER = fileURLToPath(new URL('./bare-responder.ts', import.meta.url));

/**
 * Which receiver: the agent; `sip.js` on a pristine sip.js 0.21.2 (the issue's "plain sip.js");
 * `sip.js-patched` on node_modules' copy, patched at install as the agent's is; `bare`, the
 * rig's ceiling.
 */
export type ReceiverKind = 'agent' | 'sip.js' | 'sip.js-patched' | 'bare';
export const RECEIVER_KINDS: readonly ReceiverKind[] = ['agent', 'sip.js', 'sip.js-patched', 'bare'];

/** What starting a receiver needs. */
export type ReceiverOptions = {
  readonly server: string;
  readonly aor: string;
  /** Extension registry with the echo sample installed (agent only). */
  readonly registry: string;
  /** Writes a V8 CPU profile into this folder when the process exits (`--cpu-prof`). */
  readonly profileDir?: string;
  /** Dialogs per sipp run: the agent trusts the senders sip:sipp1@lab.local to this one. */
  readonly dialogs: number;
  /** The pristine sip.js package folder (`sip.js` only). */
  readonly pristineSipJs?: string;
  /** CPUs the receiver may run on (`taskset -c` list), every thread; anywhere when absent. */
  readonly cpus?: string;
};

/** `command args`, under `taskset -c cpus` when given (taskset execs it: the pid stays). */
function pinned(options: ReceiverOptions, command: string, args: readonly string[]): [string, string[]] {
  return options.cpus === undefined ? [command, [...args]] : ['taskset', ['-c', options.cpus, command, ...args]];
}

/**
 * The scenario's senders, one per call number: the agent admits at most 10 new INVITEs per
 * sender in 10 s (`core/agent/limits.ts`), and one run opens more dialogs than that.
 */
function sippSenders(dialogs: number): string[] {
  return Array.from({ length: dialogs }, (_, i) => `sip:sipp${i + 1}@lab.local`);
}

/** A running receiver. Counters only grow; a caller compares two readings. */
export interface InfoReceiver {
  readonly kind: ReceiverKind;
  readonly pid: number;
  readonly running: boolean;
  /** Dialogs confirmed by their ACK. */
  readonly established: number;
  /** Dialogs ended (BYE). */
  readonly ended: number;
  /** Problems seen on the way: out-of-order or repeated data, error events, unreadable lines. */
  readonly problems: readonly string[];
  /** Resolves once registered; rejects after `timeoutMs` or when the process exits first. */
  registered(timeoutMs: number): Promise<void>;
  /** INFOs delivered so far: the agent's `channel.data` events, the sip.js UA's answered INFOs. */
  delivered(): Promise<number>;
  /** Calls `listener` at once whenever a dialog is confirmed or ends; returns the unsubscribe. */
  onDialog(listener: () => void): () => void;
  /** Unregisters and exits (bounded); SIGKILL when it does not. Resolves whether it went cleanly. */
  stop(): Promise<boolean>;
  /** The last lines of its stderr. */
  stderr(): string;
}

/** Starts a receiver of `kind`. */
export function startReceiver(kind: ReceiverKind, options: ReceiverOptions): InfoReceiver {
  return kind === 'agent' ? new AgentReceiver(options) : new BaselineReceiver(kind, options);
}

const MAX_PROBLEMS = 10;

abstract class ReceiverBase implements InfoReceiver {
  abstract readonly kind: ReceiverKind;
  established = 0;
  ended = 0;
  readonly problems: string[] = [];
  protected child!: LineChild;
  private isRegistered = false;
  private readonly registeredWaiters = new Set<() => void>();
  private readonly dialogListeners = new Set<() => void>();
  private problemCount = 0;

  get pid(): number {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.running;
  }

  abstract delivered(): Promise<number>;
  abstract stop(): Promise<boolean>;

  registered(timeoutMs: number): Promise<void> {
    if (this.isRegistered) {
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const done = (error?: Error): void => {
        clearTimeout(timer);
        this.registeredWaiters.delete(wake);
        if (error) {
          reject(error);
        } else {
          resolve();
        }
      };
      const wake = (): void => done();
      const timer = setTimeout(() => done(new Error(`${this.kind} not registered within ${timeoutMs} ms; stderr: ${this.stderr() || '(empty)'}`)), timeoutMs);
      timer.unref();
      this.registeredWaiters.add(wake);
      void this.child.exited.then((code) => done(new Error(`${this.kind} exited (${code ?? 'signal'}) before registering; stderr: ${this.stderr() || '(empty)'}`)));
    });
  }

  onDialog(listener: () => void): () => void {
    this.dialogListeners.add(listener);
    return () => this.dialogListeners.delete(listener);
  }

  stderr(): string {
    return this.child.stderr();
  }

  protected markRegistered(): void {
    this.isRegistered = true;
    this.registeredWaiters.forEach((wake) => wake());
  }

  protected dialogChanged(): void {
    this.dialogListeners.forEach((listener) => listener());
  }

  /** One JSON object per stdout line, as both receivers write them; anything else is a problem. */
  protected parseLine(line: string): Record<string, unknown> | undefined {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      this.problem(`not JSON on stdout: ${line.slice(0, 80)}`);
      return undefined;
    }
  }

  protected problem(text: string): void {
    this.problemCount += 1;
    if (this.problems.length < MAX_PROBLEMS) {
      this.problems.push(text);
    } else if (this.problems.length === MAX_PROBLEMS) {
      this.problems.push('(more problems not listed)');
    }
  }

  /** Problems counted, listed or not. */
  get problemTotal(): number {
    return this.problemCount;
  }
}

/** The body the scenario sends: `{"call":<n>,"cseq":<n>}` and sipp's CRLF. */
type ScenarioBody = { call?: unknown; cseq?: unknown };

/**
 * `switchboard agent --json --auto-accept --trust sip:sipp1@lab.local ... --registry DIR`: counts `channel.data` events and
 * checks that each channel's data arrives once and in order (CSeq 2, 3, ... as sipp numbers
 * them), from the JSON Lines on its stdout.
 */
class AgentReceiver extends ReceiverBase {
  readonly kind = 'agent';
  private data = 0;
  private readonly lastCseq = new Map<string, number>();

  constructor(options: ReceiverOptions) {
    super();
    const profile = options.profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`];
    // `BENCH_INFO_AGENT_NODE_FLAGS`: Node/V8 flags for the agent only, to try one (e.g. a GC setting).
    const flags = (process.env['BENCH_INFO_AGENT_NODE_FLAGS'] ?? '').split(' ').filter((f) => f !== '');
    const [command, args] = pinned(options, process.execPath, [
      ...flags,
      ...profile,
      BIN,
      'agent',
      '--json',
      '--auto-accept',
      '--trust',
      ...sippSenders(options.dialogs),
      '--registry',
      options.registry,
      '--server',
      options.server,
      '--aor',
      options.aor,
    ]);
    this.child = new LineChild(command, args, (line) => this.onLine(line));
  }

  delivered(): Promise<number> {
    return Promise.resolve(this.data);
  }

  stop(): Promise<boolean> {
    return this.child.stop('{"cmd":"quit"}', 5000);
  }

  private onLine(line: string): void {
    const event = this.parseLine(line);
    if (!event) {
      return;
    }
    switch (event['type']) {
      case 'channel.data':
        this.data += 1;
        this.checkOrder(event);
        return;
      case 'registered':
        this.markRegistered();
        return;
      case 'channel.state':
        if (event['state'] === 'Established') {
          this.established += 1;
          this.dialogChanged();
        } else if (event['state'] === 'Terminated') {
          this.ended += 1;
          this.dialogChanged();
        }
        return;
      case 'error':
      case 'channel.refused':
        this.problem(`agent event ${line.slice(0, 160)}`);
        return;
    }
  }

  private checkOrder(event: Record<string, unknown>): void {
    const channel = String(event['channelId']);
    let cseq: number | undefined;
    try {
      const body = JSON.parse(String(event['body'])) as ScenarioBody;
      cseq = typeof body.cseq === 'number' ? body.cseq : undefined;
    } catch {
      cseq = undefined;
    }
    if (cseq === undefined) {
      this.problem(`channel.data on ${channel} with a body not from the scenario: ${String(event['body']).slice(0, 60)}`);
      return;
    }
    // The first INFO of a dialog is CSeq 2 (the INVITE was 1).
    const expected = (this.lastCseq.get(channel) ?? 1) + 1;
    if (cseq !== expected) {
      this.problem(`channel.data on ${channel}: CSeq ${cseq} where ${expected} was due (lost, repeated or reordered)`);
    }
    this.lastCseq.set(channel, cseq);
  }
}

/**
 * support/sipjs-baseline-ua.ts (on the pristine sip.js for `sip.js`, node_modules' for
 * `sip.js-patched`) or support/bare-responder.ts, under tsx: counts come from its `stats` answer.
 */
class BaselineReceiver extends ReceiverBase {
  private readonly statsWaiters: ((infos: number) => void)[] = [];

  constructor(
    readonly kind: Exclude<ReceiverKind, 'agent'>,
    options: ReceiverOptions,
  ) {
    super();
    const profile = options.profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`];
    let script = [BASELINE_UA, options.server, options.aor];
    if (kind === 'bare') {
      script = [BARE_RESPONDER, options.server, options.aor];
    } else if (kind === 'sip.js') {
      if (options.pristineSipJs === undefined) {
        throw new Error('the plain sip.js baseline needs the pristine sip.js folder');
      }
      script.push(options.pristineSipJs);
    }
    const [command, args] = pinned(options, process.execPath, [...profile, '--import', 'tsx', ...script]);
    this.child = new LineChild(command, args, (line) => this.onLine(line));
  }

  delivered(): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the sip.js UA did not answer `stats` within 5 s')), 5000);
      timer.unref();
      this.statsWaiters.push((infos) => {
        clearTimeout(timer);
        resolve(infos);
      });
      this.child.send('stats');
    });
  }

  stop(): Promise<boolean> {
    return this.child.stop('quit', 5000);
  }

  private onLine(line: string): void {
    const event = this.parseLine(line);
    if (!event) {
      return;
    }
    switch (event['type']) {
      case 'registered':
        this.markRegistered();
        return;
      case 'ack':
        this.established += 1;
        this.dialogChanged();
        return;
      case 'bye':
        this.ended += 1;
        this.dialogChanged();
        return;
      case 'stats':
        this.statsWaiters.shift()?.(Number(event['infos']));
        return;
    }
  }
}
