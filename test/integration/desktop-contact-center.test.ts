/// <reference lib="dom" />
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, FrameLocator, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ContactCenterConfigInput } from '../../lab/contact-center/config';
import type { ContactCenterEvent } from '../../lab/contact-center/events';
import { startKamailio, type KamailioHandle } from '../../lab/kamailio';
import { Lab, type LabContactCenter } from '../../lab/lab';
import { launchChromium, screenshotPath } from '../support/chromium';
import { freeUdpPort } from '../support/free-port';
import { waitFor } from '../support/wait-for';
import { WebHostProcess } from '../support/web-host-process';

// The contact-center story of issue 14 as its three people see it, in Debian's Chromium through
// Kamailio: a customer on the lab's shop (one browser context), an agent and a supervisor each
// in their own `switchboard web` with its own config folder (two more contexts). The customer
// clicks to chat; the contact center, which learns the agents' availability from Kamailio's
// presence server, offers the chat to the agent; the agent accepts, sees the captured context in
// the crm-context pane, chats, sends notes, escalates to the supervisor, who joins and sees the
// pane, and removes them again; the customer ends; the agent's wrap-up code makes them
// Available again. A screenshot of each step goes to artifacts/screenshots/cc-*.png.

const LAB_APP = 'sip:conf@lab.local';
const AGENT = 'sip:cc-desk@lab.local';
const SUPERVISOR = 'sip:cc-boss@lab.local';
const BIN = fileURLToPath(new URL('../../bin/switchboard.js', import.meta.url));
const PACKAGES = fileURLToPath(new URL('../../out/extensions/', import.meta.url));

const CONFIG: ContactCenterConfigInput = {
  agents: [
    { aor: AGENT, name: 'Dale Cooper', skills: ['billing'] },
    { aor: SUPERVISOR, name: 'Diane Evans', skills: [], supervisor: true },
  ],
  skills: [
    { name: 'billing', keywords: ['invoice', 'refund', 'charge'] },
    { name: 'technical', keywords: ['password', 'error'] },
  ],
  wrapUpCodes: [
    { code: 'resolved', label: 'Resolved' },
    { code: 'callback', label: 'Call back' },
  ],
  wrapUpTimeoutMs: 60_000,
};

/** A config folder for one desktop: its account, the lab application trusted, crm-context installed. */
function configFolder(aor: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sb-desktop-cc-'));
  writeFileSync(join(dir, 'settings.json'), JSON.stringify({ server: kamailio.wsUrl, aor, autoAccept: false, trust: [LAB_APP] }));
  execFileSync(process.execPath, [BIN, 'extensions', 'install', join(PACKAGES, 'crm-context'), '--registry', join(dir, 'extensions')], { stdio: 'pipe' });
  return dir;
}

let kamailio: KamailioHandle;
let lab: Lab;
let cc: LabContactCenter;
let browser: Browser;
const hosts: WebHostProcess[] = [];
const contexts: BrowserContext[] = [];
const events: ContactCenterEvent[] = [];
let customer: Page;
let agent: Page;
let supervisor: Page;

/** A desktop in its own browser context, signed in through its own `switchboard web`. */
async function openDesktop(aor: string): Promise<Page> {
  const host = new WebHostProcess(['--config-dir', configFolder(aor), '--no-lab']);
  hosts.push(host);
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(await host.url);
  await page.locator('[aria-label="connection"][data-phase="registered"]').waitFor({ timeout: 15_000 });
  return page;
}

/** The crm-context pane of the conversation shown on `page`. */
const crmPane = (page: Page): FrameLocator => page.frameLocator('iframe[title="CRM context pane"]');

/** The first contact-center event of `type` that matches, waited for. */
async function centerEvent<T extends ContactCenterEvent['type']>(type: T, where: (e: Extract<ContactCenterEvent, { type: T }>) => boolean = () => true): Promise<Extract<ContactCenterEvent, { type: T }>> {
  const find = (): Extract<ContactCenterEvent, { type: T }> | undefined => events.find((e): e is Extract<ContactCenterEvent, { type: T }> => e.type === type && where(e as Extract<ContactCenterEvent, { type: T }>));
  await waitFor(() => find() !== undefined, 15_000, `contact-center event ${type}`);
  const found = find();
  if (!found) {
    throw new Error('unreachable');
  }
  return found;
}

/** The message box of the conversation shown. */
const messageBox = (page: Page): Locator => page.getByRole('textbox', { name: 'Message', exact: true });
/** Chat lines in the conversation shown that contain `text`. */
const messagesFrom = (page: Page, text: string): Locator => page.locator('[aria-label="messages"] li', { hasText: text });

/** What the contact center knows of `aor`: presence and work. */
const atCenter = (aor: string) => cc.center.agents().find((a) => a.aor === aor);

