import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContactCenterEvent } from '../../lab/contact-center/events';
import { startEmbeddedLab, type EmbeddedLabRun } from '../../lab/embedded';
import { createStreamLogger } from '../../main/adapters/stderr-logger';
import { AgentProcess } from '../support/agent-process';
import { CustomerClient } from '../support/customer-client';
import { waitFor } from '../support/wait-for';

// The embedded lab's contact center as `npm start` runs it, over real sockets: the lab on its own
// WebSocket edge, its two simulated agents (real `switchboard agent` processes driven through
// their JSON commands), a customer on the customer page's HTTP gateway, and the desktop's agent
// signed in as a headless agent. Routing is by skill: "password" goes to Tess (technical), a
// pricing question to Sam (sales), "invoice" to the desktop's agent.

const APP_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(APP_ROOT, 'bin', 'switchboard.js');
const TESS = 'sip:tess@lab.local';
const SAM = 'sip:sam@lab.local';
const DESK = 'sip:agent@lab.local';

let run: EmbeddedLabRun;
const logLines: string[] = [];
const events: { at: number; event: ContactCenterEvent }[] = [];
const customers: CustomerClient[] = [];
let desk: AgentProcess | undefined;
let stopped = false;

const status = (aor: string) => run.contactCenter.center.agents().find((a) => a.aor === aor);

/** The first contact-center event after index `from` that matches, within `timeoutMs`. */
async function centerEvent<T extends ContactCenterEvent['type']>(type: T, where: (e: Extract<ContactCenterEvent, { type: T }>) => boolean, from: number, timeoutMs = 15_000) {
  let found: { at: number; event: Extract<ContactCenterEvent, { type: T }> } | undefined;
  await waitFor(
    () => {
      found = events.slice(from).find((e) => e.event.type === type && where(e.event as Extract<ContactCenterEvent, { type: T }>)) as typeof found;
      return found !== undefined;
    },
    timeoutMs,
    `contact-center event ${type}`,
  );
  if (!found) {
    throw new Error('unreachable');
  }
  return found;
}

function customer(): CustomerClient {
  const client = new CustomerClient(run.contactCenter.site?.url ?? '');
  customers.push(client);
  return client;
}

const agentLines = (client: CustomerClient, name: string) => client.events.filter((e) => e.event.type === 'message' && e.event.from === 'agent' && e.event.name === name);

beforeAll(async () => {
  const started = performance.now();
  // No desktop signs in first here: the simulated agents need not wait for one.
  run = await startEmbeddedLab({ logger: createStreamLogger({ level: 'info', write: (line) => logLines.push(line) }), appRoot: APP_ROOT, simulatedAgentsAfterMs: 0 });
  run.contactCenter.center.on((event) => events.push({ at: performance.now(), event }));
  const labUp = performance.now();
  await waitFor(() => status(TESS)?.routable === true && status(SAM)?.routable === true, 25_000, 'Tess and Sam Available at the contact center');
  console.info(`[figures] embedded lab: started in ${(labUp - started).toFixed(0)} ms; both simulated agents Available ${(performance.now() - started).toFixed(0)} ms after the start`);
}, 40_000);

afterAll(async () => {
  for (const client of customers) {
    await client.close();
  }
  await desk?.dispose();
  if (!stopped) {
    await run?.stop();
  }
});

