/// <reference lib="dom" />
// The DOM lib: the init script below runs inside the page.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AgentEvent } from '../../common/agent-events';
import { BRIDGE_PROTOCOL, bridgeSocketFrameSchema } from '../../common/bridge';
import type { DesktopEvent } from '../../common/desktop-state';
import { startKamailio, type KamailioHandle } from '../../lab/kamailio';
import { Lab } from '../../lab/lab';
import type { LabCall } from '../../lab/calls/lab-phone';
import { AgentProcess } from '../support/agent-process';
import { launchChromium, screenshotPath } from '../support/chromium';
import { freeUdpPort } from '../support/free-port';
import { waitFor } from '../support/wait-for';
import { WebHostProcess } from '../support/web-host-process';

// Issue 17 in the desktop: the lab's phone calls the agent in Debian's Chromium (fake devices,
// the call's audio in the page's own WebRTC stack) through Kamailio and `switchboard web`: the
// toast rings, Accept, audio both ways, the keypad's DTMF, hold, a blind transfer to a headless
// agent; then the agent calls the lab from the main window's Call box and hangs up. Every wait
// is bounded; everything listens on 127.0.0.1.

const LAB_APP = 'sip:conf@lab.local';
const DESK = 'sip:desk@lab.local';
const COLLEAGUE = 'sip:desk-colleague@lab.local';
/** Above this a received level is the lab's tone, not silence (as in desktop-mixer.test.ts). */
const HEARD = 0.01;

type TimedPush = { readonly at: number; readonly event: DesktopEvent };
/** The page's peer-connection state changes, with the page's clock (recorded by {@link recordPeerConnections}). */
type PcState = { readonly state: string; readonly at: number };

/**
 * Records every `connectionstatechange` of the page's peer connections with the page's own
 * clock, so the time from the Accept click to the window's audio being connected is measured
 * where it happens, not at the host's once-a-second media report.
 */
function recordPeerConnections(): void {
  const Native = window.RTCPeerConnection;
  const log: PcState[] = [];
  (window as unknown as { pcStates: PcState[] }).pcStates = log;
  window.RTCPeerConnection = class extends Native {
    constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
      super(...args);
      this.addEventListener('connectionstatechange', () => log.push({ state: this.connectionState, at: performance.now() }));
    }
  };
}
type CallMedia = Extract<AgentEvent, { type: 'call.media' }>;

/**
 * Every push the desktop's windows get, read on the browser host's bridge as the page reads it
 * (its origin and this session's token), validated against the contract, with its arrival time.
 */
class DesktopPushes {
  readonly pushes: TimedPush[] = [];

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      const frame = bridgeSocketFrameSchema.parse(JSON.parse(data.toString('utf8')));
      if (frame.kind === 'push') {
        this.pushes.push({ at: performance.now(), event: frame.push.event as DesktopEvent });
      }
    });
  }

  static open(pageUrl: string): Promise<DesktopPushes> {
    const url = new URL(pageUrl);
    const token = url.searchParams.get('token') ?? '';
    const socket = new WebSocket(`ws://${url.host}/bridge?token=${token}&protocol=${encodeURIComponent(BRIDGE_PROTOCOL)}`, { headers: { Origin: url.origin } });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the bridge did not open in 5 s')), 5000);
      socket.once('open', () => {
        clearTimeout(timer);
        resolve(new DesktopPushes(socket));
      });
      socket.once('error', reject);
    });
  }

  /** The first `call.media` push after index `from` matching `match`, within `timeoutMs`. */
  async callMedia(match: (event: CallMedia) => boolean, timeoutMs: number, from: number, what: string): Promise<{ at: number; event: CallMedia }> {
    const find = (): TimedPush | undefined => this.pushes.slice(from).find((p) => p.event.type === 'call.media' && match(p.event));
    await waitFor(() => find() !== undefined, timeoutMs, `${what}; call.media so far: ${JSON.stringify(this.pushes.filter((p) => p.event.type === 'call.media').slice(-5).map((p) => p.event))}`);
    const found = find() as TimedPush;
    return { at: found.at, event: found.event as CallMedia };
  }

  close(): void {
    this.socket.close();
  }
}

let kamailio: KamailioHandle;
let lab: Lab;
let host: WebHostProcess;
let browser: Browser;
let page: Page;
let pushes: DesktopPushes;
const agents: AgentProcess[] = [];

