/// <reference lib="dom" />
// The DOM lib: the stamping script below runs inside the page.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startKamailio, type KamailioHandle } from '../lab/kamailio';
import { Lab } from '../lab/lab';
import { createWeriftMediaEngine } from '../main/adapters/werift-media';
import { AgentProcess } from '../test/support/agent-process';
import { launchChromium } from '../test/support/chromium';
import { freeUdpPort } from '../test/support/free-port';
import { WebHostProcess } from '../test/support/web-host-process';
import { envInt, progress, type Bench, type BenchResult } from './support/bench';
import { pollUntil, sleep } from './support/event-log';
import { ms, percentile } from './support/stats';
import { SwitchableMediaEngine, type TimedMediaSession } from './support/timed-media';

// Issue 15's figure: the agent's click on Accept in the desktop (`switchboard web` in Chromium)
// to the roster's audio icon turning connected, against the same-run baseline of a headless
// `switchboard agent` accepting on the same lab (accept -> first RTP). Kamailio + lab on
// 127.0.0.1; page times are stamped inside the page (a click listener, a MutationObserver) on
// the epoch clock, the lab's with the same clock, so Playwright's polling is not in them.
// See bench/README.md "desktop-accept".

const DESK = 'sip:desk@lab.local';
const HEADLESS = 'sip:headless@lab.local';
const LAB_APP = 'sip:conf@lab.local';
/** The agent admits 10 invitations a sender in 10 s (LIMITS.requestsPerSender): one a second each at most. */
const MIN_INVITE_GAP_MS = 1_050;
const ROUND_TIMEOUT_MS = 10_000;
const AUDIO_ICON = '[aria-label="roster"] li[data-self="true"] [data-modality="audio"][data-state="connected"]';

export const bench: Bench = {
  name: 'desktop-accept',
  run: runDesktopAccept,
};

/** Epoch milliseconds with sub-millisecond resolution, the clock the page stamps with too. */
const epochNow = (): number => performance.timeOrigin + performance.now();

/**
 * Page-side stamps (epoch ms): the Accept click in the toast naming `expect`, the roster's own
 * audio icon turning connected after it, and the window's media steps (getUserMedia, its offer,
 * the MCU's answer applied, its peer connection connected). Plain script text: tsx's transform
 * would put helpers into a function's source that the page does not have.
 */
const STAMP_PAGE = `(() => {
  const now = () => performance.timeOrigin + performance.now();
  const marks = {};
  window.__sbAccept = marks;
  const icon = ${JSON.stringify(AUDIO_ICON)};
  let stale = new Set();
  new MutationObserver(() => {
    if (marks.clickAt === undefined || marks.audioAt !== undefined) return;
    if ([...document.querySelectorAll(icon)].some((e) => !stale.has(e))) marks.audioAt = now();
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
  document.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('button') : null;
    const toast = button ? button.closest('[role="alertdialog"]') : null;
    if (marks.clickAt === undefined && button && toast && (button.textContent || '').trim() === 'Accept' && marks.expect !== undefined && (toast.textContent || '').includes(marks.expect)) {
      stale = new Set(document.querySelectorAll(icon));
      marks.clickAt = now();
    }
  }, true);
  const devices = navigator.mediaDevices;
  if (devices && devices.getUserMedia) {
    const gum = devices.getUserMedia.bind(devices);
    devices.getUserMedia = async (constraints) => {
      if (marks.gumStart === undefined) marks.gumStart = now();
      const stream = await gum(constraints);
      if (marks.gumEnd === undefined) marks.gumEnd = now();
      return stream;
    };
  }
  const Socket = window.WebSocket;
  window.WebSocket = class extends Socket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        if (marks.clickAt !== undefined && marks.answerCommandAt === undefined && typeof event.data === 'string' && event.data.includes('"op":"answer"')) marks.answerCommandAt = now();
      });
    }
  };
  const setLocal = RTCPeerConnection.prototype.setLocalDescription;
  RTCPeerConnection.prototype.setLocalDescription = function (...args) {
    if (marks.offerAt === undefined && marks.expect !== undefined) {
      marks.offerAt = now();
      const pc = this;
      const gathered = () => {
        if (pc.iceGatheringState === 'complete' && marks.gatheredAt === undefined) marks.gatheredAt = now();
      };
      pc.addEventListener('icegatheringstatechange', gathered);
    }
    return setLocal.apply(this, args);
  };
  const setRemote = RTCPeerConnection.prototype.setRemoteDescription;
  RTCPeerConnection.prototype.setRemoteDescription = function (...args) {
    const description = args[0];
    if (description && description.type === 'answer' && marks.answerAt === undefined) {
      marks.answerAt = now();
      this.addEventListener('connectionstatechange', () => {
        if (this.connectionState === 'connected' && marks.pcConnectedAt === undefined) marks.pcConnectedAt = now();
      });
    }
    return setRemote.apply(this, args);
  };
})();`;

