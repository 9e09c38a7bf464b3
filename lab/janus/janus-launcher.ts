import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeTcpPort } from '../support/free-port';
import { forgetProcessGroup, trackProcessGroup } from '../support/process-groups';
import { JanusClient } from './janus-client';
import { renderJanusConfig } from './janus-config';

/** Options of {@link startJanus}. */
export type JanusLaunchOptions = {
  /** The janus binary; `/usr/bin/janus` when omitted. */
  readonly binary?: string;
  /** How long the start may take; default 10 s. */
  readonly readyTimeoutMs?: number;
};

/** A running Janus, stopped with {@link JanusHandle.stop}. */
export type JanusHandle = {
  /** `http://127.0.0.1:PORT/janus`. */
  readonly url: string;
  readonly client: JanusClient;
  /** The AudioBridge admin key rooms are created and destroyed with. */
  readonly adminKey: string;
  readonly pid: number;
  /** The last lines Janus printed, for a failure's evidence. */
  readonly log: () => string;
  /** Kills Janus at once (tests: a crashed MCU). */
  kill(): void;
  /** SIGTERM, then SIGKILL after 5 s; removes its folder. */
  stop(): Promise<void>;
};

const INSTALL_HINT = 'install it with `apt-get install janus`';
const LIB_DIRS = ['/usr/lib/x86_64-linux-gnu/janus', '/usr/lib/aarch64-linux-gnu/janus', '/usr/lib/janus'];

/** Whether Janus and its AudioBridge plugin are installed here. */
export async function isJanusInstalled(binary = '/usr/bin/janus'): Promise<boolean> {
  return (await exists(binary)) && (await libDir()) !== undefined;
}

/**
 * Starts Janus for the lab: a fresh config folder ({@link renderJanusConfig}: HTTP API and
 * media on 127.0.0.1, AudioBridge only), a free port, readiness when `GET /janus/info`
 * answers; stopped by PID, never left behind (its process group is killed with the lab).
 */
export async function startJanus(options: JanusLaunchOptions = {}): Promise<JanusHandle> {
  const binary = options.binary ?? '/usr/bin/janus';
  const lib = await libDir();
  if (!(await exists(binary)) || lib === undefined) {
    throw new Error(`janus not found (${binary}, AudioBridge plugin); ${INSTALL_HINT}`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'janus-lab-'));
  const httpPort = await freeTcpPort();
  const rtpBase = 20000 + (httpPort % 400) * 100;
  const adminKey = randomBytes(12).toString('hex');
  const files = renderJanusConfig({ configDir: dir, libDir: lib, httpPort, rtpPorts: [rtpBase, rtpBase + 99], adminKey });
  await Promise.all(Object.entries(files).map(([name, text]) => writeFile(join(dir, name), text, 'utf8')));
  const tail: string[] = [];
  const child = spawn(binary, ['-C', join(dir, 'janus.jcfg'), '-F', dir, '-o', '-i', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  if (child.pid !== undefined) {
    const pid = child.pid;
    trackProcessGroup(pid);
    child.once('exit', () => forgetProcessGroup(pid));
  }
  const remember = (chunk: Buffer): void => {
    tail.push(...chunk.toString('utf8').split('\n').filter((l) => l.trim() !== ''));
    tail.splice(0, Math.max(0, tail.length - 60));
  };
  child.stdout?.on('data', remember);
  child.stderr?.on('data', remember);
  const url = `http://127.0.0.1:${httpPort}/janus`;
  const client = new JanusClient(url);
  try {
    await waitReady(client, child, options.readyTimeoutMs ?? 10_000, () => tail.join('\n'));
  } catch (error) {
    killGroup(child, 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    client,
    adminKey,
    pid: child.pid ?? 0,
    log: () => tail.join('\n'),
    kill: () => killGroup(child, 'SIGKILL'),
    stop: async () => {
      await stopProcess(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitReady(client: JanusClient, child: ChildProcess, timeoutMs: number, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`janus exited during start (code ${String(child.exitCode)}):\n${log()}`);
    }
    const ready = await client.info().then(
      () => true,
      () => false,
    );
    if (ready) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`janus did not answer within ${timeoutMs} ms:\n${log()}`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) {
    return;
  }
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

async function libDir(): Promise<string | undefined> {
  for (const dir of LIB_DIRS) {
    if (await exists(join(dir, 'plugins', 'libjanus_audiobridge.so'))) {
      return dir;
    }
  }
  return undefined;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

