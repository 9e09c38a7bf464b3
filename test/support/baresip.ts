import { spawn, type ChildProcess } from 'node:child_process';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeTcpPort, freeUdpPort } from './free-port';
import { EventWaiters } from './event-waiters';

/** One event baresip's `ctrl_tcp` module reported (`{"event":true,"type":…}`). */
export type BaresipEvent = { readonly type: string; readonly class?: string; readonly peeruri?: string; readonly param?: string; readonly [key: string]: unknown };

/** Options of {@link startBaresip}. */
export type BaresipOptions = {
  /** The account's address of record, e.g. `sip:softphone@lab.local`. */
  readonly aor: string;
  /** The proxy (registrar) it registers with and sends every request to: `host:port`, UDP. */
  readonly proxy: string;
  /** 16-bit 8 kHz mono WAV file played as the microphone (baresip's `aufile` source). */
  readonly wav: string;
};

const BINARY = '/usr/bin/baresip';
const MODULES = '/usr/lib/baresip/modules';

/** Whether Debian's baresip (with the modules this harness loads) is installed. */
export async function isBaresipInstalled(): Promise<boolean> {
  const files = [BINARY, ...['g711', 'aufile', 'aubridge', 'account', 'menu', 'ctrl_tcp'].map((m) => join(MODULES, `${m}.so`))];
  return (await Promise.all(files.map((f) => access(f).then(() => true, () => false)))).every(Boolean);
}

/**
 * Writes a WAV file (RIFF, PCM 16-bit, 8 kHz, mono) holding a sine tone, for baresip's
 * `aufile` audio source.
 */
export async function writeToneWav(dir: string, hz = 1000, seconds = 60, amplitude = 8000): Promise<string> {
  const rate = 8000;
  const data = Buffer.alloc(rate * seconds * 2);
  for (let i = 0; i < rate * seconds; i += 1) {
    data.writeInt16LE(Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / rate)), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  const path = join(dir, `tone-${hz}.wav`);
  await writeFile(path, Buffer.concat([header, data]));
  return path;
}

/**
 * The config of one scripted baresip (1.0.0, Debian's `baresip-core`) on loopback: SIP and RTP
 * on 127.0.0.1 only, PCMU only (g711), the microphone a WAV file (`aufile`), the speaker an
 * `aubridge` device nobody reads (no sound card needed), and commands and events as JSON
 * netstrings over `ctrl_tcp` (baresip's docs/examples/config and modules/ctrl_tcp).
 */
export function renderBaresipConfig(sipPort: number, ctrlPort: number, rtpPorts: readonly [number, number], wav: string): string {
  return [
    'poll_method\t\tepoll',
    `sip_listen\t\t127.0.0.1:${sipPort}`,
    'net_interface\t\t127.0.0.1',
    `rtp_ports\t\t${rtpPorts[0]}-${rtpPorts[1]}`,
    'call_local_timeout\t30',
    'call_max_calls\t\t2',
    `audio_source\t\taufile,${wav}`,
    'audio_player\t\taubridge,nobody',
    'audio_alert\t\taubridge,nobody',
    'ausrc_srate\t\t8000',
    'ausrc_channels\t\t1',
    'auplay_srate\t\t8000',
    'auplay_channels\t\t1',
    'rtp_stats\t\tyes',
    `module_path\t\t${MODULES}`,
    'module\t\t\tg711.so',
    'module\t\t\taufile.so',
    'module\t\t\taubridge.so',
    'module_tmp\t\taccount.so',
    'module_app\t\tmenu.so',
    'module_app\t\tctrl_tcp.so',
    `ctrl_tcp_listen\t\t127.0.0.1:${ctrlPort}`,
    '',
  ].join('\n');
}

/**
 * A real softphone nobody here wrote: baresip, run from a temporary config folder, driven over
 * `ctrl_tcp` (netstring-framed JSON: `{"command","params","token"}` in, responses and
 * `{"event":true,"type":…}` out).
 */
