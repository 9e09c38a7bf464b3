import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import WebSocket from 'ws';
import { startKamailio } from '../lab/kamailio';
import { Lab } from '../lab/lab';
import { launchChromium } from '../test/support/chromium';
import { freeUdpPort } from '../test/support/free-port';
import { WebHostProcess } from '../test/support/web-host-process';
import { envInt, progress, type Bench, type BenchResult } from './support/bench';
import { pollUntil, sleep } from './support/event-log';
import { chromiumProcessGroup, cpuMsOf, rssBytes } from './support/proc-cpu';
import { median, mib } from './support/stats';

// Where a desktop agent's conference audio costs CPU and memory: in the main window's WebRTC
// stack (Chromium) or in the host process (werift, the baseline: what the headless agent and
// the desktop without a window do). Same `switchboard web`, same lab behind Kamailio, same
// conference, interleaved rounds. See bench/README.md.

const AGENT = 'sip:agent@lab.local';
const LAB_APP = 'sip:conf@lab.local';
/** The MCU sends 50 packets a second (20 ms PCMU); a leg below 80% of that is not steady. */
const PACKETS_PER_SECOND = 50;

type Mode = 'window' | 'host';
type Round = { readonly mode: Mode; readonly hostCpuPerS: number; readonly chromiumCpuPerS: number; readonly hostRss: number; readonly packets: number };

export const bench: Bench = {
  name: 'desktop-audio',
  run: runDesktopAudio,
};

/** A bridge client that never attaches media: it accepts and leaves, as a window would, without carrying audio. */
class BridgeClient {
  private nextId = 1;
  private readonly waiting = new Map<number, (response: unknown) => void>();
  readonly pushes: Array<{ type: string; [key: string]: unknown }> = [];

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { kind: string; id?: number; response?: unknown; push?: { event: { type: string } } };
      if (frame.kind === 'response' && frame.id !== undefined) {
        this.waiting.get(frame.id)?.(frame.response);
        this.waiting.delete(frame.id);
      } else if (frame.kind === 'push' && frame.push) {
        this.pushes.push(frame.push.event);
      }
    });
  }

  static async open(pageUrl: string): Promise<BridgeClient> {
    const url = new URL(pageUrl);
    const socket = new WebSocket(`ws://${url.host}/bridge?token=${url.searchParams.get('token') ?? ''}`, { headers: { Origin: `http://${url.host}` } });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    return new BridgeClient(socket);
  }

  call(method: string, params: object): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.socket.send(JSON.stringify({ kind: 'request', id, method, params }));
    });
  }

  close(): void {
    this.socket.close();
  }
}


/**
 * Chromium's own WebRTC audio pipeline, with no Switchboard code: one page, the fake microphone
 * with the same processing (echo cancellation, noise suppression, gain control), sent from one
 * peer connection to another and played. The baseline for the window's share.
 */
async function bareWebRtcCpuPerS(browser: Browser, measureMs: number): Promise<number> {
  const server = createServer((_request, response) => response.end('<!doctype html><title>bare WebRTC</title>'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const page = await browser.newPage();
  try {
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.evaluate(async () => {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true } });
      const sender = new RTCPeerConnection();
      const receiver = new RTCPeerConnection();
      sender.onicecandidate = (e) => void (e.candidate && receiver.addIceCandidate(e.candidate));
      receiver.onicecandidate = (e) => void (e.candidate && sender.addIceCandidate(e.candidate));
      sender.addTrack(stream.getAudioTracks()[0] as MediaStreamTrack, stream);
      receiver.ontrack = (e) => {
        const player = new Audio();
        player.srcObject = new MediaStream([e.track]);
        void player.play().catch(() => undefined);
        (globalThis as { keep?: unknown }).keep = [sender, receiver, stream, player];
      };
      await sender.setLocalDescription(await sender.createOffer());
      await receiver.setRemoteDescription(sender.localDescription as RTCSessionDescription);
      await receiver.setLocalDescription(await receiver.createAnswer());
      await sender.setRemoteDescription(receiver.localDescription as RTCSessionDescription);
    });
    await sleep(1500);
    const pids = chromiumProcessGroup();
    const start = cpuMsOf(pids);
    await sleep(measureMs);
    return (cpuMsOf(pids) - start) / (measureMs / 1000);
  } finally {
    await page.close();
    server.close();
  }
}

