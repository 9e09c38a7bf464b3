import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextSummarySchema, fullContextSchema } from '../../extensions/crm-context/cc-protocol';
import type { ContactCenterConfigInput } from '../../lab/contact-center/config';
import type { ContactCenterEvent } from '../../lab/contact-center/events';
import { startKamailio, type KamailioHandle } from '../../lab/kamailio';
import { Lab, type LabContactCenter } from '../../lab/lab';
import { AgentProcess } from '../support/agent-process';
import { CustomerClient } from '../support/customer-client';
import { freeUdpPort } from '../support/free-port';
import { waitFor } from '../support/wait-for';

// The contact center of issue 14, server side, through Kamailio: four headless agents publish
// their presence (Kamailio's presence module is the server the contact center subscribes to),
// a customer drives the customer page's gateway over HTTP, and everything the agents do goes
// through their own `switchboard agent` commands.

const CRM = '{8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01}';
const LAB_APP = 'sip:conf@lab.local';
const BIN = fileURLToPath(new URL('../../bin/switchboard.js', import.meta.url));
const PACKAGES = fileURLToPath(new URL('../../out/extensions/', import.meta.url));
const AOR = (user: string): string => `sip:${user}@lab.local`;

const CONFIG: ContactCenterConfigInput = {
  agents: [
    { aor: AOR('cc-ben'), name: 'Ben', skills: ['billing'] },
    { aor: AOR('cc-ann'), name: 'Ann', skills: ['billing'] },
    { aor: AOR('cc-cat'), name: 'Cat', skills: ['billing', 'technical'] },
    { aor: AOR('cc-sue'), name: 'Sue', skills: ['technical'], supervisor: true },
  ],
  skills: [
    { name: 'billing', keywords: ['invoice', 'refund', 'charge'] },
    { name: 'technical', keywords: ['password', 'error'] },
  ],
  wrapUpCodes: [
    { code: 'resolved', label: 'Resolved' },
    { code: 'callback', label: 'Call back' },
  ],
  wrapUpTimeoutMs: 3000,
};

let kamailio: KamailioHandle;
let lab: Lab;
let cc: LabContactCenter;
const events: { at: number; event: ContactCenterEvent }[] = [];
const agents = new Map<string, AgentProcess>();
const customers: CustomerClient[] = [];

function registryWithCrm(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sb-registry-'));
  execFileSync(process.execPath, [BIN, 'extensions', 'install', join(PACKAGES, 'crm-context'), '--registry', dir], { stdio: 'pipe' });
  return dir;
}

/** Starts an agent and waits until the contact center has its presence. */
async function startAgent(user: string, availability: 'available' | 'busy' = 'available'): Promise<AgentProcess> {
  const agent = new AgentProcess(['--server', kamailio.wsUrl, '--aor', AOR(user), '--registry', registryWithCrm(), '--trust', LAB_APP, '--availability', availability]);
  agents.set(user, agent);
  await agent.waitForType('registered', 10_000);
  await waitFor(() => cc.center.agents().find((a) => a.aor === AOR(user))?.availability === availability, 10_000, `${user} ${availability} at the contact center`);
  return agent;
}

const agent = (user: string): AgentProcess => {
  const found = agents.get(user);
  if (!found) {
    throw new Error(`no agent ${user}`);
  }
  return found;
};

/** The first contact-center event after `from` that matches. */
async function centerEvent<T extends ContactCenterEvent['type']>(type: T, where: (e: Extract<ContactCenterEvent, { type: T }>) => boolean = () => true, from = 0, timeoutMs = 10_000) {
  let found: { at: number; event: Extract<ContactCenterEvent, { type: T }> } | undefined;
  await waitFor(
    () => {
      const hit = events.slice(from).find((e) => e.event.type === type && where(e.event as Extract<ContactCenterEvent, { type: T }>));
      found = hit as typeof found;
      return hit !== undefined;
    },
    timeoutMs,
    `contact-center event ${type}`,
  );
  if (!found) {
    throw new Error('unreachable');
  }
  return found;
}

/** The pane's part: what the agent's `crm-context` pane would send (INFO on its channel). */
const paneSends = (user: string, message: unknown): void => agent(user).send({ cmd: 'send', appId: CRM, contentType: 'application/json', body: JSON.stringify(message) });