describe('the embedded contact center with its simulated agents', () => {
  it('routes a password question to Tess, who greets, answers, wraps up when the customer ends and is Available again', { timeout: 60_000 }, async () => {
    const grace = customer();
    await grace.visit('/');
    const from = events.length;
    const askedAt = performance.now();
    const { chatId } = await grace.startChat({ name: 'Grace Hopper', email: 'grace@example.org', question: 'My password is refused since Monday' });

    expect((await centerEvent('offered', (e) => e.requestId === chatId, from)).event).toMatchObject({ agent: TESS, name: 'Tess' });
    await grace.waitFor((e) => e.type === 'connected' && e.agent === 'Tess', 15_000);
    const greeting = await grace.waitFor((e) => e.type === 'message' && e.from === 'agent' && e.name === 'Tess', 15_000);
    expect(greeting.event).toMatchObject({ text: expect.stringMatching(/Tess.*technical/) as unknown });
    // The question gets a canned reply after a pause; so does the next line.
    await waitFor(() => agentLines(grace, 'Tess').length >= 2, 15_000, 'Tess answering the question');
    const answeredAt = performance.now();
    expect(await grace.say('It says error 42')).toBe(202);
    await waitFor(() => agentLines(grace, 'Tess').length >= 3, 15_000, 'Tess answering the next line');
    console.info(
      `[figures] embedded lab: customer request -> Tess's greeting on the page ${(greeting.at - askedAt).toFixed(0)} ms, -> her answer to the question ${(answeredAt - askedAt).toFixed(0)} ms`,
    );

    const endMark = events.length;
    const endedAt = performance.now();
    expect(await grace.end()).toBe(200);
    const wrapup = await centerEvent('wrapup', (e) => e.requestId === chatId, endMark);
    expect(wrapup.event).toMatchObject({ agent: TESS, outcome: 'picked', code: 'resolved' });
    expect((await centerEvent('ended', (e) => e.requestId === chatId, endMark)).event.by).toBe('customer');
    await waitFor(() => status(TESS)?.routable === true, 15_000, 'Tess Available again');
    console.info(`[figures] embedded lab: customer ends -> Tess's wrap-up code ${(wrapup.at - endedAt).toFixed(0)} ms, -> Tess Available again ${(performance.now() - endedAt).toFixed(0)} ms`);
    expect(events.slice(from).some((e) => e.event.type === 'offered' && e.event.agent !== TESS)).toBe(false);
  });

  it('routes a pricing question to Sam, who greets as sales', { timeout: 60_000 }, async () => {
    const alan = customer();
    await alan.visit('/pricing');
    const from = events.length;
    const { chatId } = await alan.startChat({ name: 'Alan Turing', email: 'alan@example.org', question: 'What is the price of the business plan? I would like to upgrade.' });
    expect((await centerEvent('offered', (e) => e.requestId === chatId, from)).event.agent).toBe(SAM);
    const greeting = await alan.waitFor((e) => e.type === 'message' && e.from === 'agent' && e.name === 'Sam', 15_000);
    expect(greeting.event).toMatchObject({ text: expect.stringMatching(/Sam.*sales/) as unknown });
    const endMark = events.length;
    expect(await alan.end()).toBe(200);
    expect((await centerEvent('wrapup', (e) => e.requestId === chatId, endMark)).event).toMatchObject({ agent: SAM, code: 'resolved' });
    await waitFor(() => status(SAM)?.routable === true, 15_000, 'Sam Available again');
  });

  it('offers the Try-it customer\u2019s invoice question to the desktop\u2019s agent while it is Available', { timeout: 60_000 }, async () => {
    const registry = mkdtempSync(join(tmpdir(), 'sb-registry-'));
    execFileSync(process.execPath, [BIN, 'extensions', 'install', join(APP_ROOT, 'out', 'extensions', 'crm-context'), '--registry', registry], { stdio: 'pipe' });
    desk = new AgentProcess(['--server', run.wsUrl, '--aor', DESK, '--registry', registry, '--trust', run.applicationUri]);
    await desk.waitForType('registered', 10_000);
    await waitFor(() => status(DESK)?.routable === true, 15_000, 'the desktop agent Available');

    const from = events.length;
    const said = await run.tryIt('customer');
    expect(said).toMatch(/asks for help with an invoice \(billing\).*Tess \(technical\) and Sam \(sales\)/);
    const offered = await centerEvent('offered', () => true, from);
    expect(offered.event.agent).toBe(DESK);
    const invitation = await desk.waitForType('invitation', 10_000);
    expect(invitation.event).toMatchObject({ from: run.applicationUri, im: true });
    // Billing is the desktop agent's alone: declined, the customer waits instead of going to Tess or Sam.
    desk.send({ cmd: 'decline', id: invitation.event.id });
    await centerEvent('refused', (e) => e.agent === DESK, from);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(events.slice(from).filter((e) => e.event.type === 'offered').map((e) => e.event.type === 'offered' && e.event.agent)).toEqual([DESK]);
    expect(run.contactCenter.center.end(offered.event.requestId)).toBe(true);
    await desk.dispose();
  });

  it('logs each simulated agent signing in, and stops them with the lab', { timeout: 30_000 }, async () => {
    expect(logLines.some((l) => l.includes('simulated agent signed in') && l.includes(TESS))).toBe(true);
    expect(logLines.some((l) => l.includes('simulated agent signed in') && l.includes(SAM))).toBe(true);
    const agents = await run.simulatedAgents.settled;
    expect(agents.map((a) => a.aor).sort()).toEqual([SAM, TESS]);
    const stopping = performance.now();
    stopped = true;
    await run.stop();
    console.info(`[figures] embedded lab: stop (simulated agents leave and exit, then the lab) ${(performance.now() - stopping).toFixed(0)} ms`);
    for (const agent of agents) {
      await agent.exited;
      expect(() => process.kill(agent.pid, 0)).toThrow();
    }
    expect(logLines.filter((l) => l.includes('simulated agent stopped') && l.includes('code=0'))).toHaveLength(2);
  });
});

describe('the embedded lab without its simulated agents', () => {
  it('still runs, and says so in the log, when the agents cannot start', { timeout: 30_000 }, async () => {
    const lines: string[] = [];
    // An app root without bin/ or out/: the agents cannot be installed or started.
    const broken = await startEmbeddedLab({ logger: createStreamLogger({ level: 'info', write: (line) => lines.push(line) }), appRoot: mkdtempSync(join(tmpdir(), 'sb-no-app-')), simulatedAgentsAfterMs: 0 });
    try {
      expect(await broken.simulatedAgents.settled).toEqual([]);
      expect(lines.filter((l) => l.includes('simulated agent did not start'))).toHaveLength(2);
      expect(broken.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+/);
      await expect(broken.tryIt('customer')).resolves.toMatch(/invoice \(billing\): the contact center offers the chat to you while you are Available$/);
    } finally {
      await broken.stop();
    }
  });
});
