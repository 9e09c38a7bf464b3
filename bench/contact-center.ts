/// <reference lib="dom" />
// The DOM lib: the stamping scripts below run inside the pages.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import type { ContactCenterConfigInput } from '../lab/contact-center/config';
import { startKamailio, type KamailioHandle } from '../lab/kamailio';
import { Lab, type LabContactCenter } from '../lab/lab';
import { launchChromium } from '../test/support/chromium';
import { freeUdpPort } from '../test/support/free-port';
import { WebHostProcess } from '../test/support/web-host-process';
import { envInt, progress, type Bench, type BenchResult } from './support/bench';
import { pollUntil, sleep } from './support/event-log';
import { optionsRoundTrips } from './support/sip-options';
import { summarizeCpuProfile } from './support/cpu-profile';
import { ms, percentile } from './support/stats';

// Issue 14's figures, as the two people feel them: the customer's click on "Start chat" to the
// agent's toast, and the agent's click on Accept to the crm-context pane showing who the
// customer is. One `switchboard web` in Chromium, the lab's contact center behind Kamailio, the
// customer page in a second browser context. Times are stamped inside the pages (a click
// listener, a MutationObserver) on the shared epoch clock (`performance.timeOrigin + now()`),
// so the polling Playwright does is not in them. The baseline, interleaved with the rounds: a
// bare SIP round trip (OPTIONS through Kamailio to the same desktop and back).

const AGENT = 'sip:bench-desk@lab.local';
const LAB_APP = 'sip:conf@lab.local';
const BIN = fileURLToPath(new URL('../bin/switchboard.js', import.meta.url));
const PACKAGES = fileURLToPath(new URL('../out/extensions/', import.meta.url));
const OPTIONS_PER_ROUND = 5;
/** Least time between two customers' clicks (see oneCustomer). */
const MIN_ROUND_GAP_MS = 2500;
/** `BENCH_CC_PROFILE=1`: the window's CPU profile of the last round's Accept → pane, summarised on stderr. */
const PROFILE = process.env.BENCH_CC_PROFILE === '1';
/** `BENCH_CC_NO_WARMUP=1`: removes the window's warm sandboxed frame, to measure what it saves. */
const NO_WARMUP = process.env.BENCH_CC_NO_WARMUP === '1';
const PROFILE_PATH = fileURLToPath(new URL('../artifacts/bench/contact-center-window.cpuprofile', import.meta.url));

const CONFIG: ContactCenterConfigInput = {
  agents: [{ aor: AGENT, name: 'Bench Agent', skills: ['billing'] }],
  skills: [{ name: 'billing', keywords: ['invoice'] }],
  wrapUpCodes: [{ code: 'resolved', label: 'Resolved' }],
  retryRefusedAfterMs: 1000,
  // A failed round leaves its conversation waiting for a wrap-up: this frees the agent for the next.
  wrapUpTimeoutMs: 3000,
};

export const bench: Bench = {
  name: 'contact-center',
  run: runContactCenter,
};

type Round = {
  readonly toastMs: number;
  readonly paneMs: number;
  readonly paneAsked: boolean;
  /** From the agent's Accept: the contact center hears the 200, sees the agent in the roster, has the pane's channel answered. */
  readonly steps: { readonly accepted: number; readonly joined: number; readonly paneOpen: number; readonly frameStart: number; readonly domReady: number };
};

/** Epoch milliseconds with sub-millisecond resolution, the clock the pages stamp with too. */
const epochNow = (): number => performance.timeOrigin + performance.now();

/**
 * Window-side stamps, in every frame of the agent's context: when a toast naming the expected
 * customer appeared, when its Accept was clicked, and (inside the crm-context pane) when the card
 * first showed facts. Plain script text: tsx's transform would put helpers into a function's
 * source that the page does not have.
 */
const STAMP_AGENT_FRAMES = `(() => {
  const now = () => performance.timeOrigin + performance.now();
  const marks = { frameStart: performance.timeOrigin };
  window.__sbMarks = marks;
  document.addEventListener('DOMContentLoaded', () => { marks.domReady = now(); });
  const look = () => {
    if (marks.expect !== undefined && marks.toastAt === undefined) {
      const toast = [...document.querySelectorAll('[role="alertdialog"]')].find((d) => (d.textContent || '').includes(marks.expect));
      if (toast) marks.toastAt = now();
    }
    const customer = document.getElementById('customer');
    const facts = document.getElementById('facts');
    if (customer && facts && facts.childElementCount > 0 && marks.paneAt === undefined) {
      marks.paneAt = now();
      marks.paneText = customer.textContent || '';
    }
  };
  new MutationObserver(look).observe(document, { subtree: true, childList: true, characterData: true });
  document.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('button') : null;
    const toast = button ? button.closest('[role="alertdialog"]') : null;
    if (marks.acceptAt === undefined && button && toast && (button.textContent || '').trim() === 'Accept' && marks.expect !== undefined && (toast.textContent || '').includes(marks.expect)) {
      marks.acceptAt = now();
    }
  }, true);
})();`;

