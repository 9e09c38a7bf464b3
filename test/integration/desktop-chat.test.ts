/// <reference lib="dom" />
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKamailio, type KamailioHandle } from '../../lab/kamailio';
import { Lab } from '../../lab/lab';
import { AgentProcess } from '../support/agent-process';
import { launchChromium, screenshotPath } from '../support/chromium';
import { freeUdpPort } from '../support/free-port';
import { WebHostProcess } from '../support/web-host-process';

// Chat and presence in the desktop UI, in Debian's Chromium against the real browser host
// (`switchboard web`), with a headless agent (`switchboard agent --json`) on the other side and
// the lab's conference server (with its IM MCU) behind a real Kamailio, which is also the
// presence server: a conference chat, a two-party chat that begins with a toast, a watcher on
// each side of a status change, and the conversation history across a restart of the host.

const DESK = 'sip:desk-chat@lab.local';
const PEER = 'sip:peer-chat@lab.local';
const SUBJECT = 'Escalation: refund for order 7731';

/** A config dir with the desktop agent's account; nobody is trusted, so Do not disturb quiets the lab's invitations. */
function configured(server: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sb-desktop-chat-'));
  writeFileSync(join(dir, 'settings.json'), JSON.stringify({ server, aor: DESK, autoAccept: false, trust: [] }));
  return dir;
}

/** The message box of the conversation shown (not New chat's "First message"). */
const messageBox = (page: Page): Locator => page.getByRole('textbox', { name: 'Message', exact: true });
/** The chat's messages from `from` (or ours, `outgoing`) that contain `text`. */
const messagesFrom = (page: Page, from: string, text: string): Locator => page.locator(`[aria-label="messages"] li[data-from="${from}"]`, { hasText: text });

