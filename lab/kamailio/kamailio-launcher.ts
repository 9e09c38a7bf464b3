import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startRtpengine, type RtpengineHandle } from '../rtpengine/rtpengine-launcher';
import { freeTcpPort, freeUdpPort } from '../support/free-port';
import { forgetProcessGroup, trackProcessGroup } from '../support/process-groups';
import { renderKamailioConfig, type KamailioConfigOptions } from './kamailio-config';
import type { MediaRelayTarget } from './media-relay-config';

/**
 * Options for {@link startKamailio}: the config options with optional ports, plus process limits.
 * @public
 */
export interface KamailioLaunchOptions extends Omit<KamailioConfigOptions, 'udpPort' | 'wsPort' | 'mediaRelay'> {
  /**
   * The media relay for plain-RTP peers: an rtpengine already running, or `'start'` for a
   * private one on loopback (lab/rtpengine), started before Kamailio and stopped after it.
   * Needs `rtpengine-daemon`.
   */
  mediaRelay?: MediaRelayTarget | 'start';
  /** UDP SIP port; a free loopback port is picked when omitted. */
  udpPort?: number;
  /** WebSocket/JSON-RPC TCP port; a free loopback port is picked when omitted. */
  wsPort?: number;
  /** Path of the kamailio binary; searched in PATH and the sbin folders when omitted. */
  binary?: string;
  /** How long a start or restart may take before failing, in ms; defaults to 10 000. */
  readyTimeoutMs?: number;
  /** How long {@link KamailioHandle.stop} waits after SIGTERM before SIGKILL, in ms; defaults to 5 000. */
  stopTimeoutMs?: number;
  /**
   * Shared memory in MiB (`-m`); defaults to 64. Each relayed transaction is kept about 14 KiB
   * for tm's 5 s wait timer, so loads near 1,000 requests per second need about 256.
   */
  sharedMemoryMiB?: number;
  /**
   * Whether Kamailio is the presence server too (PUBLISH, presence SUBSCRIBE/NOTIFY); default
   * true, with its db_text folder in the run directory. Needs `kamailio-presence-modules`.
   */
  presence?: boolean;
}

/**
 * One address of record in Kamailio's location table.
 * @public
 */
export interface KamailioLocation {
  /** The AoR as usrloc stores it (the user part, since domains are not used). */
  aor: string;
  /** Number of registered contacts for it. */
  contacts: number;
}

/**
 * Per-call options for {@link KamailioHandle.rpc}.
 * @public
 */
export interface KamailioRpcOptions {
  /** Client-side timeout in ms; defaults to 2 000. */
  timeoutMs?: number;
}

/**
 * A running Kamailio started by {@link startKamailio}.
 * @public
 */
export interface KamailioHandle {
  /** UDP SIP port on 127.0.0.1. */
  readonly udpPort: number;
  /** WebSocket SIP and HTTP JSON-RPC port on 127.0.0.1. */
  readonly wsPort: number;
  /** `ws://127.0.0.1:wsPort`, for SIP over WebSocket clients. */
  readonly wsUrl: string;
  /** SIP domain the registrar serves. */
  readonly domain: string;
  /** PID of the current main process (changes on {@link KamailioHandle.restart}). */
  readonly pid: number;
  /** Path of the generated kamailio.cfg. */
  readonly configPath: string;
  /** Calls a Kamailio RPC command over JSON-RPC and returns its `result`. */
  rpc(method: string, params?: readonly unknown[], options?: KamailioRpcOptions): Promise<unknown>;
  /** The location table (`ul.dump`), one entry per address of record. */
  locations(): Promise<KamailioLocation[]>;
  /** Freezes every Kamailio process with SIGSTOP; resolves once all are stopped. */
  pause(): Promise<void>;
  /** Thaws the processes frozen by {@link KamailioHandle.pause} with SIGCONT. */
  resume(): Promise<void>;
  /** Kills every Kamailio process with SIGKILL and waits until they are gone. */
  kill(): Promise<void>;
  /** Starts Kamailio again on the same ports and config (killing it first if running). */
  restart(): Promise<void>;
  /** SIGTERM, bounded wait, then SIGKILL; removes the temporary directory. */
  stop(): Promise<void>;
  /** The last lines Kamailio wrote to stderr/stdout. */
  stderrTail(): string;
  /** The rtpengine started for `mediaRelay: 'start'` (stopped with Kamailio), else undefined. */
  readonly mediaRelay: RtpengineHandle | undefined;
}