type PageMarks = {
  readonly clickAt?: number;
  readonly audioAt?: number;
  readonly gumStart?: number;
  readonly gumEnd?: number;
  readonly offerAt?: number;
  /** The window's offer gathered its candidates: it goes to the host then. */
  readonly gatheredAt?: number;
  readonly answerAt?: number;
  /** The bridge frame with the `answer` command reached the page (its message event ran). */
  readonly answerCommandAt?: number;
  readonly pcConnectedAt?: number;
};

/** One join, all epoch ms: `start` is the click (desktop) or the accept command (headless). */
type Join = {
  readonly start: number;
  /** Desktop: the roster icon; headless: the lab's first RTP from the agent. */
  readonly end: number;
  readonly accepted?: number;
  readonly lab: TimedMediaSession | undefined;
  readonly focusInviteAt: number | undefined;
  readonly page?: PageMarks;
};

type Rig = {
  readonly kamailio: KamailioHandle;
  readonly lab: Lab;
  readonly labMedia: SwitchableMediaEngine;
  /** When the lab's conference server got the first INVITE since the last invitation went out: the focus join (epoch ms). */
  focusInviteAt: number | undefined;
  readonly page: Page;
  readonly headless: AgentProcess;
  lastInviteAt: number;
  readonly stop: () => Promise<void>;
};