describe('desktop chat and presence in Chromium, through Kamailio', () => {
  let kamailio: KamailioHandle;
  let lab: Lab;
  let host: WebHostProcess;
  let browser: Browser;
  let page: Page;
  let peer: AgentProcess;
  let configDir: string;

  /** Starts `switchboard web` on the config dir and loads its page. */
  async function startDesktop(): Promise<void> {
    host = new WebHostProcess(['--config-dir', configDir, '--no-lab']);
    await page.goto(await host.url);
    await page.locator('[aria-label="connection"][data-phase="registered"]').waitFor({ timeout: 15_000 });
  }

  beforeAll(async () => {
    const labPort = await freeUdpPort();
    kamailio = await startKamailio({ conferenceServer: { host: '127.0.0.1', port: labPort, transport: 'udp' } });
    lab = await Lab.start({ signaling: { mode: 'proxied', proxyHost: '127.0.0.1', proxyPort: kamailio.udpPort, localPort: labPort } });
    configDir = configured(kamailio.wsUrl);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
    peer = new AgentProcess(['--server', kamailio.wsUrl, '--aor', PEER, '--registry', mkdtempSync(join(tmpdir(), 'sb-reg-'))]);
    await Promise.all([startDesktop(), peer.waitForType('registered', 10_000)]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    await peer?.dispose();
    await lab?.stop();
    await kamailio?.stop();
  });

  let conferenceConversation = '';

  it('chats in a lab conference with a headless agent: its message with the sender, the reply by Enter, the delivery state', async () => {
    const invited = await lab.invite(DESK, SUBJECT);
    conferenceConversation = invited.conversationId;
    await page.getByRole('alertdialog', { name: 'Conference invitation' }).getByRole('button', { name: 'Accept' }).click();
    await expect(invited.outcome).resolves.toMatchObject({ state: 'Accepted' });
    const second = lab.inviteTo(invited.conference, PEER);
    const invitation = await peer.waitForType('invitation', 5000);
    peer.send({ cmd: 'accept', id: invitation.event.id });
    await expect(second.outcome).resolves.toMatchObject({ state: 'Accepted' });
    await peer.waitForType('im.state', 10_000, 0, (e) => e.state === 'connected');
    const chatTab = page.getByRole('tab', { name: /^Chat/ });
    await chatTab.waitFor({ timeout: 10_000 });

    // It arrives while the People tab shows: counted unread on the tab and in the list.
    const { focusUri } = invited.conference;
    peer.send({ cmd: 'im', focusUri, text: 'The customer says the refund is missing <b>again</b>', id: 'peer-1' });
    // (Fluent draws a tab's content twice, the second copy hidden, to reserve its bold width.)
    await chatTab.getByLabel('1 unread').first().waitFor({ timeout: 10_000 });
    await page.locator(`[data-conversation-row="${conferenceConversation}"]`).getByLabel('1 unread').waitFor({ timeout: 5000 });
    await chatTab.click();
    const heard = messagesFrom(page, PEER, 'refund is missing');
    await heard.waitFor({ timeout: 5000 });
    // Plain text, never markup; the sender by name or address.
    await expect(heard.locator('[data-text]').textContent()).resolves.toBe('The customer says the refund is missing <b>again</b>');
    expect(await heard.locator('b').count()).toBe(0);
    await expect(heard.locator('[title]').first().getAttribute('title')).resolves.toBe(PEER);
    // Shown in a visible window: read.
    await chatTab.getByLabel('1 unread').first().waitFor({ state: 'detached', timeout: 5000 });

    const mark = peer.events.length;
    await messageBox(page).fill('Refund re-issued:');
    await messageBox(page).press('Shift+Enter');
    await messageBox(page).pressSequentially('reference R-7731');
    await messageBox(page).press('Enter');
    await expect(messageBox(page).inputValue()).resolves.toBe('');
    const reply = await peer.waitForType('im', 10_000, mark, (e) => e.outgoing !== true);
    expect(reply.event).toMatchObject({ from: DESK, text: 'Refund re-issued:\nreference R-7731', focusUri });
    const ours = page.locator('[aria-label="messages"] li[data-outgoing="true"]', { hasText: 'reference R-7731' });
    await ours.locator('[data-delivery="sent"], [data-delivery="delivered"]').waitFor({ timeout: 5000 });
    await ours.locator('[data-delivery="delivered"]').waitFor({ timeout: 15_000 });
    await expect(ours.locator('[data-text]').textContent()).resolves.toBe('Refund re-issued:\nreference R-7731');
    await page.locator('[aria-label="conversation"]').screenshot({ path: screenshotPath('chat-conference') });

    // Both leave: the conversation ends with its chat (what the history keeps).
    peer.send({ cmd: 'leave', focusUri });
    await page.getByRole('button', { name: 'Leave' }).click();
    await page.getByLabel('conversation state').filter({ hasText: 'Ended' }).waitFor({ timeout: 10_000 });
    await page.getByText('The conference chat has ended.').waitFor({ timeout: 5000 });
    expect(await messageBox(page).count()).toBe(0);
  });

  it('shows a toast for the first message of a two-party chat; Accept opens it, typing shows both ways, and the reply is delivered', async () => {
    peer.send({ cmd: 'im', to: DESK, text: 'Can you take a call about refunds?\nIt is urgent.', id: 'peer-2' });
    const toast = page.getByRole('alertdialog', { name: 'Instant message' });
    await toast.waitFor({ timeout: 10_000 });
    await expect(toast.textContent()).resolves.toContain('peer-chat@lab.local sent you a message');
    await expect(toast.textContent()).resolves.toContain('Can you take a call about refunds?');
    await toast.screenshot({ path: screenshotPath('toast-chat') });
    // Listed with the peer as its name and the message unread, but not opened before Accept.
    const row = page.locator('[data-conversation-row]', { hasText: 'peer-chat@lab.local' });
    await row.getByLabel('1 unread').waitFor({ timeout: 5000 });
    await page.screenshot({ path: screenshotPath('chat-toast-page') });
    await toast.getByRole('button', { name: 'Accept' }).click();
    await toast.waitFor({ state: 'detached', timeout: 5000 });
    await messagesFrom(page, PEER, 'It is urgent.').waitFor({ timeout: 5000 });
    await row.getByLabel('1 unread').waitFor({ state: 'detached', timeout: 5000 });

    const peerConversation = (await peer.waitForType('im', 5000, 0, (e) => e.outgoing === true && e.messageId === 'peer-2')).event.conversationId;
    peer.send({ cmd: 'typing', conversationId: peerConversation, typing: true });
    await page.getByRole('status', { name: 'typing' }).filter({ hasText: 'peer-chat@lab.local is typing…' }).waitFor({ timeout: 5000 });

    const mark = peer.events.length;
    await messageBox(page).pressSequentially('Yes, send it over');
    await peer.waitForType('im.typing', 5000, mark, (e) => e.typing && e.from === DESK);
    await messageBox(page).press('Enter');
    const reply = await peer.waitForType('im', 5000, mark, (e) => e.outgoing !== true);
    expect(reply.event).toMatchObject({ from: DESK, text: 'Yes, send it over', conversationId: peerConversation });
    await page.locator('[aria-label="messages"] li[data-outgoing="true"]', { hasText: 'Yes, send it over' }).locator('[data-delivery="delivered"]').waitFor({ timeout: 5000 });
    await page.locator('[aria-label="conversation"]').screenshot({ path: screenshotPath('chat-two-party') });
  });

  it('watches the headless agent and sees its status; the headless agent sees the desktop choose Do not disturb', async () => {
    await page.getByRole('tab', { name: 'Contacts' }).click();
    await page.getByLabel("Contact's SIP address").fill('peer-chat@lab.local');
    await page.getByRole('button', { name: 'Add' }).click();
    const contact = page.locator(`[aria-label="contacts"] li[data-contact="${PEER}"]`);
    await contact.waitFor({ timeout: 5000 });
    // The first NOTIFY gives its current state (the contact is listed before the SUBSCRIBE goes).
    await page.locator(`li[data-contact="${PEER}"][data-availability="available"]`).waitFor({ timeout: 10_000 });
    peer.send({ cmd: 'presence', availability: 'busy', note: 'On queue 4' });
    await page.locator(`li[data-contact="${PEER}"][data-availability="busy"]`).waitFor({ timeout: 10_000 });
    await expect(contact.getByLabel('presence').textContent()).resolves.toBe('Busy · On queue 4');

    // New chat from the contact: the address filled in, the first message sent, the conversation shown.
    await contact.getByRole('button', { name: 'Chat with peer-chat@lab.local' }).click();
    const newChat = page.getByRole('group', { name: 'New chat' });
    await expect(newChat.getByLabel('Chat with (SIP address)').inputValue()).resolves.toBe(PEER);
    let mark = peer.events.length;
    await newChat.getByLabel('First message').fill('Queue 4 is yours after the break');
    await newChat.getByRole('button', { name: 'Send' }).click();
    const started = await peer.waitForType('im', 5000, mark, (e) => e.outgoing !== true);
    expect(started.event).toMatchObject({ from: DESK, text: 'Queue 4 is yours after the break' });
    await page.locator('[aria-label="messages"] li[data-outgoing="true"]', { hasText: 'Queue 4 is yours' }).waitFor({ timeout: 5000 });
    await expect(newChat.count()).resolves.toBe(0);

    peer.send({ cmd: 'watch', aor: DESK });
    await peer.waitForType('presence', 10_000, 0, (e) => e.aor === DESK && e.availability !== 'unknown');
    mark = peer.events.length;
    const status = page.getByRole('combobox', { name: 'Status' });
    await status.selectOption({ label: 'Do not disturb' });
    const dnd = await peer.waitForType('presence', 10_000, mark, (e) => e.aor === DESK && e.availability === 'dnd');
    expect(dnd.event.error).toBeUndefined();
    await page.getByLabel('published status').filter({ hasText: 'Do not disturb' }).waitFor({ timeout: 5000 });
    await page.screenshot({ path: screenshotPath('status-and-contacts') });
    expect(JSON.parse(readFileSync(join(configDir, 'settings.json'), 'utf8'))).toMatchObject({ presence: { availability: 'dnd' }, watch: [PEER] });

    // An invitation from an untrusted sender now comes quietly, and the toast says why.
    const quiet = await lab.invite(DESK, 'Callback request');
    const toast = page.getByRole('alertdialog', { name: 'Conference invitation' });
    await toast.waitFor({ timeout: 10_000 });
    await expect(toast.getAttribute('data-quiet')).resolves.toBe('true');
    await toast.getByText('Do not disturb').waitFor({ timeout: 5000 });
    await toast.screenshot({ path: screenshotPath('toast-quiet') });
    await toast.getByRole('button', { name: 'Decline' }).click();
    await expect(quiet.outcome).resolves.toMatchObject({ state: 'Declined' });
  });

  it('keeps history for the days set in Settings, and a Settings save keeps the status and contacts chosen elsewhere', async () => {
    await page.getByRole('tab', { name: 'Settings' }).click();
    const days = page.getByLabel('Keep conversation history for N days');
    await expect(days.inputValue()).resolves.toBe('30');
    await days.fill('4000');
    await page.getByText('A whole number of days, from 0 to 3650').waitFor({ timeout: 5000 });
    await days.fill('7');
    await page.getByRole('button', { name: 'Save and sign in' }).click();
    await page.getByText('Saved.', { exact: false }).waitFor({ timeout: 5000 });
    await days.scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('settings-history') });
    expect(JSON.parse(readFileSync(join(configDir, 'settings.json'), 'utf8'))).toMatchObject({ historyDays: 7, presence: { availability: 'dnd' }, watch: [PEER] });
    await expect(page.getByRole('combobox', { name: 'Status' }).inputValue()).resolves.toBe('dnd');
  });

  it('lists the conversations with their messages after a restart of switchboard web, read only', async () => {
    await host.stop();
    await startDesktop();
    await page.getByRole('tab', { name: 'Conversations' }).click();
    const conference = page.locator(`[data-conversation-row="${conferenceConversation}"]`);
    await conference.waitFor({ timeout: 10_000 });
    await expect(conference.textContent()).resolves.toContain(SUBJECT);
    await expect(conference.textContent()).resolves.toContain('history');
    await page.locator('[data-conversation-row]', { hasText: 'peer-chat@lab.local' }).waitFor({ timeout: 5000 });

    await conference.click();
    await page.getByRole('tab', { name: /^Chat/ }).click();
    await messagesFrom(page, PEER, 'refund is missing').waitFor({ timeout: 5000 });
    const ours = page.locator('[aria-label="messages"] li[data-outgoing="true"]', { hasText: 'reference R-7731' });
    await expect(ours.locator('[data-delivery]').getAttribute('data-delivery')).resolves.toBe('delivered');
    await page.getByText('From the conversation history: read only.').waitFor({ timeout: 5000 });
    expect(await messageBox(page).count()).toBe(0);
    await page.locator('[aria-label="conversation"]').screenshot({ path: screenshotPath('chat-restored') });

    // The chosen status and the watched contact came back with the settings.
    await expect(page.getByRole('combobox', { name: 'Status' }).inputValue()).resolves.toBe('dnd');
    await page.getByRole('tab', { name: 'Contacts' }).click();
    await page.locator(`[aria-label="contacts"] li[data-contact="${PEER}"]`).waitFor({ timeout: 5000 });
  });
});
