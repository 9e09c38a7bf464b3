/// <reference lib="dom" />
// The DOM lib: the stamping script below runs inside the pages.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Frame, Page } from 'playwright-core';
import { startKamailio } from '../lab/kamailio';
import { Lab } from '../lab/lab';
import { launchChromium } from '../test/support/chromium';
import { freeUdpPort } from '../test/support/free-port';
import { WebHostProcess } from '../test/support/web-host-process';
import { envInt, progress, type Bench, type BenchResult } from './support/bench';
import { sleep } from './support/event-log';
import { optionsRoundTrips } from './support/sip-options';
import { ms, percentile } from './support/stats';

// Issue 15's screen pop with auto-accept: an application's context channel INVITE to the
// crm-context pane showing its data, in the browser host, with nobody clicking. The lab sends
// the INVITE through Kamailio to `switchboard web` (auto-accept on, the lab trusted), whose
// window in Debian's Chromium shows the pane. Stamps on the shared epoch clock: the bench's
// INVITE and 200, and a MutationObserver inside every frame for the data. Baseline: OPTIONS
// through Kamailio to the same desktop, interleaved.

const AGENT = 'sip:bench-pop@lab.local';
const LAB_APP = 'sip:conf@lab.local';
const CRM = '{8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01}';
const BIN = fileURLToPath(new URL('../bin/switchboard.js', import.meta.url));
const PACKAGES = fileURLToPath(new URL('../out/extensions/', import.meta.url));
const OPTIONS_PER_ROUND = 5;
/** The agent admits 10 new INVITEs a sender in 10 s (`LIMITS.requestsPerSender`): one round every 1.1 s stays under. */
const MIN_ROUND_GAP_MS = 1100;

export const bench: Bench = { name: 'screen-pop', run: runScreenPop };

type Round = { readonly answeredMs: number; readonly shownMs: number; readonly loadedAhead: boolean };

const epochNow = (): number => performance.timeOrigin + performance.now();

/** In every frame: when the crm-context card first showed facts, and whose. Plain text (see contact-center.ts). */
const STAMP_PANE = `(() => {
  const marks = { frameStart: performance.timeOrigin };
  window.__sbMarks = marks;
  const look = () => {
    const customer = document.getElementById('customer');
    const facts = document.getElementById('facts');
    if (customer && facts && facts.childElementCount > 0 && marks.paneAt === undefined) {
      marks.paneAt = performance.timeOrigin + performance.now();
      marks.paneText = customer.textContent || '';
    }
  };
  new MutationObserver(look).observe(document, { subtree: true, childList: true, characterData: true });
})();`;

async function runScreenPop(): Promise<BenchResult> {
  const rounds = envInt('BENCH_POP_ROUNDS', 30);
  const warmup = envInt('BENCH_POP_WARMUP', 2, 0);
  const labPort = await freeUdpPort();
  const kamailio = await startKamailio({ conferenceServer: { host: '127.0.0.1', port: labPort, transport: 'udp', serviceUser: 'conf' } });
  const lab = await Lab.start({ signaling: { mode: 'proxied', proxyHost: '127.0.0.1', proxyPort: kamailio.udpPort, localPort: labPort } });
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-pop-'));
  writeFileSync(join(dir, 'settings.json'), JSON.stringify({ server: kamailio.wsUrl, aor: AGENT, autoAccept: true, trust: [LAB_APP] }));
  execFileSync(process.execPath, [BIN, 'extensions', 'install', join(PACKAGES, 'crm-context'), '--registry', join(dir, 'extensions')], { stdio: 'pipe' });
  const host = new WebHostProcess(['--config-dir', dir, '--no-lab']);
  const browser: Browser = await launchChromium();
  const results: Round[] = [];
  const baseline: number[] = [];
  let failures = 0;
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    await context.addInitScript({ content: STAMP_PANE });
    const page = await context.newPage();
    await page.goto(await host.url);
    await page.locator('[aria-label="connection"][data-phase="registered"]').waitFor({ timeout: 15_000 });
    let last = 0;
    for (let i = 0; i < warmup + rounds; i += 1) {
      const rtts = await optionsRoundTrips(kamailio.udpPort, AGENT, OPTIONS_PER_ROUND);
      await sleep(Math.max(0, last + MIN_ROUND_GAP_MS - performance.now()));
      last = performance.now();
      try {
        const round = await onePop(lab, page, i);
        if (i >= warmup) {
          results.push(round);
          baseline.push(...rtts);
        }
        progress(`screen-pop round ${i + 1}/${warmup + rounds}: 200 ${ms(round.answeredMs)}, data shown ${ms(round.shownMs)}${round.loadedAhead ? ' (page loaded ahead)' : ''}, OPTIONS ${ms(Math.min(...rtts))}`);
      } catch (error) {
        failures += 1;
        progress(`screen-pop round ${i + 1} failed: ${(error as Error).message}`);
      }
    }
  } finally {
    await browser.close();
    await host.stop();
    await lab.stop();
    await kamailio.stop();
  }
  return { lines: report(results, baseline, failures), failures };
}

