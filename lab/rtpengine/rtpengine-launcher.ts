import { spawn, type ChildProcess } from 'node:child_process';
import { access } from 'node:fs/promises';
import { freeUdpPort } from '../support/free-port';
import { forgetProcessGroup, trackProcessGroup } from '../support/process-groups';
import { RtpengineNgClient, type BencodeDict, type BencodeValue } from './ng-client';

/** Options of {@link startRtpengine}. @public */
export type RtpengineLaunchOptions = {
  /** The rtpengine binary; `/usr/bin/rtpengine` (Debian's `rtpengine-daemon`) when omitted. */
  readonly binary?: string;
  /** UDP port of the ng control protocol on 127.0.0.1; a free one when omitted. */
  readonly ngPort?: number;
  /** First and last RTP port (inclusive); 100 ports from 10000–19999 picked by the ng port when omitted. */
  readonly rtpPorts?: readonly [number, number];
  /** rtpengine's log level (syslog numbers, 7 = debug); 5 (notice) when omitted. */
  readonly logLevel?: number;
  /** How long the start may take; default 10 s. */
  readonly readyTimeoutMs?: number;
};

/** A running rtpengine, stopped with {@link RtpengineHandle.stop}. @public */
export type RtpengineHandle = {
  /** Address of the ng control socket (always 127.0.0.1). */
  readonly ngHost: string;
  readonly ngPort: number;
  /** The RTP port range handed to rtpengine. */
  readonly rtpPorts: readonly [number, number];
  readonly pid: number;
  /** A client of the ng control protocol (ping, list, query). */
  readonly ng: RtpengineNgClient;
  /** The call-ids rtpengine holds (ng `list`). */
  calls(): Promise<string[]>;
  /** One call's counters (ng `query`): packets each side of the relay sent it. */
  query(callId: string): Promise<RtpengineCallStats>;
  /** The last lines rtpengine printed, for a failure's evidence. */
  log(): string;
  /** Kills rtpengine at once. */
  kill(): void;
  /** SIGTERM to its process group, then SIGKILL after 5 s. */
  stop(): Promise<void>;
};

/** What an ng `query` says about one call. @public */
export type RtpengineCallStats = {
  /**
   * Per tag (one per SIP party): the transport protocol rtpengine speaks with it (its first
   * medium's, e.g. `RTP/AVP` or `UDP/TLS/RTP/SAVPF`), and the packets and bytes rtpengine
   * received from it, summed over its streams.
   */
  readonly parties: readonly { readonly tag: string; readonly protocol: string; readonly packets: number; readonly bytes: number }[];
  /** The raw reply, for whatever else a test wants. */
  readonly raw: BencodeDict;
};

const DEFAULT_BINARY = '/usr/bin/rtpengine';
const INSTALL_HINT = 'install it with `apt-get install rtpengine-daemon` (scripts/install-debian-deps.sh)';
const LOOPBACK = '127.0.0.1';


/** Whether rtpengine is installed here (Debian's `rtpengine-daemon`). @public */
export async function isRtpengineInstalled(binary = DEFAULT_BINARY): Promise<boolean> {
  return access(binary).then(
    () => true,
    () => false,
  );
}

/**
 * The command line of one lab rtpengine (flags as `rtpengine --help` lists them in 10.5).
 * @remarks `--config-file=none` so /etc/rtpengine/rtpengine.conf (kernel table 0, every
 * interface) is never read; `--table=-1`: userspace forwarding only, no kernel module or
 * iptables rule; `--interface=127.0.0.1` and the ng socket on loopback: the lab is never
 * reachable from another host; `--delete-delay=0` so a deleted call is gone at once (rtpengine
 * keeps it 30 s by default), which lets tests see BYE/CANCEL clean up; `--num-threads=1`: with
 * two worker threads, 7 of 16 calls here stalled in the DTLS handshake (rtpengine's OpenSSL kept
 * waiting for the client's flight 5 that werift had sent, most likely the two threads taking
 * its datagrams out of order), and none of 24 with one, which is plenty for a lab.
 * @public
 */
export function rtpengineArgs(ngPort: number, rtpPorts: readonly [number, number], logLevel = 5): string[] {
  const [min, max] = rtpPorts;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1024 || max > 65535 || max - min < 3) {
    throw new RangeError(`rtpPorts must be a range of at least 4 ports in 1024..65535, got ${min}-${max}`);
  }
  return [
    '--config-file=none',
    '--table=-1',
    `--interface=${LOOPBACK}`,
    `--listen-ng=${LOOPBACK}:${ngPort}`,
    `--port-min=${min}`,
    `--port-max=${max}`,
    '--foreground',
    '--log-stderr',
    '--no-log-timestamps',
    `--log-level=${logLevel}`,
    '--delete-delay=0',
    '--num-threads=1',
  ];
}