/** The next INFO the agent's pane received, parsed, after event index `from`. */
async function paneReceives(user: string, where: (body: Record<string, unknown>) => boolean, from: number): Promise<Record<string, unknown>> {
  const data = await agent(user).waitForType('channel.data', 10_000, from, (e) => where(JSON.parse(e.body) as Record<string, unknown>));
  return JSON.parse(data.event.body) as Record<string, unknown>;
}

beforeAll(async () => {
  const labPort = await freeUdpPort();
  kamailio = await startKamailio({ conferenceServer: { host: '127.0.0.1', port: labPort, transport: 'udp', serviceUser: 'conf' } });
  lab = await Lab.start({ signaling: { mode: 'proxied', proxyHost: '127.0.0.1', proxyPort: kamailio.udpPort, localPort: labPort } });
  cc = await lab.contactCenter(CONFIG);
  cc.center.on((event) => events.push({ at: performance.now(), event }));
  // Ben, busy, has been signed in longest; then Ann; then Cat: Ann is the longest-idle Available billing agent.
  await startAgent('cc-ben', 'busy');
  await startAgent('cc-ann');
  await new Promise((resolve) => setTimeout(resolve, 50));
  await startAgent('cc-cat');
  await startAgent('cc-sue');
}, 60_000);

afterAll(async () => {
  for (const customer of customers) {
    await customer.close();
  }
  for (const a of agents.values()) {
    await a.dispose();
  }
  await lab?.stop();
  await kamailio?.stop();
});