/** One channel in a conversation of its own: INVITE, 200, the pane showing this round's customer; then BYE. */
async function onePop(lab: Lab, page: Page, i: number): Promise<Round> {
  const name = `Pop ${i} ${Math.random().toString(36).slice(2, 6)}`;
  const channel = lab.channel(AGENT, `pop-${i}-${Date.now()}`);
  const sentAt = epochNow();
  const outcome = await channel.establish(CRM, { applicationName: 'CRM context', contextualData: JSON.stringify({ name, id: `C-${i}`, tier: 'Gold' }) });
  const answeredAt = epochNow();
  if (!outcome.ok) {
    throw new Error(`the channel was refused: ${outcome.status} ${outcome.reason}`);
  }
  try {
    const frame = await frameShowing(page, name);
    const marks = (await frame.evaluate('window.__sbMarks')) as { paneAt: number; frameStart: number };
    return { answeredMs: answeredAt - sentAt, shownMs: marks.paneAt - sentAt, loadedAhead: marks.frameStart < sentAt };
  } finally {
    channel.terminate();
  }
}

/** The frame whose crm-context card shows `name`, polled (the stamp inside it is the figure, not this poll). */
async function frameShowing(page: Page, name: string): Promise<Frame> {
  const deadline = performance.now() + 10_000;
  while (performance.now() < deadline) {
    for (const frame of page.frames()) {
      const marks = (await frame.evaluate('window.__sbMarks ?? null').catch(() => null)) as { paneText?: string } | null;
      if (marks?.paneText?.includes(name)) {
        return frame;
      }
    }
    await sleep(10);
  }
  throw new Error(`no pane showed ${name}`);
}

function report(results: readonly Round[], baseline: readonly number[], failures: number): string[] {
  const rtt50 = percentile(baseline, 50);
  const line = (label: string, samples: readonly number[]): string =>
    `  ${label.padEnd(34)} p50 ${ms(percentile(samples, 50)).padStart(9)}  p95 ${ms(percentile(samples, 95)).padStart(9)}  ratio p50/OPTIONS ${(percentile(samples, 50) / rtt50).toFixed(1)}×`;
  const ahead = results.filter((r) => r.loadedAhead).length;
  return [
    `screen-pop (${results.length} channels, ${failures} failed; auto-accept; Chromium + switchboard web + Kamailio + lab)`,
    line('channel INVITE → 200', results.map((r) => r.answeredMs)),
    line('channel INVITE → pane data shown', results.map((r) => r.shownMs)),
    `  ${'baseline: OPTIONS through Kamailio'.padEnd(34)} p50 ${ms(rtt50).padStart(9)}  p95 ${ms(percentile(baseline, 95)).padStart(9)}  (${baseline.length} round trips, interleaved)`,
    `  the pane's page was loaded ahead in ${ahead} of ${results.length} rounds`,
  ];
}
