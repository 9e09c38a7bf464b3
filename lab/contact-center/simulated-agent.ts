/**
 * One simulated contact-center agent: the real headless agent (`switchboard agent --json
 * --auto-accept`) as a child process, driven by {@link SimulatedAgentScript} through its JSON
 * commands on stdin, its JSON events read from stdout (the contract in README, "The
 * `switchboard` command"). The embedded lab runs two of them so that routing by skill has
 * somewhere to go besides the desktop's own agent.
 *
 * The child gets a folder of its own (a registry with the `crm-context` package installed, and
 * its state folder), its own process group tracked by `lab/support/process-groups.ts` so it dies
 * with the lab however the lab ends, and is stopped with SIGTERM (it leaves its conferences and
 * unregisters), then SIGKILL if it has not exited in time.
 * @packageDocumentation
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { AgentCommand } from '../../common/agent-commands';
import { agentEventSchema, type AgentEvent } from '../../common/agent-events';
import type { Logger } from '../../core/ports/logger';
import { forgetProcessGroup, trackProcessGroup } from '../support/process-groups';
import { SimulatedAgentScript, type ScriptStep, type SimulatedAgentPauses, type SimulatedAgentProfile } from './simulated-agent-script';

/** Options of {@link startSimulatedAgent}. @public */
export type SimulatedAgentOptions = {
  /** The package root: `bin/switchboard.js` and `out/extensions/crm-context` are below it. */
  readonly appRoot: string;
  /** Where the agent registers (the lab's `ws://127.0.0.1:PORT`). */
  readonly wsUrl: string;
  /** The contact center's SIP identity: trusted, so its offers and panes are accepted at once. */
  readonly trust: string;
  readonly profile: SimulatedAgentProfile;
  readonly logger: Logger;
  readonly pauses?: Partial<SimulatedAgentPauses>;
  /** How long the agent may take to register; default 20 s. */
  readonly startTimeoutMs?: number;
  /** How long `stop` waits after SIGTERM before SIGKILL; default 5 s. */
  readonly stopTimeoutMs?: number;
  /** Aborting it while the agent starts kills it and rejects the start. */
  readonly signal?: AbortSignal;
};

/** A running simulated agent. @public */
export type SimulatedAgent = {
  readonly aor: string;
  readonly name: string;
  readonly pid: number;
  /** Resolves when the process has exited (stopped, or on its own: the lab's log says which). */
  readonly exited: Promise<void>;
  /** Every event of the agent, as it arrives (for tests and measurements); returns the unsubscribe. */
  onEvent(listener: (event: AgentEvent) => void): () => void;
  /** SIGTERM (the agent leaves and unregisters), SIGKILL after `stopTimeoutMs`; removes its folder. Idempotent. */
  stop(): Promise<void>;
};

/** Lines of the agent's stderr kept for the reason of a failed start. */
const STDERR_TAIL = 20;

/**
 * Starts one simulated agent and resolves once it is registered.
 * @throws when it cannot be installed, exits, or is not registered within `startTimeoutMs`
 * (the child is then killed and its folder removed)
 * @public
 */
export async function startSimulatedAgent(options: SimulatedAgentOptions): Promise<SimulatedAgent> {
  const folder = await mkdtemp(join(tmpdir(), 'sb-simulated-agent-'));
  try {
    await installCrmContext(options.appRoot, join(folder, 'extensions'), options.signal);
    const agent = new SimulatedAgentProcess(options, folder);
    await agent.started(options.startTimeoutMs ?? 20_000, options.signal);
    return agent;
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
}

/** The bin file and the environment a child `switchboard` runs with. */
function childCommand(appRoot: string, extraEnv: NodeJS.ProcessEnv = {}): { bin: string; env: NodeJS.ProcessEnv } {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv };
  // The lab's agents need no password, and must not see the user's own account's.
  delete env['SWITCHBOARD_PASSWORD'];
  if (process.versions['electron'] !== undefined) {
    // Inside the Electron shell `process.execPath` is Electron itself: run it as plain Node.
    env['ELECTRON_RUN_AS_NODE'] = '1';
  }
  return { bin: join(appRoot, 'bin', 'switchboard.js'), env };
}

/** `switchboard extensions install <appRoot>/out/extensions/crm-context --registry <dir>`, as tests do. */
function installCrmContext(appRoot: string, registry: string, signal: AbortSignal | undefined): Promise<void> {
  const { bin, env } = childCommand(appRoot);
  const args = [bin, 'extensions', 'install', join(appRoot, 'out', 'extensions', 'crm-context'), '--registry', registry];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { env, timeout: 15_000, ...(signal !== undefined && { signal }) }, (error, _stdout, stderr) => {
      if (error) {
        reject(new Error(`crm-context did not install (${stderr.trim().split('\n').at(-1) ?? error.message})`));
      } else {
        resolve();
      }
    });
  });
}