beforeAll(async () => {
  const labPort = await freeUdpPort();
  kamailio = await startKamailio({ conferenceServer: { host: '127.0.0.1', port: labPort, transport: 'udp', serviceUser: 'conf' } });
  lab = await Lab.start({ signaling: { mode: 'proxied', proxyHost: '127.0.0.1', proxyPort: kamailio.udpPort, localPort: labPort } });
  const configDir = mkdtempSync(join(tmpdir(), 'sb-desk-calls-'));
  writeFileSync(join(configDir, 'settings.json'), JSON.stringify({ server: kamailio.wsUrl, aor: DESK, autoAccept: false, trust: [LAB_APP] }));
  host = new WebHostProcess(['--config-dir', configDir, '--no-lab']);
  const url = await host.url;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
  await page.addInitScript(recordPeerConnections);
  await page.goto(url);
  await page.locator('[aria-label="connection"][data-phase="registered"]').waitFor({ timeout: 15_000 });
  pushes = await DesktopPushes.open(url);
}, 60_000);

afterAll(async () => {
  pushes?.close();
  for (const agent of agents) {
    await agent.dispose();
  }
  await browser?.close();
  await host?.stop();
  await lab?.stop();
  await kamailio?.stop();
});

/** `promise`, or a clear failure after `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const callState = (): ReturnType<Page['getByLabel']> => page.locator('[aria-label="conversation"]').getByLabel('call state');

describe('calls in the desktop, in Chromium through Kamailio', () => {
  let call: LabCall;

  it('rings a call with the caller in the toast; Accept connects it with the audio in the window, both ways', async () => {
    const placed = await lab.phone.call(DESK, { displayName: 'Contoso Support', conversationId: 'conv-desk-call' });
    call = placed.call;
    const toast = page.getByRole('alertdialog', { name: 'Incoming call' });
    await toast.waitFor({ timeout: 10_000 });
    await expect(toast.textContent()).resolves.toContain('Contoso Support is calling');
    await expect(toast.textContent()).resolves.toContain('conf@lab.local');
    await page.locator('html[data-ringing="running"]').waitFor({ state: 'attached', timeout: 5000 });
    await toast.screenshot({ path: screenshotPath('toast-call') });
    await page.screenshot({ path: screenshotPath('call-ringing') });

    const mark = pushes.pushes.length;
    const clicked = performance.now();
    const clickedInPage = await page.evaluate(() => performance.now());
    await toast.getByRole('button', { name: 'Accept' }).click();
    expect(await within(placed.answer, 10_000, 'the 200 OK at the lab')).toMatchObject({ status: 200 });
    await page.locator('html:not([data-ringing])').waitFor({ state: 'attached', timeout: 5000 });
    await callState().filter({ hasText: /^Connected/ }).waitFor({ timeout: 10_000 });
    const connected = await pushes.callMedia((e) => e.state === 'connected', 10_000, mark, 'the call audio connected');
    const inPage = await page.evaluate((since) => (window as unknown as { pcStates: PcState[] }).pcStates.find((s) => s.state === 'connected' && s.at > since)?.at, clickedInPage);
    expect(inPage).toBeDefined();
    console.info(
      `[figures] desktop call: Accept click -> the window's peer connection connected in ${((inPage ?? 0) - clickedInPage).toFixed(0)} ms; -> call.media "connected" pushed in ${(connected.at - clicked).toFixed(0)} ms (media is reported once a second)`,
    );
    // The window's WebRTC stack answered: Chromium's answer, not the host engine's (werift), and no fallback.
    // (Chromium's candidates carry `network-id`, werift's never do.)
    expect(call.remoteSdp).toMatch(/^a=candidate:.* typ host .*network-id/m);
    expect(host.stderrLines.some((l) => l.includes('audio runs in the host'))).toBe(false);
    // The lab hears the window (Chromium's fake microphone), the window hears the lab's tone.
    await waitFor(() => call.media.stats().packetsReceived > 25, 5000, 'RTP from the window at the lab');
    const heard = await pushes.callMedia((e) => (e.level ?? 0) > HEARD, 10_000, mark, "the lab's tone in the window");
    console.info(`[figures] desktop call: Accept click -> the lab's tone heard in the window ${(heard.at - clicked).toFixed(0)} ms (level ${heard.event.level})`);
    await page.locator('[aria-label="conversation"] [role="meter"][aria-label="Incoming audio level"]:not([aria-valuenow="0"])').waitFor({ timeout: 5000 });
    await toast.waitFor({ state: 'detached', timeout: 5000 });
    await page.locator('[aria-label="conversation"]').screenshot({ path: screenshotPath('call-connected') });
  });

  it('sends the keypad digits as DTMF, from the buttons and the keyboard', async () => {
    const area = page.locator('[aria-label="conversation"]');
    await area.getByRole('button', { name: 'Keypad', exact: true }).click();
    const keys = area.getByRole('group', { name: 'DTMF keys' });
    for (const digit of ['1', '2', '#']) {
      await keys.getByRole('button', { name: digit, exact: true }).click();
    }
    await waitFor(() => call.digits.join('') === '12#', 5000, `the digits at the lab (so far ${call.digits.join('')})`);
    await page.keyboard.press('4');
    await waitFor(() => call.digits.join('') === '12#4', 5000, `the typed digit at the lab (so far ${call.digits.join('')})`);
    await expect(area.getByLabel('digits sent').textContent()).resolves.toBe('Sent: 12#4');
    // As RFC 4733 events from the window's RTCDTMFSender, not SIP INFO.
    await waitFor(() => host.stderrLines.filter((l) => l.includes('DTMF sent')).length >= 4, 5000, 'the host to log the digits sent');
    expect(host.stderrLines.filter((l) => l.includes('DTMF sent')).every((l) => /how[=":]+rtp/.test(l))).toBe(true);
    // Digits from the other side (SIP INFO) show too.
    expect(await within(call.dtmfInfo('9'), 5000, 'DTMF INFO 9')).toBe(200);
    await area.getByLabel('digits received').filter({ hasText: 'Received: 9' }).waitFor({ timeout: 5000 });
    await area.screenshot({ path: screenshotPath('call-keypad') });
    await area.getByRole('button', { name: 'Keypad', exact: true }).click();
  });

  it('holds (the lab sees it) and resumes', async () => {
    const area = page.locator('[aria-label="conversation"]');
    await area.getByRole('button', { name: 'Hold', exact: true }).click();
    await callState().filter({ hasText: /^On hold/ }).waitFor({ timeout: 5000 });
    await waitFor(() => call.heldByAgent, 5000, 'the hold at the lab');
    await area.screenshot({ path: screenshotPath('call-held') });
    await area.getByRole('button', { name: 'Resume', exact: true }).click();
    await callState().filter({ hasText: /^Connected/ }).waitFor({ timeout: 5000 });
    await waitFor(() => !call.heldByAgent, 5000, 'the resume at the lab');
    // The list shows the call with its state.
    await page.locator('[data-conversation-row="conv-desk-call"]', { hasText: 'Connected' }).waitFor({ timeout: 5000 });
  });

  it('transfers blind to a headless agent, whose call connects; the desktop call ends "transferred"', async () => {
    const colleague = new AgentProcess(['--server', kamailio.wsUrl, '--aor', COLLEAGUE, '--registry', mkdtempSync(join(tmpdir(), 'sb-reg-')), '--auto-accept', '--trust', LAB_APP]);
    agents.push(colleague);
    await colleague.waitForType('registered', 10_000);
    const area = page.locator('[aria-label="conversation"]');
    await area.getByRole('button', { name: 'Transfer', exact: true }).click();
    await area.getByRole('textbox', { name: 'Transfer to' }).fill(COLLEAGUE);
    await area.screenshot({ path: screenshotPath('call-transfer-form') });
    await area.getByRole('button', { name: 'Complete transfer' }).click();
    await colleague.waitForType('call.state', 15_000, 0, (e) => e.state === 'connected');
    await callState().filter({ hasText: 'Ended: transferred' }).waitFor({ timeout: 10_000 });
    await area.getByLabel('transfer progress').filter({ hasText: 'Transferred to desk-colleague@lab.local' }).waitFor({ timeout: 5000 });
    expect(call.referredTo).toBe(COLLEAGUE);
    await colleague.waitForType('call.media', 10_000, 0, (e) => e.packetsReceived > 25);
    await area.screenshot({ path: screenshotPath('call-transferred') });
    // The SIP trace lists the call's dialog.
    await area.getByRole('tab', { name: 'SIP trace' }).click();
    await area.locator('[aria-label="dialogs"] [data-role="call"]').waitFor({ timeout: 5000 });
    expect(await area.locator('[aria-label="messages"] li[data-method="REFER"]').count()).toBeGreaterThan(0);
    await area.screenshot({ path: screenshotPath('call-trace') });
  });

  it("places a call from the main window's Call box; the lab answers; Hang up sends BYE", async () => {
    const before = lab.phone.answered.length;
    await page.getByRole('textbox', { name: 'Call', exact: true }).fill(LAB_APP);
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    await waitFor(() => lab.phone.answered.length > before, 10_000, 'the lab to answer');
    const answered = lab.phone.answered.at(-1) as LabCall;
    await callState().filter({ hasText: /^Connected/ }).waitFor({ timeout: 10_000 });
    await waitFor(() => answered.media.stats().packetsReceived > 25, 5000, 'RTP from the window at the lab');
    await page.locator('[aria-label="recent conversations"] [data-conversation-row]', { hasText: 'Connected' }).first().waitFor({ timeout: 5000 });
    await page.screenshot({ path: screenshotPath('call-outgoing') });
    await page.locator('[aria-label="conversation"]').getByRole('button', { name: 'Hang up' }).click();
    await within(answered.ended(), 5000, 'the BYE at the lab');
    expect(answered.endedBy).toBe('agent');
    await callState().filter({ hasText: 'Ended: hung up' }).waitFor({ timeout: 5000 });
    await page.screenshot({ path: screenshotPath('call-ended') });
  });
});