async function runDesktopAudio(): Promise<BenchResult> {
  const rounds = envInt('BENCH_AUDIO_ROUNDS', 2);
  const measureMs = envInt('BENCH_AUDIO_MS', 8000, 1000);
  const lines: string[] = [];
  let failures = 0;
  const labPort = await freeUdpPort();
  const kamailio = await startKamailio({ conferenceServer: { host: '127.0.0.1', port: labPort, transport: 'udp' } });
  const lab = await Lab.start({ signaling: { mode: 'proxied', proxyHost: '127.0.0.1', proxyPort: kamailio.udpPort, localPort: labPort } });
  const configDir = mkdtempSync(join(tmpdir(), 'sb-bench-audio-'));
  writeFileSync(join(configDir, 'settings.json'), JSON.stringify({ server: kamailio.wsUrl, aor: AGENT, autoAccept: false, trust: [LAB_APP] }));
  const host = new WebHostProcess(['--config-dir', configDir, '--no-lab']);
  let browser: Browser | undefined;
  let client: BridgeClient | undefined;
  try {
    const url = await host.url;
    const hostPid = host.pid;
    client = await BridgeClient.open(url);
    browser = await launchChromium();
    let page: Page | undefined;
    const results: Round[] = [];
    // What the open page costs with no call, so the call's own share can be read.
    const idlePage = await browser.newPage();
    await idlePage.goto(url);
    await idlePage.locator('[aria-label="connection"][data-phase="registered"]').waitFor({ timeout: 15_000 });
    await sleep(1000);
    const idlePids = chromiumProcessGroup();
    const idle0 = cpuMsOf(idlePids);
    await sleep(measureMs);
    const idleChromium = (cpuMsOf(idlePids) - idle0) / (measureMs / 1000);
    await idlePage.close();
    const bareChromium = await bareWebRtcCpuPerS(browser, measureMs);
    const order: Mode[] = Array.from({ length: rounds }, () => ['window', 'host'] as const).flat();
    for (const [index, mode] of order.entries()) {
      if (mode === 'window' && page === undefined) {
        page = await browser.newPage();
        await page.goto(url);
        await page.locator('[aria-label="connection"][data-phase="registered"]').waitFor({ timeout: 15_000 });
      } else if (mode === 'host' && page !== undefined) {
        await page.close();
        page = undefined;
        await sleep(300);
      }
      const invited = await lab.invite(AGENT, `bench ${index}`);
      const ringing = await pollUntil(() => client?.pushes.find((e) => e.type === 'invitation' && e['conversationId'] === invited.conversationId), Date.now() + 10_000, 20);
      if (ringing === undefined) {
        failures += 1;
        lines.push(`  round ${index + 1} (${mode}): the invitation never rang`);
        continue;
      }
      await client.call('agent.accept', { id: ringing['id'] });
      const flowing = await pollUntil(() => ((lab.conferences.mediaStatsOf(invited.conference.id, AGENT)?.packetsReceived ?? 0) > PACKETS_PER_SECOND ? true : undefined), Date.now() + 15_000, 50);
      if (flowing === undefined) {
        failures += 1;
        lines.push(`  round ${index + 1} (${mode}): no audio reached the MCU`);
        continue;
      }
      await sleep(1000);
      const pids = chromiumProcessGroup();
      const packets0 = lab.conferences.mediaStatsOf(invited.conference.id, AGENT)?.packetsReceived ?? 0;
      const host0 = cpuMsOf([hostPid]);
      const chromium0 = cpuMsOf(pids);
      await sleep(measureMs);
      const seconds = measureMs / 1000;
      const round: Round = {
        mode,
        hostCpuPerS: (cpuMsOf([hostPid]) - host0) / seconds,
        chromiumCpuPerS: (cpuMsOf(pids) - chromium0) / seconds,
        hostRss: rssBytes(hostPid),
        packets: ((lab.conferences.mediaStatsOf(invited.conference.id, AGENT)?.packetsReceived ?? 0) - packets0) / seconds,
      };
      if (round.packets < PACKETS_PER_SECOND * 0.8) {
        failures += 1;
        lines.push(`  round ${index + 1} (${mode}): only ${round.packets.toFixed(0)} packets/s reached the MCU`);
      }
      results.push(round);
      progress(`desktop-audio: round ${index + 1}/${order.length} ${mode}: host ${round.hostCpuPerS.toFixed(1)} ms CPU/s, chromium ${round.chromiumCpuPerS.toFixed(1)} ms CPU/s, host RSS ${mib(round.hostRss)} MiB`);
      await client.call('conference.leave', { focusUri: invited.conference.focusUri });
      await pollUntil(() => (lab.conferences.dialogsOf(invited.conference.id, AGENT).mcu ? undefined : true), Date.now() + 5000, 20);
    }
    const of = (mode: Mode, pick: (r: Round) => number): number => median(results.filter((r) => r.mode === mode).map(pick));
    const windowCpu = of('window', (r) => r.hostCpuPerS);
    const windowChromium = of('window', (r) => r.chromiumCpuPerS);
    const hostCpu = of('host', (r) => r.hostCpuPerS);
    lines.unshift(
      `desktop-audio: one agent in a lab conference through Kamailio, ${measureMs / 1000} s of steady audio per round, median of ${rounds} rounds per mode`,
      `  switchboard web CPU: audio in the window ${windowCpu.toFixed(1)} ms/s, audio in the host (werift, baseline) ${hostCpu.toFixed(1)} ms/s, ratio ${(windowCpu / hostCpu).toFixed(2)}`,
      `  Chromium (every process) CPU: audio in the window ${windowChromium.toFixed(1)} ms/s, bare WebRTC audio loop in a blank page (baseline) ${bareChromium.toFixed(1)} ms/s, ratio ${(windowChromium / bareChromium).toFixed(2)}; the app page with no call ${idleChromium.toFixed(1)} ms/s, page closed ${of('host', (r) => r.chromiumCpuPerS).toFixed(1)} ms/s`,
      `  switchboard web RSS after the call: audio in the window (first round) ${mib(results.find((r) => r.mode === 'window')?.hostRss ?? Number.NaN)} MiB, once werift has run ${mib(of('host', (r) => r.hostRss))} MiB`,
      `  packets/s at the MCU: window ${of('window', (r) => r.packets).toFixed(1)}, host ${of('host', (r) => r.packets).toFixed(1)} (expected ${PACKETS_PER_SECOND})`,
    );
  } finally {
    client?.close();
    await browser?.close();
    await host.stop();
    await lab.stop();
    await kamailio.stop();
    rmSync(configDir, { recursive: true, force: true });
  }
  return { lines, failures };
}