/** Customer-side stamp: the click on "Start chat". */
const STAMP_CUSTOMER_CLICK = `document.addEventListener('click', (event) => {
  const button = event.target instanceof Element ? event.target.closest('button') : null;
  if (button && (button.textContent || '').trim() === 'Start chat') window.__sbClickAt = performance.timeOrigin + performance.now();
}, true);`;

async function runContactCenter(): Promise<BenchResult> {
  const rounds = envInt('BENCH_CC_ROUNDS', 30);
  const warmup = envInt('BENCH_CC_WARMUP', 2, 0);
  const rig = await startRig();
  const results: Round[] = [];
  const baseline: number[] = [];
  let failures = 0;
  try {
    for (let i = 0; i < warmup + rounds; i += 1) {
      const rtts = await optionsRoundTrips(rig.kamailio.udpPort, AGENT, OPTIONS_PER_ROUND);
      try {
        const round = await oneCustomer(rig, i, PROFILE && i === warmup + rounds - 1);
        if (i >= warmup) {
          results.push(round);
          baseline.push(...rtts);
        }
        progress(`contact-center round ${i + 1}/${warmup + rounds}: click → toast ${ms(round.toastMs)}, Accept → pane ${ms(round.paneMs)}${round.paneAsked ? ' (pane asked)' : ''}, OPTIONS ${ms(Math.min(...rtts))}`);
      } catch (error) {
        failures += 1;
        progress(`contact-center round ${i + 1} failed: ${(error as Error).message}; the contact center said: ${[...rig.centerEvents].join(', ')}`);
        await sleep(3500);
        await rig.agent.reload();
        await rig.agent.locator('[aria-label="connection"][data-phase="registered"]').waitFor({ timeout: 15_000 });
      }
    }
  } finally {
    await rig.stop();
  }
  return { lines: report(results, baseline, failures), failures };
}

function report(results: readonly Round[], baseline: readonly number[], failures: number): string[] {
  const toast = results.map((r) => r.toastMs);
  const pane = results.map((r) => r.paneMs);
  const rtt50 = percentile(baseline, 50);
  const line = (label: string, samples: readonly number[]): string =>
    `  ${label.padEnd(34)} p50 ${ms(percentile(samples, 50)).padStart(9)}  p95 ${ms(percentile(samples, 95)).padStart(9)}  ratio p50/OPTIONS ${(percentile(samples, 50) / rtt50).toFixed(1)}×`;
  const asked = results.filter((r) => r.paneAsked).length;
  return [
    `contact-center (${results.length} customers, ${failures} failed; Chromium + switchboard web + Kamailio + lab contact center${NO_WARMUP ? '; no warm pane process' : ''})`,
    line('customer click → agent toast', toast),
    line('agent Accept → pane with context', pane),
    `  ${'baseline: OPTIONS through Kamailio'.padEnd(34)} p50 ${ms(rtt50).padStart(9)}  p95 ${ms(percentile(baseline, 95)).padStart(9)}  (${baseline.length} round trips, interleaved)`,
    `  after Accept (p50): invitation 200 at the contact center ${ms(percentile(results.map((r) => r.steps.accepted), 50))}, agent in the roster ${ms(percentile(results.map((r) => r.steps.joined), 50))}, pane channel answered ${ms(percentile(results.map((r) => r.steps.paneOpen), 50))}, ${documentSteps(results)}`,
    `  the pane's channel was ${asked === 0 ? 'opened without asking' : `asked for in ${asked} of ${results.length} rounds (its Accept click is inside the figure)`}`,
  ];
}

/** When the pane's page loaded: after Accept (loaded with its channel), or before it (the window's pool had it ready). */
function documentSteps(results: readonly Round[]): string {
  const withChannel = results.filter((r) => r.steps.frameStart >= 0);
  const ahead = `pane page loaded ahead in ${results.length - withChannel.length} of ${results.length} rounds`;
  if (withChannel.length === 0) {
    return ahead;
  }
  return `${ahead}; in the others its document started ${ms(percentile(withChannel.map((r) => r.steps.frameStart), 50))}, DOM ready ${ms(percentile(withChannel.map((r) => r.steps.domReady), 50))}`;
}