describe('the contact center through Kamailio', () => {
  it('routes, offers, chats, opens the pane, escalates, removes, wraps up and closes', { timeout: 120_000 }, async () => {
    const site = cc.site?.url ?? '';
    const dana = new CustomerClient(site);
    customers.push(dana);
    for (const page of ['/', '/products/headset', '/help/invoices']) {
      await dana.visit(page);
    }

    // Routing: the keyword picks billing; Ann (longest idle) gets the offer, declines; Ben is busy; Cat gets it.
    const askedAt = performance.now();
    const started = await dana.startChat({ name: 'Dana Scully', email: 'dana@example.org', question: 'My invoice shows a double charge for March' });
    const annInvited = await agent('cc-ann').waitForType('invitation', 10_000);
    const requestId = started.chatId;
    const focusUri = annInvited.event.focusUri;
    expect(annInvited.event).toMatchObject({ im: true, audio: false });
    agent('cc-ann').send({ cmd: 'decline', id: annInvited.event.id });
    await centerEvent('refused', (e) => e.agent === AOR('cc-ann') && e.reason === 'declined');
    const catInvited = await agent('cc-cat').waitForType('invitation', 10_000);
    expect(catInvited.event.focusUri).toBe(focusUri);
    expect(events.filter((e) => e.event.type === 'offered').map((e) => e.event.type === 'offered' && e.event.name)).toEqual(['Ann', 'Cat']);
    expect(agent('cc-ben').events.some((e) => e.event.type === 'invitation')).toBe(false);

    // Cat accepts and joins; the pane opens in the same conversation with the captured context.
    const catMark = agent('cc-cat').events.length;
    agent('cc-cat').send({ cmd: 'accept', id: catInvited.event.id });
    const acceptedAt = performance.now();
    await agent('cc-cat').waitForType('conference.joined', 10_000, catMark);
    // A chat-only offer: Cat joins the focus, roster and chat, never the A/V MCU (open question 35).
    expect((await agent('cc-cat').waitForType('media', 10_000, catMark)).event.state).toBe('none');
    expect(lab.conferences.dialogsOf(cc.center.conversation(requestId)?.conferenceId ?? '', AOR('cc-cat'))).toEqual({ focus: true, mcu: false });
    // Cat accepted the contact center's invitation: its pane opens without asking again (open question 36).
    const opened = await agent('cc-cat').waitForType('channel.context', 10_000, catMark, (e) => e.appId === CRM);
    expect(agent('cc-cat').events.slice(catMark).filter((e) => e.event.type === 'channel.request')).toEqual([]);
    expect(opened.event.conversationId).toBe(cc.center.conversation(requestId)?.conversationId);
    const summary = contextSummarySchema.parse(JSON.parse(opened.event.data ?? ''));
    expect(summary).toMatchObject({
      id: requestId,
      role: 'agent',
      name: 'Dana Scully',
      email: 'dana@example.org',
      question: 'My invoice shows a double charge for March',
      pages: ['/', '/products/headset', '/help/invoices'],
      skill: 'billing',
      complete: true,
      wrapUpCodes: [
        { code: 'resolved', label: 'Resolved' },
        { code: 'callback', label: 'Call back' },
      ],
    });
    console.info(
      `[figures] customer request -> Ann's invitation ${(annInvited.at - askedAt).toFixed(0)} ms; Cat's accept -> channel.context ${(opened.at - acceptedAt).toFixed(0)} ms (the pane opened without asking)`,
    );

    // Chat both ways: the question comes first, then what the customer types; Cat's reply reaches the page.
    const question = await agent('cc-cat').waitForType('im', 10_000, catMark, (e) => !e.outgoing && e.focusUri === focusUri);
    expect(question.event).toMatchObject({ from: `sip:${requestId}@guests.lab.local`, text: 'My invoice shows a double charge for March' });
    await dana.waitFor((e) => e.type === 'connected' && e.agent === 'Cat');
    expect(await dana.say('It was charged twice on the 3rd')).toBe(202);
    await agent('cc-cat').waitForType('im', 10_000, catMark, (e) => !e.outgoing && e.text === 'It was charged twice on the 3rd');
    agent('cc-cat').send({ cmd: 'im', focusUri, text: 'Let me look at that <invoice>' });
    await dana.waitFor((e) => e.type === 'message' && e.from === 'agent' && e.name === 'Cat' && e.text === 'Let me look at that <invoice>');

    // The pane: the full context on request, a note back.
    let paneMark = agent('cc-cat').events.length;
    paneSends('cc-cat', { type: 'context.request', id: requestId });
    const full = fullContextSchema.parse(await paneReceives('cc-cat', (b) => b.type === 'context', paneMark));
    expect(full.pages.map((p) => p.title)).toEqual(['Lab Store: the Switchboard headset', 'Headset details', 'Invoices and refunds']);
    paneSends('cc-cat', { type: 'note', text: 'Double charge confirmed; refund issued' });
    expect((await centerEvent('note')).event).toMatchObject({ requestId, agent: AOR('cc-cat'), text: 'Double charge confirmed; refund issued' });
    await paneReceives('cc-cat', (b) => b.type === 'ack' && b.ref === 'note', paneMark);

    // Escalation: the supervisor is invited into the same conference, and gets the pane too.
    paneMark = agent('cc-cat').events.length;
    const sueMark = agent('cc-sue').events.length;
    paneSends('cc-cat', { type: 'escalate', supervisor: true });
    const sueInvited = await agent('cc-sue').waitForType('invitation', 10_000, sueMark);
    expect(sueInvited.event.focusUri).toBe(focusUri);
    expect(await paneReceives('cc-cat', (b) => b.type === 'escalation', paneMark)).toMatchObject({ state: 'offered', name: 'Sue' });
    agent('cc-sue').send({ cmd: 'accept', id: sueInvited.event.id });
    const sueContext = await agent('cc-sue').waitForType('channel.context', 10_000, sueMark);
    expect(contextSummarySchema.parse(JSON.parse(sueContext.event.data ?? ''))).toMatchObject({ id: requestId, role: 'supervisor', name: 'Dana Scully' });
    expect(await paneReceives('cc-cat', (b) => b.type === 'escalation' && b.state === 'joined', paneMark)).toMatchObject({ agent: AOR('cc-sue'), name: 'Sue' });
    const withSue = await agent('cc-cat').waitForType('roster', 10_000, catMark, (e) => e.users.some((u) => u.entity === AOR('cc-sue')));
    expect(withSue.event.users.map((u) => u.entity).sort()).toEqual([AOR('cc-cat'), AOR('cc-sue'), `sip:${requestId}@guests.lab.local`].sort());
    await dana.waitFor((e) => e.type === 'joined' && e.name === 'Sue' && e.role === 'supervisor');

    // Removal from the pane: the focus ejects Sue; the roster shows she is gone.
    const rosterMark = agent('cc-cat').events.length;
    paneSends('cc-cat', { type: 'remove', agent: AOR('cc-sue') });
    await agent('cc-sue').waitForType('conference.left', 10_000, sueMark);
    await agent('cc-cat').waitForType('roster', 10_000, rosterMark, (e) => !e.users.some((u) => u.entity === AOR('cc-sue')));
    expect((await centerEvent('left', (e) => e.agent === AOR('cc-sue'))).event.reason).toBe('removed');
    await dana.waitFor((e) => e.type === 'left' && e.name === 'Sue');
    await waitFor(() => cc.center.agents().find((a) => a.name === 'Sue')?.work === 'free', 5000, 'Sue free again');

    // A chat is not "In a conference": Cat stayed Available all along; the contact center's own
    // `engaged` state kept her out of routing.
    expect(agent('cc-cat').events.slice(catMark).some((e) => e.event.type === 'presence' && e.event.aor === AOR('cc-cat') && e.event.availability !== 'available')).toBe(false);
    expect(agent('cc-cat').events.slice(catMark).some((e) => e.event.type === 'dialog' && e.event.role === 'mcu')).toBe(false);
    expect(cc.center.agents().find((a) => a.name === 'Cat')).toMatchObject({ availability: 'available', work: 'engaged', routable: false });

    // Wrap-up from the pane, then the customer ends: the conference ends.
    paneSends('cc-cat', { type: 'wrapup', code: 'resolved' });
    expect((await centerEvent('wrapup', (e) => e.agent === AOR('cc-cat'))).event).toMatchObject({ outcome: 'picked', code: 'resolved', label: 'Resolved' });
    const conferenceId = cc.center.conversation(requestId)?.conferenceId ?? '';
    expect(await dana.end()).toBe(200);
    await dana.waitFor((e) => e.type === 'ended' && e.reason === 'customer');
    await agent('cc-cat').waitForType('conference.left', 10_000, catMark);
    expect((await centerEvent('ended', (e) => e.requestId === requestId)).event.by).toBe('customer');
    expect(lab.conferences.get(conferenceId)).toBeUndefined();
    // Cat's presence says Available (a chat has no audio): routable again.
    await waitFor(() => cc.center.agents().find((a) => a.name === 'Cat')?.routable === true, 10_000, 'Cat routable again');
  });

  it('queues customers while nobody with the skill is free, and offers in order as agents become Available', { timeout: 60_000 }, async () => {
    for (const user of ['cc-ann', 'cc-cat']) {
      agent(user).send({ cmd: 'presence', availability: 'busy' });
      await waitFor(() => cc.center.agents().find((a) => a.aor === AOR(user))?.availability === 'busy', 10_000, `${user} busy`);
    }
    const first = new CustomerClient(cc.site?.url ?? '');
    const second = new CustomerClient(cc.site?.url ?? '');
    customers.push(first, second);
    await first.visit('/pricing');
    await second.visit('/');
    await first.startChat({ name: 'Fox Mulder', email: 'fox@example.org', question: 'Can I get a refund?' });
    await second.startChat({ name: 'Walter Skinner', email: 'walter@example.org', question: 'Invoice question', call: true });
    await first.waitFor((e) => e.type === 'waiting' && e.position === 1);
    await second.waitFor((e) => e.type === 'waiting' && e.position === 2);

    const annMark = agent('cc-ann').events.length;
    agent('cc-ann').send({ cmd: 'presence', availability: 'available' });
    const offered = await agent('cc-ann').waitForType('invitation', 10_000, annMark);
    expect(offered.event.subject).toMatch(/^Fox Mulder: /);

    // The customer gives up while it rings: the invitation is withdrawn (CANCEL), and the next one moves up.
    const secondMark = second.events.length;
    expect(await first.end()).toBe(200);
    await agent('cc-ann').waitForType('invitation.cancelled', 10_000, annMark);
    await second.waitFor((e) => e.type === 'waiting' && e.position === 1, 10_000, secondMark);
    const next = await agent('cc-ann').waitForType('invitation', 10_000, annMark, (e) => e.id !== offered.event.id);
    expect(next.event).toMatchObject({ audio: true, im: true });
    expect(next.event.subject).toMatch(/^Walter Skinner: /);
    expect(await second.end()).toBe(200);
    await agent('cc-ann').waitForType('invitation.cancelled', 10_000, annMark, (e) => e.id === next.event.id);
    agent('cc-cat').send({ cmd: 'presence', availability: 'available' });
  });
});

