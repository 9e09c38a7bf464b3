import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium: Playwright's own browsers cannot be downloaded here. */
export const CHROMIUM = '/usr/bin/chromium';

/** Where the tests save their screenshots (README, "Screenshots"). */
export const SCREENSHOTS_DIR = fileURLToPath(new URL('../../artifacts/screenshots/', import.meta.url));

/** Launches headless Chromium with fake media devices (no sound card in CI). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run ./scripts/install-debian-deps.sh (it installs Debian's chromium)`);
  }
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // --no-sandbox: CI runs as root in a container, where Chromium's own sandbox cannot start.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
    timeout: 30_000,
  });
}

/** A screenshot path under {@link SCREENSHOTS_DIR}. */
export function screenshotPath(name: string): string {
  return `${SCREENSHOTS_DIR}${name}.png`;
}
