import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AgentEvent } from '../../common/agent-events';
import { BRIDGE_PROTOCOL, bridgeSocketFrameSchema } from '../../common/bridge';
import { silentLogger } from '../../core/ports/logger';
import { AudioBridgeMcu } from '../../lab/janus/audio-bridge-mcu';
import { startJanus, type JanusHandle } from '../../lab/janus/janus-launcher';
import { startKamailio, type KamailioHandle } from '../../lab/kamailio';
import { Lab } from '../../lab/lab';
import { createWeriftMediaEngine } from '../../main/adapters/werift-media';
import { AgentProcess } from '../support/agent-process';
import { launchChromium, screenshotPath } from '../support/chromium';
import { freeUdpPort } from '../support/free-port';
import { waitFor } from '../support/wait-for';
import { WebHostProcess } from '../support/web-host-process';

// Issue 16: a third participant, the desktop in Debian's Chromium (fake microphone, its audio
// in the page's WebRTC stack), joins two headless agents in one conference mixed on Janus
// AudioBridge, and hears both: its received level rises while one agent talks, rises again
// while only the other does, and falls to silence when both are muted. The agents hear the
// desktop's microphone (Chromium's fake one beeps), logged only (see below). Like
// audio-bridge.test.ts, a missing Janus or Chromium fails with the line that installs it.

const LAB_APP = 'sip:conf@lab.local';
const DESK = 'sip:mx-desk@lab.local';
/** Below this a level is silence (as in audio-bridge.test.ts); above HEARD, something is heard. */
const SILENCE = 0.002;
const HEARD = 0.01;

type MediaEvent = Extract<AgentEvent, { type: 'media' }>;

/**
 * The desktop's media events as every window gets them: pushes on the browser host's bridge,
 * validated against the contract (`bridgeSocketFrameSchema`), read over the same WebSocket the
 * page uses (its origin and this session's token).
 */
class DesktopMediaEvents {
  readonly events: MediaEvent[] = [];

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      const frame = bridgeSocketFrameSchema.parse(JSON.parse(data.toString('utf8')));
      if (frame.kind === 'push' && frame.push.event.type === 'media') {
        this.events.push(frame.push.event as MediaEvent);
      }
    });
  }

  static open(pageUrl: string): Promise<DesktopMediaEvents> {
    const url = new URL(pageUrl);
    const token = url.searchParams.get('token') ?? '';
    const socket = new WebSocket(`ws://${url.host}/bridge?token=${token}&protocol=${encodeURIComponent(BRIDGE_PROTOCOL)}`, { headers: { Origin: url.origin } });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the bridge did not open in 5 s')), 5000);
      socket.once('open', () => {
        clearTimeout(timer);
        resolve(new DesktopMediaEvents(socket));
      });
      socket.once('error', reject);
    });
  }

  /** The first media event after index `from` matching `match`, within `timeoutMs`. */
  async waitFor(match: (event: MediaEvent) => boolean, timeoutMs: number, from: number, what: string): Promise<MediaEvent> {
    await waitFor(() => this.events.slice(from).some(match), timeoutMs, `${what}; desktop levels: ${this.levels(from)}`);
    return this.events.slice(from).find(match) as MediaEvent;
  }

  /** The levels reported since index `from`, for figures and failures. */
  levels(from: number): string {
    return this.events
      .slice(from)
      .map((e) => e.level ?? '-')
      .join(' ');
  }

  close(): void {
    this.socket.close();
  }
}

let kamailio: KamailioHandle;
let janus: JanusHandle;
let lab: Lab;
let mixer: AudioBridgeMcu;
let host: WebHostProcess;
let browser: Browser;
let page: Page;
let desktop: DesktopMediaEvents;
const agents: AgentProcess[] = [];

beforeAll(async () => {
  const labPort = await freeUdpPort();
  kamailio = await startKamailio({ conferenceServer: { host: '127.0.0.1', port: labPort, transport: 'udp' } });
  janus = await startJanus();
  lab = await Lab.start({ signaling: { mode: 'proxied', proxyHost: '127.0.0.1', proxyPort: kamailio.udpPort, localPort: labPort } });
  mixer = new AudioBridgeMcu(janus.client, janus.adminKey, createWeriftMediaEngine(), silentLogger);
  lab.conferences.useAudioBridge(mixer);
  const configDir = mkdtempSync(join(tmpdir(), 'sb-mixer-'));
  writeFileSync(join(configDir, 'settings.json'), JSON.stringify({ server: kamailio.wsUrl, aor: DESK, autoAccept: false, trust: [LAB_APP] }));
  host = new WebHostProcess(['--config-dir', configDir, '--no-lab']);
  const url = await host.url;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
  await page.goto(url);
  await page.locator('[aria-label="connection"][data-phase="registered"]').waitFor({ timeout: 15_000 });
  desktop = await DesktopMediaEvents.open(url);
}, 60_000);

afterAll(async () => {
  desktop?.close();
  for (const agent of agents) {
    await agent.dispose();
  }
  await browser?.close();
  await host?.stop();
  await lab?.stop();
  await janus?.stop();
  await kamailio?.stop();
});

const aorOf = (user: string): string => `sip:${user}@lab.local`;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function registered(user: string): Promise<AgentProcess> {
  const agent = new AgentProcess(['--server', kamailio.wsUrl, '--aor', aorOf(user), '--registry', mkdtempSync(join(tmpdir(), 'sb-reg-')), '--auto-accept', '--trust', LAB_APP]);
  agents.push(agent);
  await agent.waitForType('registered', 10_000);
  return agent;
}