async function startRig(): Promise<Rig> {
  const undo: (() => Promise<unknown>)[] = [];
  const stop = async (): Promise<void> => {
    for (const step of undo.splice(0).reverse()) {
      await step().catch((error: unknown) => progress(`desktop-accept: cleanup step failed: ${String(error)}`));
    }
  };
  try {
    const labPort = await freeUdpPort();
    const kamailio = await startKamailio({ conferenceServer: { host: '127.0.0.1', port: labPort, transport: 'udp' } });
    undo.push(() => kamailio.stop());
    const real = createWeriftMediaEngine({ clock: epochNow });
    const labMedia = new SwitchableMediaEngine({ media: real, floor: real }, epochNow);
    const lab = await Lab.start({ signaling: { mode: 'proxied', proxyHost: '127.0.0.1', proxyPort: kamailio.udpPort, localPort: labPort }, media: labMedia });
    undo.push(() => lab.stop());
    const dir = mkdtempSync(join(tmpdir(), 'sb-bench-accept-'));
    undo.push(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })));
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ server: kamailio.wsUrl, aor: DESK, autoAccept: false, trust: [LAB_APP] }));
    // BENCH_ACCEPT_HOST_PROFILE=<dir>: the host's CPU profile (whole run), written when it exits.
    const profileDir = process.env.BENCH_ACCEPT_HOST_PROFILE;
    const host = new WebHostProcess(['--config-dir', dir, '--no-lab'], profileDir === undefined ? {} : { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` });
    undo.push(() => host.stop());
    const browser: Browser = await launchChromium();
    undo.push(() => browser.close());
    const url = await host.url;
    const context: BrowserContext = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    // The agent allowed the microphone before (the everyday case): the window may capture while
    // the invitation rings. (Chromium's fake media UI reads as granted anyway.)
    await context.grantPermissions(['microphone'], { origin: new URL(url).origin });
    await context.addInitScript({ content: STAMP_PAGE });
    const page = await context.newPage();
    await page.goto(url);
    await page.locator('[aria-label="connection"][data-phase="registered"]').waitFor({ timeout: 15_000 });
    const headless = new AgentProcess(['--server', kamailio.wsUrl, '--aor', HEADLESS]);
    undo.push(() => headless.dispose());
    await headless.waitForType('registered', 15_000);
    const rig: Rig = { kamailio, lab, labMedia, focusInviteAt: undefined, page, headless, lastInviteAt: -Infinity, stop };
    // The lab routes each INVITE through this method first: the focus INVITE is the first after ours.
    const handleInvite = lab.conferences.handleInvite.bind(lab.conferences);
    lab.conferences.handleInvite = (request) => {
      rig.focusInviteAt ??= epochNow();
      return handleInvite(request);
    };
    return rig;
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Invites `aor` (paced under its rate limit), with the lab's media marks reset first. */
async function invite(rig: Rig, aor: string, subject: string): Promise<Awaited<ReturnType<Lab['invite']>>> {
  await sleep(Math.max(0, rig.lastInviteAt + MIN_INVITE_GAP_MS / 2 - performance.now()));
  rig.lastInviteAt = performance.now();
  rig.labMedia.reset();
  rig.focusInviteAt = undefined;
  return rig.lab.invite(aor, subject);
}

/** Ends the lab conference and waits until the agent's dialogs with it are gone. */
async function endConference(rig: Rig, conferenceId: string, aor: string): Promise<void> {
  await sleep(200);
  rig.lab.conferences.end(conferenceId);
  await pollUntil(() => {
    const dialogs = rig.lab.conferences.dialogsOf(conferenceId, aor);
    return dialogs.focus || dialogs.mcu ? undefined : true;
  }, performance.now() + 5000, 20);
}

/** The page's marks once the icon stamp is there, or as they are after {@link ROUND_TIMEOUT_MS}. */
async function pageMarksOnceConnected(page: Page): Promise<PageMarks> {
  const deadline = performance.now() + ROUND_TIMEOUT_MS;
  for (;;) {
    const marks = (await page.evaluate('window.__sbAccept')) as PageMarks;
    if (marks.audioAt !== undefined || performance.now() >= deadline) {
      return marks;
    }
    await sleep(20);
  }
}

/** The desktop: the toast rings for `ringMs`, the agent clicks Accept, the roster icon turns connected. */
async function desktopJoin(rig: Rig, index: number, ringMs: number): Promise<Join> {
  const subject = `accept bench ${index}`;
  await rig.page.evaluate(`(() => { const m = window.__sbAccept; for (const k of Object.keys(m)) delete m[k]; m.expect = ${JSON.stringify(subject)}; })()`);
  const invited = await invite(rig, DESK, subject);
  try {
    const toast = rig.page.getByRole('alertdialog', { name: 'Conference invitation' }).filter({ hasText: subject });
    await toast.waitFor({ timeout: ROUND_TIMEOUT_MS });
    await sleep(ringMs);
    let accepted: number | undefined;
    void invited.outcome.then(() => (accepted = epochNow()));
    await toast.getByRole('button', { name: 'Accept' }).click();
    const marks = await pageMarksOnceConnected(rig.page);
    if (marks.clickAt === undefined || marks.audioAt === undefined) {
      throw new Error('the roster audio icon did not turn connected');
    }
    return { start: marks.clickAt, end: marks.audioAt, ...(accepted !== undefined && { accepted }), lab: rig.labMedia.sessions.at(-1), focusInviteAt: rig.focusInviteAt, page: marks };
  } finally {
    await endConference(rig, invited.conference.id, DESK);
  }
}

/** The baseline: `switchboard agent` accepts after the same ringing time; the end is the lab's first RTP from it. */
async function headlessJoin(rig: Rig, index: number, ringMs: number): Promise<Join> {
  const from = rig.headless.events.length;
  const invited = await invite(rig, HEADLESS, `headless bench ${index}`);
  try {
    const ringing = await rig.headless.waitForType('invitation', ROUND_TIMEOUT_MS, from, (e) => e.focusUri === invited.conference.focusUri);
    await sleep(ringMs);
    let accepted: number | undefined;
    void invited.outcome.then(() => (accepted = epochNow()));
    const start = epochNow();
    rig.headless.send({ cmd: 'accept', id: ringing.event.id });
    const end = await pollUntil(() => rig.labMedia.sessions.at(-1)?.stats().firstPacketReceivedAt, performance.now() + ROUND_TIMEOUT_MS, 5);
    if (end === undefined) {
      throw new Error('no RTP from the headless agent');
    }
    return { start, end, ...(accepted !== undefined && { accepted }), lab: rig.labMedia.sessions.at(-1), focusInviteAt: rig.focusInviteAt };
  } finally {
    await endConference(rig, invited.conference.id, HEADLESS);
  }
}

async function runDesktopAccept(): Promise<BenchResult> {
  const rounds = envInt('BENCH_ACCEPT_ROUNDS', 20);
  const warmup = envInt('BENCH_ACCEPT_WARMUP', 2, 0);
  const ringMs = envInt('BENCH_ACCEPT_RING_MS', 800, 0);
  const rig = await startRig();
  const desktop: Join[] = [];
  const headless: Join[] = [];
  let failures = 0;
  try {
    for (let i = 0; i < warmup + rounds; i += 1) {
      for (const mode of i % 2 === 0 ? (['desktop', 'headless'] as const) : (['headless', 'desktop'] as const)) {
        try {
          const join = mode === 'desktop' ? await desktopJoin(rig, i, ringMs) : await headlessJoin(rig, i, ringMs);
          if (i >= warmup) {
            (mode === 'desktop' ? desktop : headless).push(join);
          }
          progress(`desktop-accept round ${i + 1}/${warmup + rounds} ${mode}: ${ms(join.end - join.start)} ms`);
        } catch (error) {
          failures += 1;
          progress(`desktop-accept round ${i + 1} ${mode} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
  } finally {
    await rig.stop();
  }
  return { lines: report(desktop, headless, failures, ringMs), failures };
}