beforeAll(async () => {
  const labPort = await freeUdpPort();
  kamailio = await startKamailio({ conferenceServer: { host: '127.0.0.1', port: labPort, transport: 'udp', serviceUser: 'conf' } });
  lab = await Lab.start({ signaling: { mode: 'proxied', proxyHost: '127.0.0.1', proxyPort: kamailio.udpPort, localPort: labPort } });
  cc = await lab.contactCenter(CONFIG);
  cc.center.on((event) => events.push(event));
  browser = await launchChromium();
  [agent, supervisor] = await Promise.all([openDesktop(AGENT), openDesktop(SUPERVISOR)]);
  const shop = await browser.newContext({ viewport: { width: 1100, height: 860 } });
  contexts.push(shop);
  customer = await shop.newPage();
  await waitFor(() => atCenter(AGENT)?.availability === 'available' && atCenter(SUPERVISOR)?.availability === 'available', 15_000, 'both desktops Available at the contact center');
}, 90_000);

// A failed step leaves what each of the three people saw, and the contact center's log.
afterEach(async (context) => {
  if (context.task.result?.state !== 'fail') {
    return;
  }
  const shots: [string, Page | undefined][] = [['customer', customer], ['agent', agent], ['supervisor', supervisor]];
  for (const [who, page] of shots) {
    await page?.screenshot({ path: screenshotPath(`cc-failed-${who}`) }).catch(() => undefined);
  }
  console.info(`[contact center] events:\n${events.map((e) => JSON.stringify(e)).join('\n')}`);
});

afterAll(async () => {
  for (const context of contexts) {
    await context.close();
  }
  await browser?.close();
  for (const host of hosts) {
    await host.stop();
  }
  await lab?.stop();
  await kamailio?.stop();
});