const INSTALL_HINT = 'install it with `apt-get install kamailio kamailio-websocket-modules`';
const SBIN_DIRS = ['/usr/sbin', '/usr/local/sbin', '/sbin'];
const TAIL_LINES = 200;
const POLL_INTERVAL_MS = 50;
const READY_PROBE_TIMEOUT_MS = 500;
const DEFAULT_READY_TIMEOUT_MS = 10_000;
const DEFAULT_STOP_TIMEOUT_MS = 5_000;
const DEFAULT_RPC_TIMEOUT_MS = 2_000;
const SIGNAL_SETTLE_TIMEOUT_MS = 2_000;
const KILL_WAIT_TIMEOUT_MS = 5_000;



/** Keeps the last {@link TAIL_LINES} lines of a child's output. */
class LineTail {
  private readonly lines: string[] = [];
  private partial = '';

  push(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      this.add(line);
    }
    // A line without newline that never ends must not grow without bound.
    if (this.partial.length > 64 * 1024) {
      this.add(this.partial);
      this.partial = '';
    }
  }

  add(line: string): void {
    this.lines.push(line);
    if (this.lines.length > TAIL_LINES) {
      this.lines.splice(0, this.lines.length - TAIL_LINES);
    }
  }

  text(): string {
    return [...this.lines, ...(this.partial ? [this.partial] : [])].join('\n');
  }
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds kamailio in PATH or the sbin folders, which are often missing from a non-root PATH. */
async function findKamailio(explicit: string | undefined): Promise<string> {
  if (explicit !== undefined) {
    if (await isExecutable(explicit)) {
      return explicit;
    }
    throw new Error(`kamailio binary ${explicit} is not executable; ${INSTALL_HINT}`);
  }
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter((d) => d.length > 0), ...SBIN_DIRS];
  for (const dir of dirs) {
    const candidate = join(dir, 'kamailio');
    if (await isExecutable(candidate)) {
      return candidate;
    }
  }
  throw new Error(`kamailio binary not found in PATH or ${SBIN_DIRS.join(', ')}; ${INSTALL_HINT}`);
}

interface ProcStat {
  pid: number;
  state: string;
}

/**
 * Members of a process group, read from /proc.
 * @remarks Zombies are left out: Kamailio's workers are reparented to PID 1 when the main process
 * dies, and a PID 1 that does not reap leaves zombies that hold no sockets but still answer kill(0).
 */
async function groupMembers(pgid: number): Promise<ProcStat[]> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const members: ProcStat[] = [];
  await Promise.all(
    entries
      .filter((name) => /^\d+$/.test(name))
      .map(async (name) => {
        let stat: string;
        try {
          stat = await readFile(`/proc/${name}/stat`, 'utf8');
        } catch {
          return;
        }
        // The command name is in parentheses and may contain spaces: parse after the last ')'.
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const state = fields[0] ?? '';
        if (Number(fields[2]) === pgid && state !== 'Z' && state !== 'X') {
          members.push({ pid: Number(name), state });
        }
      }),
  );
  return members;
}

async function waitFor(predicate: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) {
      return true;
    }
    if (Date.now() >= deadline) {
      return false;
    }
    await sleep(20);
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') {
      throw error;
    }
  }
}