/** Which of `users` gets the next invitation after their marks. */
async function nextInvited(users: readonly string[], marks: ReadonlyMap<string, number>) {
  return Promise.any(users.map(async (user) => ({ user, invitation: await agent(user).waitForType('invitation', 10_000, marks.get(user) ?? 0) })));
}

describe('closing through Kamailio', () => {
  it('keeps the conference for the wrap-up after the customer leaves, and ends it on the code or the wrap-up timeout', { timeout: 60_000 }, async () => {
    for (const [round, wrapUp] of [
      [1, 'callback'],
      [2, undefined],
    ] as const) {
      const users = ['cc-ann', 'cc-cat'];
      await waitFor(() => users.every((u) => cc.center.agents().find((a) => a.aor === AOR(u))?.routable === true), 10_000, 'Ann and Cat routable');
      const marks = new Map(users.map((u) => [u, agent(u).events.length]));
      const customer = new CustomerClient(cc.site?.url ?? '');
      customers.push(customer);
      await customer.visit('/help/invoices');
      const { chatId } = await customer.startChat({ name: `Round ${round}`, email: 'round@example.org', question: 'A refund for my invoice' });
      const { user, invitation } = await nextInvited(users, marks);
      const from = marks.get(user) ?? 0;
      agent(user).send({ cmd: 'accept', id: invitation.event.id });
      await agent(user).waitForType('channel.context', 10_000, from);
      await customer.waitFor((e) => e.type === 'connected');

      const mark = agent(user).events.length;
      const eventMark = events.length;
      expect(await customer.end()).toBe(200);
      await paneReceives(user, (b) => b.type === 'customer.left', mark);
      const left = await agent(user).waitForType('roster', 10_000, mark, (e) => !e.users.some((u) => u.entity.includes('@guests.')));
      expect(left.event.users.map((u) => u.entity)).toEqual([AOR(user)]);
      expect(cc.center.agents().find((a) => a.aor === AOR(user))?.work).toBe('wrap-up');
      if (wrapUp !== undefined) {
        paneSends(user, { type: 'wrapup', code: wrapUp });
        expect((await centerEvent('wrapup', (e) => e.requestId === chatId, eventMark)).event).toMatchObject({ outcome: 'picked', code: 'callback' });
      } else {
        const timedOut = await centerEvent('wrapup', (e) => e.requestId === chatId, eventMark, 6000);
        expect(timedOut.event.outcome).toBe('timed-out');
        expect(timedOut.at - (events[eventMark]?.at ?? 0)).toBeGreaterThanOrEqual(2900);
      }
      await agent(user).waitForType('conference.left', 10_000, mark);
      expect((await centerEvent('ended', (e) => e.requestId === chatId, eventMark)).event.by).toBe('customer');
    }
  });
});

