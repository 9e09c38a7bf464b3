/// <reference lib="dom" />
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshotPath } from '../support/chromium';
import { WebHostProcess } from '../support/web-host-process';

// What issue 14 promises a newcomer: `npm start` with nothing configured (the embedded lab),
// the main window's Customer page link, and the whole story played from the two browsers alone:
// a question about an invoice reaches the desktop's agent, the pane shows the customer, chat
// both ways, escalation to a supervisor (Tess, a simulated agent who leads the team) who joins and
// greets, her removal from the pane, the customer ending, the wrap-up, and Available again. No
// test hook: only what a person can click.

const crmPane = (page: Page): FrameLocator => page.frameLocator('iframe[title="CRM context pane"]');

describe('the embedded contact center, played as a newcomer', () => {
  let host: WebHostProcess;
  let browser: Browser;

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('runs from the customer\'s click to the wrap-up with nothing configured', { timeout: 120_000 }, async () => {
    host = new WebHostProcess(['--config-dir', mkdtempSync(join(tmpdir(), 'sb-embedded-story-'))]);
    browser = await launchChromium();
    const desk = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    await desk.goto(await host.url);
    await desk.locator('[aria-label="connection"][data-phase="registered"]').waitFor({ timeout: 15_000 });
    const shopUrl = (await desk.getByRole('link', { name: 'Customer page' }).getAttribute('href')) ?? '';
    const shop = await (await browser.newContext({ viewport: { width: 1100, height: 860 } })).newPage();
    await shop.goto(shopUrl);

    await shop.getByRole('button', { name: 'Chat with us' }).click();
    await shop.getByLabel('Name').fill('Dale Newcomer');
    await shop.getByLabel('Email').fill('dale@example.org');
    await shop.getByLabel('Question').fill('Why does my invoice show two headsets?');
    await shop.getByRole('button', { name: 'Start chat' }).click();
    // The simulated agents sign in after the desktop: the offer may wait for nobody but us.
    const toast = desk.getByRole('alertdialog', { name: 'Conference invitation' }).filter({ hasText: 'Dale Newcomer' });
    await toast.getByRole('button', { name: 'Accept' }).click({ timeout: 20_000 });
    const pane = crmPane(desk);
    await pane.locator('#customer', { hasText: 'Dale Newcomer' }).waitFor({ timeout: 15_000 });
    await expect(pane.locator('#facts').textContent()).resolves.toContain('billing');

    await desk.getByRole('tab', { name: /^Chat/ }).click();
    await desk.getByRole('textbox', { name: 'Message', exact: true }).fill('Hello Dale, let me check that invoice.');
    await desk.getByRole('textbox', { name: 'Message', exact: true }).press('Enter');
    // Customers know the desktop's agent by the contact center's name for it.
    await shop.getByRole('log').locator('li', { hasText: 'let me check that invoice' }).getByText('Alex').waitFor({ timeout: 10_000 });
    await shop.getByLabel('Message').fill('Thanks!');
    await shop.getByRole('button', { name: 'Send' }).click();
    await desk.locator('[aria-label="messages"] li', { hasText: 'Thanks!' }).waitFor({ timeout: 10_000 });

    // Escalation with no second desktop: Tess leads the team.
    await desk.getByRole('tab', { name: 'CRM context' }).click();
    await pane.getByLabel('Escalate to').selectOption({ label: 'A supervisor' });
    await pane.getByRole('button', { name: 'Escalate' }).click();
    await pane.locator('#escalation', { hasText: 'Tess joined' }).waitFor({ timeout: 20_000 });
    // Tess greets the customer before she is removed.
    await shop.getByRole('log').locator('li', { hasText: /^Tess:/ }).first().waitFor({ timeout: 10_000 });
    await pane.getByRole('button', { name: 'Remove Tess' }).click({ timeout: 10_000 });
    await pane.locator('#escalation', { hasText: 'Removed' }).waitFor({ timeout: 10_000 });
    await desk.screenshot({ path: screenshotPath('embedded-story-agent') });
    await shop.screenshot({ path: screenshotPath('embedded-story-customer') });

    await shop.getByRole('button', { name: 'End chat' }).click();
    await pane.locator('#context-status', { hasText: 'pick a wrap-up code' }).waitFor({ timeout: 10_000 });
    await pane.getByRole('button', { name: 'Send wrap-up' }).click();
    await pane.locator('#wrapup-sent', { hasText: 'Wrap-up recorded' }).waitFor({ timeout: 10_000 });
    await desk.getByText('Others see: Available').waitFor({ timeout: 10_000 });
  });
});
