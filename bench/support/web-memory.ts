import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import WebSocket from 'ws';
import { launchChromium } from '../../test/support/chromium';
import { WebHostProcess } from '../../test/support/web-host-process';
import { pollUntil, sleep } from './event-log';
import { chromiumProcessGroup } from './proc-cpu';
import { AGENT_AOR, LAB_APP, type ProxiedLab } from './proxied-lab';
import { median } from './stats';

// The memory bench's desktop half (issue 15): `switchboard web` and Chromium, idle and in a lab
// conference with the audio in the window, beside Chromium holding a blank page. Read-only reuse
// of desktop-audio's rig (the same Chromium flags, the same way of accepting through the bridge).

/** Resident memory of one process or a set of them, bytes. */
export type Memory = {
  /** VmRSS (summed over processes: shared pages counted once per process). */
  readonly rss: number;
  /** RssAnon: private, what each further agent on a host costs. */
  readonly anon: number;
  /** RssFile: mapped files (binary, libraries), shared between processes of the same binary. */
  readonly file: number;
  /** Pss from smaps_rollup: shared pages divided among the processes that map them. */
  readonly pss: number;
};

/** When and how often to read: quiet time first, then the median of `samples` one second apart. */
export type Sampling = { readonly settleMs: number; readonly samples: number };

const NONE: Memory = { rss: 0, anon: 0, file: 0, pss: 0 };
const GONE: Memory = { rss: Number.NaN, anon: Number.NaN, file: Number.NaN, pss: Number.NaN };

/** /proc/PID/status and smaps_rollup of one process; NaN once gone. */
export function memoryOf(pid: number): Memory {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const field = (text: string, name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? Number.NaN) * 1024;
    return { rss: field(status, 'VmRSS'), anon: field(status, 'RssAnon'), file: field(status, 'RssFile'), pss: field(rollup, 'Pss') };
  } catch {
    return GONE;
  }
}

function add(a: Memory, b: Memory): Memory {
  return { rss: a.rss + b.rss, anon: a.anon + b.anon, file: a.file + b.file, pss: a.pss + b.pss };
}

/** Waits `settleMs`, then per field the median of `samples` readings of `read` one second apart. */
export async function settled<K extends string>(read: () => Record<K, Memory>, sampling: Sampling): Promise<Record<K, Memory>> {
  await sleep(sampling.settleMs);
  const readings: Record<K, Memory>[] = [];
  for (let i = 0; i < sampling.samples; i += 1) {
    if (i > 0) {
      await sleep(1000);
    }
    readings.push(read());
  }
  const first = readings[0] ?? ({} as Record<K, Memory>);
  const out = {} as Record<K, Memory>;
  for (const key of Object.keys(first) as K[]) {
    const pick = (f: keyof Memory): number => median(readings.map((r) => r[key]?.[f] ?? Number.NaN));
    out[key] = { rss: pick('rss'), anon: pick('anon'), file: pick('file'), pss: pick('pss') };
  }
  return out;
}

/** Chromium's processes by role (`--type=`; none is the browser process), each role summed. */
export type ChromiumMemory = { browser: Memory; renderer: Memory; gpu: Memory; other: Memory; total: Memory };


/** Every Chromium process of the bench's browser, summed by role. */
export function chromiumMemory(): ChromiumMemory {
  const byRole: ChromiumMemory = { browser: NONE, renderer: NONE, gpu: NONE, other: NONE, total: NONE };
  for (const pid of chromiumProcessGroup()) {
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    const type = /--type=([a-z-]+)/.exec(cmdline)?.[1];
    const role: keyof ChromiumMemory = type === undefined ? 'browser' : type === 'renderer' ? 'renderer' : type === 'gpu-process' ? 'gpu' : 'other';
    const memory = memoryOf(pid);
    if (Number.isNaN(memory.rss)) {
      continue;
    }
    byRole[role] = add(byRole[role], memory);
    byRole.total = add(byRole.total, memory);
  }
  return byRole;
}

/** Accepts invitations over the page's bridge, as desktop-audio does: the window then carries the audio. */
class BridgeAcceptor {
  private nextId = 1;
  readonly invitations: Array<{ id: unknown; conversationId: unknown }> = [];

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { kind: string; push?: { event: { type: string; id?: unknown; conversationId?: unknown } } };
      const event = frame.kind === 'push' ? frame.push?.event : undefined;
      if (event?.type === 'invitation') {
        this.invitations.push({ id: event.id, conversationId: event.conversationId });
      }
    });
  }

  static async open(pageUrl: string): Promise<BridgeAcceptor> {
    const url = new URL(pageUrl);
    const socket = new WebSocket(`ws://${url.host}/bridge?token=${url.searchParams.get('token') ?? ''}`, { headers: { Origin: `http://${url.host}` } });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    return new BridgeAcceptor(socket);
  }

  send(method: string, params: object): void {
    this.socket.send(JSON.stringify({ kind: 'request', id: this.nextId++, method, params }));
  }

  close(): void {
    this.socket.close();
  }
}