describe('the contact center in three browsers, through Kamailio', () => {
  it('routes the customer\'s click to the agent, whose pane shows who they are, what they asked and what they looked at', { timeout: 60_000 }, async () => {
    await customer.goto(cc.site?.url ?? '');
    await customer.getByRole('link', { name: 'invoices and refunds' }).first().click();
    await customer.waitForURL(/\/help\/invoices$/);
    await customer.getByRole('button', { name: 'Chat with us' }).click();
    await customer.getByLabel('Name').fill('Laura Palmer');
    await customer.getByLabel('Email').fill('laura@example.org');
    await customer.getByLabel('Question').fill('My last invoice charges the headset twice');
    await customer.screenshot({ path: screenshotPath('cc-1-customer-asks') });
    await customer.getByRole('button', { name: 'Start chat' }).click();

    const toast = agent.getByRole('alertdialog', { name: 'Conference invitation' });
    await toast.waitFor({ timeout: 15_000 });
    await agent.screenshot({ path: screenshotPath('cc-2-agent-offered') });
    await toast.getByRole('button', { name: 'Accept' }).click();

    // The agent said yes to this customer once: the contact center's pane opens without a second toast.
    const pane = crmPane(agent);
    await pane.locator('#customer', { hasText: 'Laura Palmer' }).waitFor({ timeout: 15_000 });
    expect(await agent.getByRole('alertdialog', { name: 'Channel request' }).count()).toBe(0);
    await expect(pane.locator('#card').textContent()).resolves.toContain('My last invoice charges the headset twice');
    // The summary's paths at once, then the full context's titles.
    await pane.locator('#pages li', { hasText: 'Invoices and refunds (/help/invoices)' }).waitFor({ timeout: 5000 });
    await expect(pane.locator('#pages li').count()).resolves.toBe(2);
    await agent.screenshot({ path: screenshotPath('cc-3-agent-pane') });
    const offered = await centerEvent('offered', (e) => e.agent === AGENT);
    expect(offered.purpose).toBe('customer');
  });

  it('carries the chat both ways: the question first, the agent\'s answer on the page, the customer\'s reply in the window', { timeout: 30_000 }, async () => {
    await agent.getByRole('tab', { name: /^Chat/ }).click();
    // The contact center says the customer's question in the conference chat once the agent is in.
    await messagesFrom(agent, 'My last invoice charges the headset twice').waitFor({ timeout: 10_000 });
    await messageBox(agent).fill('Hello Laura, I am looking at your invoice now.');
    await messageBox(agent).press('Enter');
    const transcript = customer.getByRole('log');
    await transcript.getByText('I am looking at your invoice now').waitFor({ timeout: 10_000 });
    await customer.getByLabel('Message').fill('Thank you! It is invoice 2291.');
    await customer.getByRole('button', { name: 'Send' }).click();
    await messagesFrom(agent, 'It is invoice 2291').waitFor({ timeout: 10_000 });
    await customer.screenshot({ path: screenshotPath('cc-4-customer-chat') });
    await agent.screenshot({ path: screenshotPath('cc-5-agent-chat') });
  });

  it('sends the agent\'s notes back to the application over the channel', { timeout: 20_000 }, async () => {
    await agent.getByRole('tab', { name: 'CRM context' }).click();
    const pane = crmPane(agent);
    await pane.getByLabel('Notes for the application').fill('Double charge on invoice 2291: refund one headset');
    await pane.getByRole('button', { name: 'Send notes' }).click();
    await pane.locator('#sent', { hasText: 'Saved' }).waitFor({ timeout: 10_000 });
    const note = await centerEvent('note', (e) => e.agent === AGENT);
    expect(note.text).toBe('Double charge on invoice 2291: refund one headset');
  });

  it('escalates to the supervisor, who joins the same conference and sees the pane', { timeout: 60_000 }, async () => {
    const pane = crmPane(agent);
    await pane.getByLabel('Escalate to').selectOption({ label: 'A supervisor' });
    await pane.getByRole('button', { name: 'Escalate' }).click();
    const toast = supervisor.getByRole('alertdialog', { name: 'Conference invitation' });
    await toast.waitFor({ timeout: 15_000 });
    await toast.getByRole('button', { name: 'Accept' }).click();
    const theirs = crmPane(supervisor);
    await theirs.locator('#customer', { hasText: 'Laura Palmer' }).waitFor({ timeout: 15_000 });
    await expect(theirs.locator('#facts').textContent()).resolves.toContain('Supervisor');
    await pane.locator('#escalation', { hasText: 'joined' }).waitFor({ timeout: 10_000 });
    // Both desktops show the same three people.
    for (const page of [agent, supervisor]) {
      await page.getByRole('tab', { name: /^People/ }).click();
      await page.getByRole('list', { name: 'roster' }).getByRole('listitem').nth(2).waitFor({ timeout: 10_000 });
    }
    await supervisor.screenshot({ path: screenshotPath('cc-6-supervisor-joined') });
    const joined = await centerEvent('joined', (e) => e.agent === SUPERVISOR);
    expect(joined.role).toBe('supervisor');
  });

  it('removes the supervisor from the agent\'s pane: their conference ends, the roster shrinks', { timeout: 30_000 }, async () => {
    await agent.getByRole('tab', { name: 'CRM context' }).click();
    const pane = crmPane(agent);
    await pane.locator('#participants li', { hasText: 'Cc-boss' }).waitFor({ timeout: 10_000 });
    await pane.getByRole('button', { name: /^Remove / }).click();
    await pane.locator('#escalation', { hasText: 'Removed' }).waitFor({ timeout: 10_000 });
    await agent.getByRole('tab', { name: /^People/ }).click();
    await agent.getByRole('list', { name: 'roster' }).getByRole('listitem', { name: /Cc-boss/ }).waitFor({ state: 'detached', timeout: 15_000 });
    await expect(agent.getByRole('list', { name: 'roster' }).getByRole('listitem').count()).resolves.toBe(2);
    // The supervisor is told why the conversation ended for them.
    await supervisor.locator('[data-end-reason]', { hasText: 'You were removed from the conference' }).waitFor({ timeout: 15_000 });
    await supervisor.screenshot({ path: screenshotPath('cc-7-supervisor-removed') });
    expect((await centerEvent('left', (e) => e.agent === SUPERVISOR)).reason).toBe('removed');
  });

  it('closes: the customer ends the chat, the agent picks a wrap-up code and is Available again', { timeout: 60_000 }, async () => {
    await customer.getByRole('button', { name: 'End chat' }).click();
    await customer.getByRole('status').filter({ hasText: /ended/i }).waitFor({ timeout: 10_000 });
    await agent.getByRole('tab', { name: 'CRM context' }).click();
    const pane = crmPane(agent);
    await pane.locator('#context-status', { hasText: 'pick a wrap-up code' }).waitFor({ timeout: 10_000 });
    await pane.getByLabel('Wrap-up code').selectOption({ label: 'Resolved' });
    await pane.getByRole('button', { name: 'Send wrap-up' }).click();
    await pane.locator('#wrapup-sent', { hasText: 'Wrap-up recorded' }).waitFor({ timeout: 10_000 });
    await agent.screenshot({ path: screenshotPath('cc-8-agent-wrap-up') });
    const wrapUp = await centerEvent('wrapup', (e) => e.agent === AGENT);
    expect(wrapUp.code).toBe('resolved');
    await waitFor(() => atCenter(AGENT)?.work === 'free' && atCenter(AGENT)?.availability === 'available', 15_000, 'the agent free and Available at the contact center');
    await agent.getByText('Others see: Available').waitFor({ timeout: 10_000 });
    await agent.screenshot({ path: screenshotPath('cc-9-agent-available') });
  });
});