type Rig = {
  readonly kamailio: KamailioHandle;
  readonly cc: LabContactCenter;
  /** When the contact center emitted each event of the current round (epoch ms). */
  readonly centerAt: Map<string, number>;
  /** The contact center's events of the current round, for a failed round's message. */
  readonly centerEvents: string[];
  /** When the last customer clicked (performance.now), to pace the rounds. */
  lastStart: number;
  readonly agent: Page;
  readonly customerContext: BrowserContext;
  readonly stop: () => Promise<void>;
};

async function startRig(): Promise<Rig> {
  const labPort = await freeUdpPort();
  const kamailio = await startKamailio({ conferenceServer: { host: '127.0.0.1', port: labPort, transport: 'udp', serviceUser: 'conf' } });
  const lab = await Lab.start({ signaling: { mode: 'proxied', proxyHost: '127.0.0.1', proxyPort: kamailio.udpPort, localPort: labPort } });
  const cc = await lab.contactCenter(CONFIG);
  const centerAt = new Map<string, number>();
  const centerEvents: string[] = [];
  cc.center.on((event) => {
    centerEvents.push(event.type === 'pane' ? `pane ${event.state}${event.status !== undefined ? ` ${event.status}` : ''}` : event.type);
    const key = event.type === 'pane' ? `pane.${event.state}` : event.type;
    if (!centerAt.has(key)) {
      centerAt.set(key, epochNow());
    }
  });
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-cc-'));
  writeFileSync(join(dir, 'settings.json'), JSON.stringify({ server: kamailio.wsUrl, aor: AGENT, autoAccept: false, trust: [LAB_APP] }));
  execFileSync(process.execPath, [BIN, 'extensions', 'install', join(PACKAGES, 'crm-context'), '--registry', join(dir, 'extensions')], { stdio: 'pipe' });
  const host = new WebHostProcess(['--config-dir', dir, '--no-lab']);
  const browser: Browser = await launchChromium();
  const agentContext = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  await agentContext.addInitScript({ content: STAMP_AGENT_FRAMES });
  const agent = await agentContext.newPage();
  await agent.goto(await host.url);
  await agent.locator('[aria-label="connection"][data-phase="registered"]').waitFor({ timeout: 15_000 });
  if (NO_WARMUP) {
    // The A side of an A/B: without the window's warm sandboxed frame (PaneProcessWarmup).
    await agent.locator('iframe[data-pane-warmup]').waitFor({ state: 'attached', timeout: 10_000 });
    await agent.evaluate("document.querySelector('iframe[data-pane-warmup]')?.remove()");
  }
  const customerContext = await browser.newContext();
  await customerContext.addInitScript({ content: STAMP_CUSTOMER_CLICK });
  const available = await pollUntil(() => (cc.center.agents().find((a) => a.aor === AGENT)?.routable === true ? true : undefined), performance.now() + 15_000, 20);
  if (!available) {
    throw new Error(`${AGENT} never became routable at the contact center`);
  }
  return {
    kamailio,
    cc,
    centerAt,
    centerEvents,
    lastStart: 0,
    agent,
    customerContext,
    stop: async () => {
      await browser.close();
      await host.stop();
      await lab.stop();
      await kamailio.stop();
    },
  };
}