/** What {@link measureWebAndChromium} read. */
export type WebMemory = {
  /** Chromium with one blank page (no Switchboard code): its baseline. */
  readonly chromiumBlank: ChromiumMemory;
  /** `switchboard web` registered, no window open. */
  readonly hostNoWindow: Memory;
  /** The app page open and registered, no call. */
  readonly hostIdle: Memory;
  readonly chromiumIdle: ChromiumMemory;
  /** In a lab conference, the audio in the window (Chromium's WebRTC), steady. */
  readonly hostInCall: Memory;
  readonly chromiumInCall: ChromiumMemory;
  /** Packets a second the MCU received from the window during the in-call reading. */
  readonly packetsPerS: number;
};

/** A blank page from a throw-away 127.0.0.1 server; resolves once loaded. */
async function openBlankPage(browser: Browser): Promise<{ page: Page; close: () => Promise<void> }> {
  const server = createServer((_request, response) => response.end('<!doctype html><title>blank</title>'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  return {
    page,
    close: async () => {
      await page.close();
      server.close();
    },
  };
}

/** The lab invites the agent; the bridge accepts; resolves once the MCU receives the window's audio, else throws. */
async function joinConference(rig: ProxiedLab, bridge: BridgeAcceptor): Promise<{ conferenceId: string; focusUri: string }> {
  const invited = await rig.lab.invite(AGENT_AOR, 'memory bench');
  const ringing = await pollUntil(() => bridge.invitations.find((i) => i.conversationId === invited.conversationId), Date.now() + 10_000, 20);
  if (ringing === undefined) {
    throw new Error('web memory: the invitation never rang in the host');
  }
  bridge.send('agent.accept', { id: ringing.id });
  const id = invited.conference.id;
  const flowing = await pollUntil(() => ((rig.lab.conferences.mediaStatsOf(id, AGENT_AOR)?.packetsReceived ?? 0) > 50 ? true : undefined), Date.now() + 15_000, 50);
  if (flowing === undefined) {
    throw new Error('web memory: no audio from the window reached the MCU');
  }
  return { conferenceId: id, focusUri: invited.conference.focusUri };
}

/**
 * `switchboard web` on the rig's Kamailio (no embedded lab) and Chromium as desktop-audio
 * launches it: Chromium with a blank page, then the host with no window, then the app page idle,
 * then in a conference with the audio in the window. Every reading settled as `sampling` says.
 */
export async function measureWebAndChromium(rig: ProxiedLab, sampling: Sampling): Promise<WebMemory> {
  const configDir = mkdtempSync(join(tmpdir(), 'sb-bench-memory-'));
  writeFileSync(join(configDir, 'settings.json'), JSON.stringify({ server: rig.kamailio.wsUrl, aor: AGENT_AOR, autoAccept: false, trust: [LAB_APP] }));
  const host = new WebHostProcess(['--config-dir', configDir, '--no-lab']);
  let browser: Browser | undefined;
  let bridge: BridgeAcceptor | undefined;
  try {
    const url = await host.url;
    browser = await launchChromium();
    const blank = await openBlankPage(browser);
    const read = (): Prefixed & { host: Memory } => ({ host: memoryOf(host.pid), ...prefixed(chromiumMemory()) });
    const blankReading = await settled(read, sampling);
    await blank.close();
    const page = await browser.newPage();
    await page.goto(url);
    await page.locator('[aria-label="connection"][data-phase="registered"]').waitFor({ timeout: 15_000 });
    const idle = await settled(read, sampling);
    bridge = await BridgeAcceptor.open(url);
    const call = await joinConference(rig, bridge);
    const packets0 = rig.lab.conferences.mediaStatsOf(call.conferenceId, AGENT_AOR)?.packetsReceived ?? 0;
    const started = performance.now();
    const inCall = await settled(read, sampling);
    const packetsPerS = ((rig.lab.conferences.mediaStatsOf(call.conferenceId, AGENT_AOR)?.packetsReceived ?? 0) - packets0) / ((performance.now() - started) / 1000);
    bridge.send('conference.leave', { focusUri: call.focusUri });
    await pollUntil(() => (rig.lab.conferences.dialogsOf(call.conferenceId, AGENT_AOR).mcu ? undefined : true), Date.now() + 5000, 20);
    return {
      chromiumBlank: unprefixed(blankReading),
      hostNoWindow: blankReading.host,
      hostIdle: idle.host,
      chromiumIdle: unprefixed(idle),
      hostInCall: inCall.host,
      chromiumInCall: unprefixed(inCall),
      packetsPerS,
    };
  } finally {
    bridge?.close();
    await browser?.close();
    await host.stop();
    rmSync(configDir, { recursive: true, force: true });
  }
}

type Prefixed = { cBrowser: Memory; cRenderer: Memory; cGpu: Memory; cOther: Memory; cTotal: Memory };

/** Chromium's roles as flat keys, so that one settled reading takes them with the host's. */
function prefixed(m: ChromiumMemory): Prefixed {
  return { cBrowser: m.browser, cRenderer: m.renderer, cGpu: m.gpu, cOther: m.other, cTotal: m.total };
}

function unprefixed(p: Prefixed): ChromiumMemory {
  return { browser: p.cBrowser, renderer: p.cRenderer, gpu: p.cGpu, other: p.cOther, total: p.cTotal };
}