export class Baresip {
  readonly events: BaresipEvent[] = [];
  private readonly tail: string[] = [];
  private socket: Socket | undefined;
  private buffer = Buffer.alloc(0);
  private readonly waiters = new EventWaiters<BaresipEvent>(this.events);

  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {
    const remember = (chunk: Buffer): void => {
      this.tail.push(...chunk.toString('utf8').split('\n').filter((l) => l.trim() !== ''));
      this.tail.splice(0, Math.max(0, this.tail.length - 100));
    };
    child.stdout?.on('data', remember);
    child.stderr?.on('data', remember);
  }

  /** Starts baresip with one account and connects to its control socket (10 s at most). */
  static async start(options: BaresipOptions): Promise<Baresip> {
    const dir = await mkdtemp(join(tmpdir(), 'sb-baresip-'));
    const sipPort = await freeUdpPort();
    const ctrlPort = await freeTcpPort();
    const rtpBase = 40000 + (sipPort % 200) * 10;
    await writeFile(join(dir, 'config'), renderBaresipConfig(sipPort, ctrlPort, [rtpBase, rtpBase + 9], options.wav));
    // regint 60: a short registration, refreshed by baresip; answermode manual: the test decides.
    await writeFile(join(dir, 'accounts'), `<${options.aor}>;outbound="sip:${options.proxy};transport=udp";regint=60;audio_codecs=PCMU;answermode=manual;ptime=20\n`);
    await writeFile(join(dir, 'contacts'), '');
    const child = spawn(BINARY, ['-4', '-f', dir], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const phone = new Baresip(child, dir);
    try {
      await phone.connect(ctrlPort, 10_000);
    } catch (error) {
      await phone.stop();
      throw error;
    }
    return phone;
  }

  /** Sends one `ctrl_tcp` command (`dial`, `accept`, `hangup`, `quit`…). */
  command(command: string, params?: string): void {
    const json = JSON.stringify({ command, ...(params !== undefined && { params }), token: String(Date.now()) });
    this.socket?.write(`${Buffer.byteLength(json)}:${json},`);
  }

  /** Waits for the first event after index `from` of `type` (bounded). */
  waitForEvent(type: string, timeoutMs = 10_000, from = 0): Promise<BaresipEvent> {
    return this.waiters.waitFor(
      (e) => e.type === type,
      timeoutMs,
      from,
      () => `baresip: no ${type} event within ${timeoutMs} ms; events ${JSON.stringify(this.events.map((e) => e.type))}\n${this.log()}`,
    );
  }

  /** The last lines baresip printed. */
  log(): string {
    return this.tail.join('\n');
  }

  /** Quits baresip (its process group), SIGKILL after 3 s, and removes its folder. */
  async stop(): Promise<void> {
    this.socket?.destroy();
    const child = this.child;
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      signalGroup(child.pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(child.pid ?? 0, 'SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    await rm(this.dir, { recursive: true, force: true });
  }

  private async connect(port: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) {
        throw new Error(`baresip exited during start (code ${this.child.exitCode}):\n${this.log()}`);
      }
      const socket = await new Promise<Socket | undefined>((resolve) => {
        const s = connect(port, '127.0.0.1', () => resolve(s));
        s.once('error', () => resolve(undefined));
      });
      if (socket) {
        this.socket = socket;
        socket.on('data', (chunk: Buffer) => this.onData(chunk));
        socket.on('error', () => undefined);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`baresip's ctrl_tcp did not accept on 127.0.0.1:${port} within ${timeoutMs} ms:\n${this.log()}`);
  }

  /** Splits netstrings (`<length>:<bytes>,`) and keeps the events. */
  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const colon = this.buffer.indexOf(0x3a);
      if (colon < 0) {
        return;
      }
      const length = Number(this.buffer.toString('latin1', 0, colon));
      if (!Number.isInteger(length) || this.buffer.length < colon + 1 + length + 1) {
        return;
      }
      const text = this.buffer.toString('utf8', colon + 1, colon + 1 + length);
      this.buffer = this.buffer.subarray(colon + 1 + length + 1);
      try {
        const message = JSON.parse(text) as { event?: boolean; type?: unknown };
        if (message.event === true && typeof message.type === 'string') {
          this.events.push(message as BaresipEvent);
          this.waiters.notify();
        }
      } catch {
        this.tail.push(`[harness] unreadable ctrl_tcp message ${text.slice(0, 200)}`);
      }
    }
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