describe('the contact center on the standalone lab', () => {
  it('learns presence from the lab edge presence server and offers a customer', { timeout: 60_000 }, async () => {
    const standalone = await Lab.start({ signaling: { mode: 'standalone' } });
    const solo = new AgentProcess(['--server', standalone.wsUrl ?? '', '--aor', AOR('cc-solo'), '--registry', registryWithCrm(), '--trust', LAB_APP]);
    const customer = new CustomerClient('');
    try {
      const center = await standalone.contactCenter({ ...CONFIG, agents: [{ aor: AOR('cc-solo'), name: 'Solo', skills: ['billing'] }] });
      await solo.waitForType('registered', 10_000);
      await waitFor(() => center.center.agents()[0]?.routable === true, 10_000, 'Solo Available at the contact center');
      const client = new CustomerClient(center.site?.url ?? '');
      customers.push(client);
      await client.visit('/');
      await client.startChat({ name: 'Ada', email: 'ada@example.org', question: 'refund please' });
      const invitation = await solo.waitForType('invitation', 10_000);
      solo.send({ cmd: 'accept', id: invitation.event.id });
      await solo.waitForType('channel.context', 10_000);
      await client.waitFor((e) => e.type === 'connected' && e.agent === 'Solo');
      solo.send({ cmd: 'leave', focusUri: invitation.event.focusUri });
      await client.waitFor((e) => e.type === 'ended' && e.reason === 'agent');
    } finally {
      await customer.close();
      await solo.dispose();
      await standalone.stop();
    }
  });
});