/** One customer from click to wrap-up; the agent is routable again when it returns. */
async function oneCustomer(rig: Rig, i: number, profile = false): Promise<Round> {
  const name = `Customer ${i} ${Math.random().toString(36).slice(2, 6)}`;
  const customer = await rig.customerContext.newPage();
  try {
    await customer.goto(rig.cc.site?.url ?? '');
    await customer.getByRole('button', { name: 'Chat with us' }).click();
    await customer.getByLabel('Name').fill(name);
    await customer.getByLabel('Email').fill('bench@example.org');
    await customer.getByLabel('Question').fill('A question about my invoice');
    await rig.agent.evaluate(`(() => { const m = window.__sbMarks; for (const k of Object.keys(m)) delete m[k]; m.expect = ${JSON.stringify(name)}; })()`);
    // Each customer costs the agent two INVITEs from the contact center (the offer, the pane);
    // the agent admits 10 a sender in 10 s (LIMITS.requestsPerSender), so customers come at
    // most every 2.5 s: this bench measures latency, not how fast one agent can be flooded.
    await sleep(Math.max(0, rig.lastStart + MIN_ROUND_GAP_MS - performance.now()));
    rig.lastStart = performance.now();
    rig.centerAt.clear();
    rig.centerEvents.length = 0;
    await customer.getByRole('button', { name: 'Start chat' }).click();
    const toast = rig.agent.getByRole('alertdialog', { name: 'Conference invitation' }).filter({ hasText: name });
    await toast.waitFor({ timeout: 15_000 });
    const profiler = profile ? await startWindowProfile(rig.agent) : undefined;
    await toast.getByRole('button', { name: 'Accept' }).click({ timeout: 15_000 });
    const { frame, asked: paneAsked } = await paneFrame(rig.agent, name);
    await profiler?.stop();
    const clickAt = (await customer.evaluate('window.__sbClickAt')) as number;
    const marks = (await rig.agent.evaluate('window.__sbMarks')) as { toastAt: number; acceptAt: number };
    const shown = (await frame.evaluate('window.__sbMarks')) as { paneAt: number; paneText: string; frameStart: number; domReady: number };
    if (!shown.paneText.includes(name)) {
      throw new Error(`the pane showed "${shown.paneText}", not ${name}`);
    }
    const since = (key: string): number => (rig.centerAt.get(key) ?? Number.NaN) - marks.acceptAt;
    const steps = { accepted: since('accepted'), joined: since('joined'), paneOpen: since('pane.open'), frameStart: shown.frameStart - marks.acceptAt, domReady: shown.domReady - marks.acceptAt };
    await closeConversation(rig, customer, frame);
    return { toastMs: marks.toastAt - clickAt, paneMs: shown.paneAt - marks.acceptAt, paneAsked, steps };
  } catch (error) {
    // Leave nothing behind for the next round: the chat ends, the wrap-up times out (3 s).
    await customer.getByRole('button', { name: 'End chat' }).click({ timeout: 2000 }).catch(() => undefined);
    throw error;
  } finally {
    await customer.close();
  }
}

/**
 * The frame of the pane showing `name` (earlier conversations may keep theirs), clicking the
 * pane's own request toast if the desktop asks for one: that click is then part of the figure,
 * as it is of what the agent feels.
 */
async function paneFrame(agent: Page, name: string): Promise<{ frame: Frame; asked: boolean }> {
  const deadline = performance.now() + 15_000;
  const request = agent.getByRole('alertdialog', { name: 'Channel request' }).filter({ hasText: name });
  let asked = false;
  while (performance.now() < deadline) {
    for (const frame of agent.frames()) {
      const text = String(await frame.evaluate("document.getElementById('customer')?.textContent ?? ''").catch(() => ''));
      if (text.includes(name)) {
        return { frame, asked };
      }
    }
    if (!asked && (await request.count()) > 0) {
      await request.getByRole('button', { name: 'Accept' }).click();
      asked = true;
    }
    await sleep(10);
  }
  throw new Error(`no pane showed ${name}`);
}

/** The customer ends the chat, the agent sends the wrap-up code, and the contact center frees the agent. */
async function closeConversation(rig: Rig, customer: Page, frame: Frame): Promise<void> {
  await customer.getByRole('button', { name: 'End chat' }).click();
  await frame.locator('#context-status', { hasText: 'pick a wrap-up code' }).waitFor({ timeout: 10_000 });
  await frame.getByRole('button', { name: 'Send wrap-up' }).click();
  const free = await pollUntil(() => (rig.cc.center.agents().find((a) => a.aor === AGENT)?.routable === true ? true : undefined), performance.now() + 15_000, 20);
  if (!free) {
    throw new Error('the agent did not become routable after the wrap-up');
  }
}

/**
 * Starts V8's sampling profiler in the agent's window (Chrome DevTools Protocol); `stop` writes
 * the profile to artifacts/bench/ and prints where the window's main thread spent its time.
 */
async function startWindowProfile(page: Page): Promise<{ stop: () => Promise<void> }> {
  const session = await page.context().newCDPSession(page);
  await session.send('Profiler.enable');
  await session.send('Profiler.setSamplingInterval', { interval: 200 });
  await session.send('Profiler.start');
  return {
    stop: async () => {
      const { profile } = await session.send('Profiler.stop');
      mkdirSync(dirname(PROFILE_PATH), { recursive: true });
      writeFileSync(PROFILE_PATH, JSON.stringify(profile));
      await session.detach();
      const summary = summarizeCpuProfile(PROFILE_PATH, 25);
      progress(`window CPU from Accept to the pane: ${ms(summary.busyMs)} busy (${PROFILE_PATH})`);
      for (const f of summary.functions) {
        progress(`  ${ms(f.ms).padStart(8)}  ${(f.share * 100).toFixed(1).padStart(5)}%  ${f.name}`);
      }
      for (const a of summary.areas) {
        progress(`  area ${ms(a.ms).padStart(8)}  ${(a.share * 100).toFixed(1).padStart(5)}%  ${a.name}`);
      }
    },
  };
}