async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) {
    if (await check()) {
      return true;
    }
  }
  return check();
}

/** The conversation's incoming-audio meter shows bucket `bucket` (or, with `above`, any higher one). */
async function meterShows(bucket: number, above = false): Promise<string> {
  const meter = page.getByRole('meter', { name: 'Incoming audio level' });
  const selector = above ? `:not([aria-valuenow="${bucket}"])` : `[aria-valuenow="${bucket}"]`;
  await page.locator(`[role="meter"][aria-label="Incoming audio level"]${selector}`).waitFor({ timeout: 5000 });
  return (await meter.getAttribute('aria-valuetext')) ?? '';
}

describe('the desktop in a conference mixed on Janus AudioBridge', () => {
  it('joins as a third participant and hears agent one, then agent two, then silence', async () => {
    const one = await registered('mx-one');
    const two = await registered('mx-two');
    const { conference } = await lab.invite(aorOf('mx-one'), 'Mixed audio with the desktop');
    const { focusUri } = conference;
    await one.waitForType('media', 15_000, 0, (e) => e.state === 'connected');
    lab.inviteTo(conference, aorOf('mx-two'));
    await two.waitForType('media', 15_000, 0, (e) => e.state === 'connected');
    // Muted once its roster shows its audio, so the mute is announced (C3P) and applied in the room too.
    await two.waitForType('roster', 10_000, 0, (e) => e.users.some((u) => u.self && u.modalities.audio === 'connected'));
    two.send({ cmd: 'mute', focusUri, muted: true });
    await two.waitForType('media', 5000, 0, (e) => e.muted);
    expect(await until(async () => (await mixer.listParticipants(conference.id)).some((p) => p.display === aorOf('mx-two') && p.muted), 5000)).toBe(true);

    // The desktop accepts from its toast; its audio runs in the page's WebRTC stack.
    lab.inviteTo(conference, DESK);
    await page.getByRole('alertdialog', { name: 'Conference invitation' }).getByRole('button', { name: 'Accept' }).click({ timeout: 10_000 });
    await page.getByLabel('conversation state').filter({ hasText: 'Audio connected' }).waitFor({ timeout: 15_000 });
    expect(await until(async () => (await mixer.listParticipants(conference.id)).some((p) => p.display === DESK), 5000)).toBe(true);
    expect((await mixer.listParticipants(conference.id)).map((p) => p.display).sort()).toEqual([aorOf('mx-one'), aorOf('mx-two'), DESK].sort());

    // Agent one talks (its tone), agent two is muted: the desktop hears agent one.
    const fromOne = await desktop.waitFor((e) => (e.level ?? 0) > HEARD, 15_000, 0, 'the desktop to hear agent one');
    const hearing = await meterShows(0, true);
    console.info(`[figures] desktop hears agent one at ${fromOne.level} (meter: ${hearing}); levels so far: ${desktop.levels(0)}`);
    await page.screenshot({ path: screenshotPath('desktop-mixer-hearing') });

    // Both agents muted: silence at the desktop; the agents now hear only the desktop's microphone.
    let mark = desktop.events.length;
    const [oneMark, twoMark] = [one.events.length, two.events.length];
    one.send({ cmd: 'mute', focusUri, muted: true });
    const silent = await desktop.waitFor((e) => e.level !== undefined && e.level < SILENCE, 10_000, mark, 'silence at the desktop with both agents muted');
    await meterShows(0);
    console.info(`[figures] both agents muted: the desktop's level falls to ${silent.level} (levels: ${desktop.levels(mark)})`);
    // What the agents heard meanwhile, only the desktop's microphone being open: logged, not
    // asserted. Chromium's fake microphone beeps briefly once a second, and a headless agent's
    // level is the loudest packet of the 200 ms before each once-a-second report, so an agent
    // whose reports fall between beeps reads 0 throughout (seen: one agent a steady 0.4, the other
    // 0). The desktop's own leg carries the beeps (about 0.23 at the lab's side).
    const heardByAgents = (agent: AgentProcess, from: number): string =>
      agent.events
        .slice(from)
        .map((e) => (e.event.type === 'media' ? e.event.level : undefined))
        .filter((level) => level !== undefined)
        .join(' ');
    console.info(`[figures] only the desktop unmuted: agent one heard ${heardByAgents(one, oneMark)}; agent two ${heardByAgents(two, twoMark)}`);

    // Agent two talks alone: the desktop hears it.
    mark = desktop.events.length;
    two.send({ cmd: 'mute', focusUri, muted: false });
    const fromTwo = await desktop.waitFor((e) => (e.level ?? 0) > HEARD, 10_000, mark, 'the desktop to hear agent two');
    await meterShows(0, true);
    console.info(`[figures] desktop hears agent two at ${fromTwo.level} (levels: ${desktop.levels(mark)})`);

    // Both muted again: silence.
    mark = desktop.events.length;
    two.send({ cmd: 'mute', focusUri, muted: true });
    const again = await desktop.waitFor((e) => e.level !== undefined && e.level < SILENCE, 10_000, mark, 'silence again');
    await meterShows(0);
    console.info(`[figures] both muted again: ${again.level} (levels: ${desktop.levels(mark)})`);
    await page.locator('[aria-label="conversation"]').screenshot({ path: screenshotPath('desktop-mixer-silence') });
  }, 120_000);
});