/** The child process, its event stream fed to the script, and the script's steps carried out. */
class SimulatedAgentProcess implements SimulatedAgent {
  readonly aor: string;
  readonly name: string;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly script: SimulatedAgentScript;
  private readonly log: Logger;
  private readonly listeners = new Set<(event: AgentEvent) => void>();
  /** Commands waiting for their pause, by conversation. */
  private readonly pending = new Map<string, Set<NodeJS.Timeout>>();
  private readonly stderrTail: string[] = [];
  readonly exited: Promise<void>;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly options: SimulatedAgentOptions,
    private readonly folder: string,
  ) {
    const { profile } = options;
    this.aor = profile.aor;
    this.name = profile.name;
    this.log = options.logger;
    this.script = new SimulatedAgentScript(profile, { ...(options.pauses !== undefined && { pauses: options.pauses }) });
    const { bin, env } = childCommand(options.appRoot, { XDG_STATE_HOME: join(folder, 'state') });
    const args = [bin, 'agent', '--json', '--server', options.wsUrl, '--aor', profile.aor, '--auto-accept', '--trust', options.trust, '--registry', join(folder, 'extensions')];
    // Its own process group: a terminal's Ctrl-C reaches only the lab, which sends one SIGTERM
    // in `stop` (two signals would make the agent skip its clean leave, as in lab/demo.ts).
    this.child = spawn(process.execPath, args, { env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    if (this.child.pid !== undefined) {
      trackProcessGroup(this.child.pid);
    }
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => this.onExit(code, signal, resolve)));
    // An agent that died leaves a closed stdin; a command written then must not take the lab down.
    this.child.stdin.on('error', (error) => this.log.debug('stdin closed', { error: String(error) }));
    createInterface({ input: this.child.stdout }).on('line', (line) => this.onLine(line));
    createInterface({ input: this.child.stderr }).on('line', (line) => {
      this.stderrTail.push(line);
      this.stderrTail.splice(0, Math.max(0, this.stderrTail.length - STDERR_TAIL));
      this.log.debug('agent log', { line });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  onEvent(listener: (event: AgentEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves at `registered`; rejects (and kills the agent) on exit, timeout or abort. */
  started(timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const done = (error?: Error): void => {
        if (settled) {
          return;
        }
        settled = true;
        clearTimeout(timer);
        off();
        signal?.removeEventListener('abort', aborted);
        if (error) {
          void this.stop().finally(() => reject(error));
        } else {
          resolve();
        }
      };
      const off = this.onEvent((event) => event.type === 'registered' && done());
      const timer = setTimeout(() => done(new Error(`not registered within ${timeoutMs} ms${this.tail()}`)), timeoutMs);
      const aborted = (): void => done(new Error('stopped while starting'));
      signal?.addEventListener('abort', aborted, { once: true });
      void this.exited.then(() => done(new Error(`the agent exited before it registered${this.tail()}`)));
      if (signal?.aborted === true) {
        aborted();
      }
    });
  }

  stop(): Promise<void> {
    this.stopping ??= this.terminate();
    return this.stopping;
  }

  private async terminate(): Promise<void> {
    this.pending.forEach((timers) => timers.forEach((t) => clearTimeout(t)));
    this.pending.clear();
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.signalGroup('SIGTERM');
      const killed = setTimeout(() => {
        this.log.warn('the agent did not stop in time; killing it', { aor: this.aor, afterMs: this.options.stopTimeoutMs ?? 5000 });
        this.signalGroup('SIGKILL');
      }, this.options.stopTimeoutMs ?? 5000);
      await this.exited;
      clearTimeout(killed);
    }
    if (this.child.pid !== undefined) {
      forgetProcessGroup(this.child.pid);
    }
    await rm(this.folder, { recursive: true, force: true });
  }

  private signalGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      // Already gone.
    }
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null, resolve: () => void): void {
    if (this.stopping === undefined) {
      this.log.warn('the simulated agent exited on its own; its skill has one agent fewer', { aor: this.aor, code: code ?? undefined, signal: signal ?? undefined, stderr: this.stderrTail.slice(-3).join(' | ') });
    } else {
      this.log.info('simulated agent stopped', { aor: this.aor, code: code ?? undefined, signal: signal ?? undefined });
    }
    this.pending.forEach((timers) => timers.forEach((t) => clearTimeout(t)));
    this.pending.clear();
    resolve();
  }

  private onLine(line: string): void {
    let event: AgentEvent;
    try {
      event = agentEventSchema.parse(JSON.parse(line));
    } catch {
      this.log.warn('not an agent event on stdout; ignored', { line: line.slice(0, 200) });
      return;
    }
    this.describe(event);
    this.listeners.forEach((listener) => listener(event));
    for (const step of this.script.react(event, performance.now())) {
      this.carryOut(step);
    }
  }

  /** The agent's own milestones in the lab's log (the script logs the conversations). */
  private describe(event: AgentEvent): void {
    if (event.type === 'registered') {
      this.log.info('simulated agent signed in', { aor: event.aor, name: this.name, skill: this.options.profile.skill });
    } else if (event.type === 'invitation') {
      this.log.info('offered a conversation', { subject: event.subject, from: event.from });
    } else if (event.type === 'error') {
      this.log.warn('the agent reported an error', { code: event.code, message: event.message });
    } else if (event.type === 'connection' && (event.state === 'lost' || event.state === 'reconnecting')) {
      this.log.warn('the agent lost the lab', { state: event.state, reason: event.reason });
    }
  }

  private carryOut(step: ScriptStep): void {
    switch (step.kind) {
      case 'log':
        this.log[step.level](step.message, step.fields);
        return;
      case 'cancel':
        this.pending.get(step.conversation)?.forEach((t) => clearTimeout(t));
        this.pending.delete(step.conversation);
        return;
      case 'command': {
        const timers = this.pending.get(step.conversation) ?? new Set<NodeJS.Timeout>();
        this.pending.set(step.conversation, timers);
        const timer = setTimeout(() => {
          timers.delete(timer);
          this.log.info(step.note, { conversation: step.conversation });
          this.send(step.command);
        }, step.afterMs);
        timers.add(timer);
        return;
      }
    }
  }

  private send(command: AgentCommand): void {
    if (this.stopping === undefined && this.child.stdin.writable) {
      this.child.stdin.write(`${JSON.stringify(command)}\n`);
    }
  }

  private tail(): string {
    return this.stderrTail.length === 0 ? '' : `; its log ends:\n${this.stderrTail.slice(-5).join('\n')}`;
  }
}