/**
 * Starts rtpengine for the lab (the media relay between plain-RTP softphones and the agents'
 * WebRTC stacks, driven by Kamailio's `rtpengine` module): loopback only, userspace forwarding,
 * in the foreground in its own process group; ready when the ng `ping` is answered `pong`
 * (rtpengine docs, "The NG Control Protocol").
 * @public
 */
export async function startRtpengine(options: RtpengineLaunchOptions = {}): Promise<RtpengineHandle> {
  const binary = options.binary ?? DEFAULT_BINARY;
  if (!(await isRtpengineInstalled(binary))) {
    throw new Error(`rtpengine not found at ${binary}; ${INSTALL_HINT}`);
  }
  const ngPort = options.ngPort ?? (await freeUdpPort());
  // Below Linux's ephemeral range (32768+), so free-port picks of other lab parts rarely land in it.
  const base = 10000 + (ngPort % 100) * 100;
  const rtpPorts = options.rtpPorts ?? ([base, base + 99] as const);
  const args = rtpengineArgs(ngPort, rtpPorts, options.logLevel);
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  if (child.pid !== undefined) {
    trackProcessGroup(child.pid);
  }
  const tail: string[] = [];
  const remember = (chunk: Buffer): void => {
    tail.push(...chunk.toString('utf8').split('\n').filter((l) => l.trim() !== ''));
    tail.splice(0, Math.max(0, tail.length - 80));
  };
  child.stdout?.on('data', remember);
  child.stderr?.on('data', remember);
  child.unref();
  const ng = new RtpengineNgClient(LOOPBACK, ngPort);
  try {
    await waitReady(ng, child, options.readyTimeoutMs ?? 10_000, () => tail.join('\n'));
  } catch (error) {
    ng.close();
    killGroup(child, 'SIGKILL');
    throw error;
  }
  return {
    ngHost: LOOPBACK,
    ngPort,
    rtpPorts,
    pid: child.pid ?? 0,
    ng,
    calls: async () => listCalls(await ng.request({ command: 'list', limit: 1000 })),
    query: async (callId) => callStats(await ng.request({ command: 'query', 'call-id': callId })),
    log: () => tail.join('\n'),
    kill: () => killGroup(child, 'SIGKILL'),
    stop: async () => {
      ng.close();
      await stopProcess(child);
    },
  };
}

async function waitReady(ng: RtpengineNgClient, child: ChildProcess, timeoutMs: number, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no attempt made';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`rtpengine exited during start (code ${String(child.exitCode)}):\n${log()}`);
    }
    try {
      const reply = await ng.request({ command: 'ping' }, Math.min(500, Math.max(1, deadline - Date.now())));
      if (reply.result === 'pong') {
        return;
      }
      last = `ping answered ${JSON.stringify(reply)}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`rtpengine did not answer the ng ping within ${timeoutMs} ms (${last}):\n${log()}`);
}

function listCalls(reply: BencodeDict): string[] {
  const calls = reply.calls;
  return Array.isArray(calls) ? calls.filter((c): c is string => typeof c === 'string') : [];
}

const isDict = (value: BencodeValue | undefined): value is BencodeDict => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Sums a `query` reply's per-tag packet counters: `tags.<tag>.medias[].streams[].stats`
 * (rtpengine docs, "query" message: `stats.packets`, `stats.bytes` per stream, counted on
 * what rtpengine received from that endpoint), with `tags.<tag>.medias[0].protocol`.
 */
function callStats(reply: BencodeDict): RtpengineCallStats {
  const parties: { tag: string; protocol: string; packets: number; bytes: number }[] = [];
  const tags = isDict(reply.tags) ? reply.tags : {};
  for (const [tag, party] of Object.entries(tags)) {
    let packets = 0;
    let bytes = 0;
    const medias = isDict(party) && Array.isArray(party.medias) ? (party.medias as readonly BencodeValue[]) : [];
    const first = medias[0];
    const protocol = isDict(first) && typeof first.protocol === 'string' ? first.protocol : '';
    for (const media of medias) {
      const streams = isDict(media) && Array.isArray(media.streams) ? (media.streams as readonly BencodeValue[]) : [];
      for (const stream of streams) {
        const stats = isDict(stream) && isDict(stream.stats) ? stream.stats : {};
        packets += typeof stats.packets === 'number' ? stats.packets : 0;
        bytes += typeof stats.bytes === 'number' ? stats.bytes : 0;
      }
    }
    parties.push({ tag, protocol, packets, bytes });
  }
  return { parties, raw: reply };
}


async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    forget(child);
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
  forget(child);
}

function forget(child: ChildProcess): void {
  if (child.pid !== undefined) {
    forgetProcessGroup(child.pid);
  }
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