/** POSTs one JSON-RPC 2.0 call to Kamailio's `/RPC` and returns `result` (JSON-RPC 2.0 spec). */
function jsonRpc(port: number, method: string, params: readonly unknown[] | undefined, timeoutMs: number): Promise<unknown> {
  const body = JSON.stringify({ jsonrpc: '2.0', method, ...(params ? { params } : {}), id: 1 });
  return new Promise<unknown>((resolve, reject) => {
    // agent: false so a connection to a frozen or restarted Kamailio is never reused.
    const req = request({
      host: '127.0.0.1',
      port,
      path: '/RPC',
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    const timer = setTimeout(() => {
      req.destroy(new Error(`JSON-RPC ${method} on 127.0.0.1:${port} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    req.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      res.once('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          reject(new Error(`JSON-RPC ${method}: HTTP ${res.statusCode ?? '?'} with non-JSON body ${text.slice(0, 200)}`));
          return;
        }
        if (typeof parsed !== 'object' || parsed === null) {
          reject(new Error(`JSON-RPC ${method}: unexpected reply ${text.slice(0, 200)}`));
          return;
        }
        const reply = parsed as { result?: unknown; error?: { code?: unknown; message?: unknown } };
        if (reply.error !== undefined) {
          reject(new Error(`JSON-RPC ${method} failed: ${String(reply.error.code)} ${String(reply.error.message)}`));
          return;
        }
        resolve(reply.result);
      });
    });
    req.end(body);
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Extracts AoRs and contact counts from a `ul.dump` result.
 * @remarks Kamailio 5.6 shape: `{ Domains: [{ Domain: { Domain, AoRs: [{ Info: { AoR, Contacts:
 * [{ Contact: {...} }] } }] } }] }` (usrloc module documentation, RPC `ul.dump`).
 */
function parseUlDump(result: unknown): KamailioLocation[] {
  const locations: KamailioLocation[] = [];
  const domains = isRecord(result) && Array.isArray(result.Domains) ? result.Domains : [];
  for (const entry of domains) {
    const domain = isRecord(entry) && isRecord(entry.Domain) ? entry.Domain : undefined;
    const aors = domain && Array.isArray(domain.AoRs) ? domain.AoRs : [];
    for (const aorEntry of aors) {
      const info = isRecord(aorEntry) && isRecord(aorEntry.Info) ? aorEntry.Info : undefined;
      if (info && typeof info.AoR === 'string') {
        locations.push({ aor: info.AoR, contacts: Array.isArray(info.Contacts) ? info.Contacts.length : 0 });
      }
    }
  }
  return locations;
}

function checkConfig(binary: string, configPath: string): Promise<string> {
  return new Promise<string>((resolve) => {
    execFile(binary, ['-c', '-f', configPath], { timeout: 5_000 }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`.trim().split('\n').slice(-30).join('\n');
      resolve(error ? `config check failed:\n${output}` : 'config check passed');
    });
  });
}

/**
 * Starts a private Kamailio on loopback for tests and returns a handle to control it.
 * @remarks Kamailio runs in the foreground (`-DD -E`) in its own process group (spawned
 * detached), so SIGSTOP/SIGCONT/SIGKILL reach the main process and every worker it forks.
 * Readiness is the first answer to the `core.version` RPC. See lab/kamailio/README.md.
 * @public
 */
export async function startKamailio(options: KamailioLaunchOptions = {}): Promise<KamailioHandle> {
  const binary = await findKamailio(options.binary);
  const udpPort = options.udpPort ?? (await freeUdpPort());
  const wsPort = options.wsPort ?? (await freeTcpPort());
  const domain = options.domain ?? 'lab.local';
  const dir = await mkdtemp(join(tmpdir(), 'kamailio-lab-'));
  const presenceDbDir = options.presenceDbDir ?? (options.presence === false ? undefined : await presenceFolder(dir));
  const rtpengine = options.mediaRelay === 'start' ? await startRtpengine() : undefined;
  const mediaRelay = rtpengine ? { ngHost: rtpengine.ngHost, ngPort: rtpengine.ngPort } : options.mediaRelay === 'start' ? undefined : options.mediaRelay;
  const config = renderKamailioConfig({ ...options, udpPort, wsPort, domain, ...(presenceDbDir !== undefined && { presenceDbDir }), mediaRelay });
  const configPath = join(dir, 'kamailio.cfg');
  await writeFile(configPath, config, 'utf8');

  const kamailio = new KamailioProcess({
    binary,
    configPath,
    dir,
    wsPort,
    readyTimeoutMs: options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
    sharedMemoryMiB: options.sharedMemoryMiB ?? 64,
  });
  try {
    await kamailio.start();
  } catch (error) {
    await rtpengine?.stop();
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
  return new KamailioControl(kamailio, { udpPort, wsPort, domain, configPath, dir, stopTimeoutMs: options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS }, rtpengine);
}

/**
 * The presence modules' db_text folder (left empty: all state is in memory, im-presence §3.3),
 * after checking the modules are installed, so a missing package fails with its name.
 */
async function presenceFolder(dir: string): Promise<string> {
  const found = await Promise.any(MODULE_DIRS.map((d) => access(join(d, 'presence.so')))).then(
    () => true,
    () => false,
  );
  if (!found) {
    throw new Error('Kamailio presence modules not found; install them with `apt-get install kamailio-presence-modules` (or start with presence: false)');
  }
  const folder = join(dir, 'presence-db');
  await mkdir(folder);
  return folder;
}

/** Where Debian and other distributions put Kamailio's modules. */
const MODULE_DIRS = ['/usr/lib/x86_64-linux-gnu/kamailio/modules', '/usr/lib/aarch64-linux-gnu/kamailio/modules', '/usr/lib/kamailio/modules', '/usr/lib64/kamailio/modules'];

/** Where a Kamailio runs from and how it is started. */
type KamailioSetup = {
  readonly binary: string;
  readonly configPath: string;
  /** The temporary directory: PID file, runtime and working directory. */
  readonly dir: string;
  readonly wsPort: number;
  readonly readyTimeoutMs: number;
  readonly sharedMemoryMiB: number;
};

/**
 * One Kamailio process group, started (and started again) on the same config: the child, its
 * output tail, whether it runs, and how to wait for it to answer or to be gone.
 */
class KamailioProcess {
  readonly tail = new LineTail();
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private alive = false;

  constructor(private readonly setup: KamailioSetup) {}

  /** PID of the current main process, which is also its process group id; -1 before the first start. */
  get pid(): number {
    return this.child?.pid ?? -1;
  }

  /** Whether the main process has not exited yet. */
  get running(): boolean {
    return this.alive;
  }

  /** Spawns Kamailio and waits until it answers JSON-RPC. */
  async start(): Promise<void> {
    this.spawn();
    await this.waitReady();
  }

  private spawn(): void {
    const { binary, configPath, dir } = this.setup;
    const pidFile = join(dir, 'kamailio.pid');
    // Absolute paths throughout: -w changes directory before the PID file is written.
    const proc = spawn(
      binary,
      ['-f', configPath, '-DD', '-E', '-m', String(Math.trunc(this.setup.sharedMemoryMiB)), '-M', '8', '-P', pidFile, '-Y', dir, '-w', dir],
      { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = proc;
    this.alive = true;
    const pid = proc.pid;
    if (pid !== undefined) {
      trackProcessGroup(pid);
    }
    this.exited = new Promise<void>((resolve) => {
      proc.once('exit', (code, signal) => {
        this.alive = false;
        this.tail.add(`[launcher] kamailio ${pid ?? '?'} exited (code ${code ?? '-'}, signal ${signal ?? '-'})`);
        resolve();
      });
      proc.once('error', (error) => {
        this.alive = false;
        this.tail.add(`[launcher] spawn failed: ${error.message}`);
        resolve();
      });
    });
    for (const stream of [proc.stdout, proc.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => this.tail.push(chunk));
      // A forgotten handle must not keep the test process alive; the exit hook kills Kamailio.
      if (stream instanceof Socket) {
        stream.unref();
      }
    }
    proc.unref();
  }

  /** Waits for the main process to exit and for every other member of its group to vanish. */
  async waitGone(pgid: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    const exitedInTime = await Promise.race([this.exited.then(() => true), sleep(timeoutMs).then(() => false)]);
    if (!exitedInTime) {
      return false;
    }
    const gone = await waitFor(async () => (await groupMembers(pgid)).length === 0, Math.max(0, deadline - Date.now()));
    if (gone) {
      forgetProcessGroup(pgid);
    }
    return gone;
  }

  async killGroup(): Promise<void> {
    const pgid = this.pid;
    if (pgid <= 0) {
      return;
    }
    signalGroup(pgid, 'SIGKILL');
    if (!(await this.waitGone(pgid, KILL_WAIT_TIMEOUT_MS))) {
      throw new Error(`kamailio group ${pgid} still has processes ${KILL_WAIT_TIMEOUT_MS} ms after SIGKILL`);
    }
  }

  private async waitReady(): Promise<void> {
    const { wsPort, readyTimeoutMs } = this.setup;
    const started = Date.now();
    const deadline = started + readyTimeoutMs;
    let lastError = 'no attempt made';
    while (Date.now() < deadline) {
      if (!this.alive) {
        lastError = 'kamailio exited during start-up';
        break;
      }
      try {
        await jsonRpc(wsPort, 'core.version', undefined, Math.min(READY_PROBE_TIMEOUT_MS, Math.max(1, deadline - Date.now())));
        return;
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
      }
      await sleep(POLL_INTERVAL_MS);
    }
    throw await this.startFailure(Date.now() - started, lastError);
  }

  /** Kills what started, and explains why it did not answer: the config check, errors, output. */
  private async startFailure(elapsed: number, lastError: string): Promise<Error> {
    await this.killGroup().catch(() => undefined);
    const check = await checkConfig(this.setup.binary, this.setup.configPath);
    const output = this.tail.text().split('\n');
    const errors = output.filter((line) => /\b(ERROR|CRITICAL|BUG):/.test(line)).slice(-5);
    const hint = /websocket\.so/.test(this.tail.text()) ? `\nThe websocket module may be missing; ${INSTALL_HINT}.` : '';
    return new Error(
      `kamailio did not answer JSON-RPC on 127.0.0.1:${this.setup.wsPort} within ${elapsed} ms (${lastError}); ${check}${hint}\n` +
        (errors.length > 0 ? `errors:\n${errors.join('\n')}\n` : '') +
        `last output:\n${output.slice(-40).join('\n')}`,
    );
  }
}

/** The {@link KamailioHandle} of one started Kamailio. */
class KamailioControl implements KamailioHandle {
  readonly udpPort: number;
  readonly wsPort: number;
  readonly wsUrl: string;
  readonly domain: string;
  readonly configPath: string;
  private stopped = false;

  constructor(
    private readonly kamailio: KamailioProcess,
    private readonly where: { udpPort: number; wsPort: number; domain: string; configPath: string; dir: string; stopTimeoutMs: number },
    readonly mediaRelay: RtpengineHandle | undefined,
  ) {
    this.udpPort = where.udpPort;
    this.wsPort = where.wsPort;
    this.wsUrl = `ws://127.0.0.1:${where.wsPort}`;
    this.domain = where.domain;
    this.configPath = where.configPath;
  }

  get pid(): number {
    return this.kamailio.pid;
  }

  rpc(method: string, params?: readonly unknown[], rpcOptions?: KamailioRpcOptions): Promise<unknown> {
    return jsonRpc(this.wsPort, method, params, rpcOptions?.timeoutMs ?? DEFAULT_RPC_TIMEOUT_MS);
  }

  async locations(): Promise<KamailioLocation[]> {
    return parseUlDump(await jsonRpc(this.wsPort, 'ul.dump', undefined, DEFAULT_RPC_TIMEOUT_MS));
  }

  async pause(): Promise<void> {
    this.assertNotStopped('pause');
    const pgid = this.kamailio.pid;
    signalGroup(pgid, 'SIGSTOP');
    // SIGSTOP is asynchronous; only report paused once no member can still run.
    const ok = await waitFor(
      async () => (await groupMembers(pgid)).every((member) => member.state === 'T'),
      SIGNAL_SETTLE_TIMEOUT_MS,
    );
    if (!ok) {
      throw new Error(`kamailio group ${pgid} did not stop within ${SIGNAL_SETTLE_TIMEOUT_MS} ms`);
    }
  }

  async resume(): Promise<void> {
    this.assertNotStopped('resume');
    const pgid = this.kamailio.pid;
    signalGroup(pgid, 'SIGCONT');
    const ok = await waitFor(
      async () => (await groupMembers(pgid)).every((member) => member.state !== 'T'),
      SIGNAL_SETTLE_TIMEOUT_MS,
    );
    if (!ok) {
      throw new Error(`kamailio group ${pgid} did not resume within ${SIGNAL_SETTLE_TIMEOUT_MS} ms`);
    }
  }

  async kill(): Promise<void> {
    this.assertNotStopped('kill');
    await this.kamailio.killGroup();
  }

  async restart(): Promise<void> {
    this.assertNotStopped('restart');
    if (this.kamailio.running) {
      await this.kamailio.killGroup();
    }
    this.kamailio.tail.add('[launcher] restarting');
    await this.kamailio.start();
  }

  async stop(): Promise<void> {
    if (this.stopped) {
      return;
    }
    this.stopped = true;
    const pgid = this.kamailio.pid;
    if (this.kamailio.running && pgid > 0) {
      signalGroup(pgid, 'SIGTERM');
      // A paused group would never act on SIGTERM.
      signalGroup(pgid, 'SIGCONT');
      if (!(await this.kamailio.waitGone(pgid, this.where.stopTimeoutMs))) {
        await this.kamailio.killGroup();
      }
    } else if (pgid > 0) {
      // The main process is gone but orphaned workers may remain.
      signalGroup(pgid, 'SIGKILL');
      await this.kamailio.waitGone(pgid, KILL_WAIT_TIMEOUT_MS);
    }
    // After Kamailio, so no relayed request is left half-converted.
    await this.mediaRelay?.stop();
    await rm(this.where.dir, { recursive: true, force: true });
  }

  stderrTail(): string {
    return this.kamailio.tail.text();
  }

  private assertNotStopped(action: string): void {
    if (this.stopped) {
      throw new Error(`cannot ${action}: this Kamailio was stopped`);
    }
  }
}