/** p50 of `to - from` over the joins that have both marks. */
function p50(joins: readonly Join[], from: (j: Join) => number | undefined, to: (j: Join) => number | undefined): string {
  const spans = joins.flatMap((j) => {
    const a = from(j);
    const b = to(j);
    return a === undefined || b === undefined ? [] : [b - a];
  });
  return spans.length === 0 ? '-' : ms(percentile(spans, 50));
}

function report(desktop: readonly Join[], headless: readonly Join[], failures: number, ringMs: number): string[] {
  const total = (joins: readonly Join[]): number[] => joins.map((j) => j.end - j.start);
  const rtp = (joins: readonly Join[]): number[] => joins.flatMap((j) => (j.lab?.stats().firstPacketReceivedAt === undefined ? [] : [(j.lab.stats().firstPacketReceivedAt ?? 0) - j.start]));
  const line = (label: string, samples: readonly number[]): string =>
    `  ${label.padEnd(46)} p50 ${ms(percentile(samples, 50)).padStart(8)}  p95 ${ms(percentile(samples, 95)).padStart(8)}  (${samples.length})`;
  const ratio = percentile(total(desktop), 50) / percentile(total(headless), 50);
  const like = percentile(rtp(desktop), 50) / percentile(rtp(headless), 50);
  return [
    `desktop-accept (${desktop.length}+${headless.length} joins, ${failures} failed; Chromium + switchboard web, switchboard agent, Kamailio + lab; ${ringMs} ms ringing before each accept)`,
    line('desktop: Accept click -> roster audio connected', total(desktop)),
    line('desktop: Accept click -> first RTP at the MCU', rtp(desktop)),
    line('baseline, headless: accept -> first RTP at MCU', total(headless)),
    `  ratio desktop (roster icon) / headless p50: ${ratio.toFixed(2)}x; first RTP at the MCU, desktop / headless: ${like.toFixed(2)}x`,
    `  desktop after the click (p50, ms): invitation 200 at the lab ${p50(desktop, (j) => j.start, (j) => j.accepted)}` +
      ` | focus INVITE at the lab ${p50(desktop, (j) => j.start, (j) => j.focusInviteAt)}` +
      ` | MCU INVITE at the lab ${p50(desktop, (j) => j.start, (j) => j.lab?.marks.answerStartedAt)}` +
      ` | MCU answered ${p50(desktop, (j) => j.start, (j) => j.lab?.marks.answerDoneAt)}` +
      ` | answer command in the page ${p50(desktop, (j) => j.start, (j) => j.page?.answerCommandAt)}` +
      ` | window has the answer ${p50(desktop, (j) => j.start, (j) => j.page?.answerAt)}` +
      ` | window connected (ICE+DTLS) ${p50(desktop, (j) => j.start, (j) => j.page?.pcConnectedAt)}` +
      ` | MCU connected ${p50(desktop, (j) => j.start, (j) => j.lab?.marks.connectedAt)}` +
      ` | roster icon ${p50(desktop, (j) => j.start, (j) => j.end)}`,
    `  desktop before the click (p50, ms): getUserMedia ${p50(desktop, (j) => j.page?.gumStart, (j) => j.page?.gumEnd)} long, ended ${p50(desktop, (j) => j.page?.gumEnd, (j) => j.start)} before the click` +
      ` | window offer started ${p50(desktop, (j) => j.page?.offerAt, (j) => j.start)}, gathered ${p50(desktop, (j) => j.page?.gatheredAt, (j) => j.start)} before the click (negative: after it)`,
    `  headless after accept (p50, ms): invitation 200 at the lab ${p50(headless, (j) => j.start, (j) => j.accepted)}` +
      ` | focus INVITE at the lab ${p50(headless, (j) => j.start, (j) => j.focusInviteAt)}` +
      ` | MCU INVITE at the lab ${p50(headless, (j) => j.start, (j) => j.lab?.marks.answerStartedAt)}` +
      ` | MCU connected ${p50(headless, (j) => j.start, (j) => j.lab?.marks.connectedAt)}` +
      ` | first RTP at the MCU ${p50(headless, (j) => j.start, (j) => j.end)}`,
  ];
}
