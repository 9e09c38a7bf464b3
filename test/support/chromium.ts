import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium: Playwright's own browsers cannot be downloaded here. */
export const CHROMIUM = '/usr/bin/chromium';

/** Where the tests save their screenshots (README, "Screenshots"). */
export const SCREENSHOTS_DIR = fileURLToPath(new URL('../../artifacts/screenshots/', import.meta.url));

/** Options of {@link launchChromium}. */
export type ChromiumOptions = {
  /**
   * Let WebRTC gather 127.0.0.1 candidates (`--allow-loopback-in-peer-connection`, as the
   * Electron shell does), so the window's audio reaches the lab's MCU on loopback. Default true;
   * false behaves like an agent's everyday browser.
   */
  readonly loopbackWebRtc?: boolean;
};

/**
 * Launches headless Chromium with fake media devices (no sound card in CI): inputs "Fake Default
 * Audio Input", "Fake Audio Input 1" and "2", outputs "Fake Default Audio Output", "Fake Audio
 * Output 1" and "2", and microphone access granted without a prompt.
 */
export async function launchChromium(options: ChromiumOptions = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run ./scripts/install-debian-deps.sh (it installs Debian's chromium)`);
  }
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // --no-sandbox: CI runs as root in a container, where Chromium's own sandbox cannot start.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      // As the Electron shell sets for its windows: the ring plays before the page is clicked.
      '--autoplay-policy=no-user-gesture-required',
      ...(options.loopbackWebRtc === false ? [] : ['--allow-loopback-in-peer-connection']),
    ],
    timeout: 30_000,
  });
}

/** A screenshot path under {@link SCREENSHOTS_DIR}. */
export function screenshotPath(name: string): string {
  return `${SCREENSHOTS_DIR}${name}.png`;
}
