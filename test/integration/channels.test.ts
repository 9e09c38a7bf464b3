import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ChannelState } from '../../core/channels/channel-state';
import { startKamailio, type KamailioHandle } from '../../lab/kamailio';
import { Lab } from '../../lab/lab';
import type { AgentCommand } from '../../common/agent-commands';
import { AgentProcess } from '../support/agent-process';
import { freeUdpPort } from '../support/free-port';

// Context channels from the lab's contact-center application (UCMA ConversationContextChannel
// model) to the headless agent, through Kamailio: establish, 1,000 INFO each way, pane
// replies, BYE from each side, every refusal, and a Kamailio restart mid-stream.

const ECHO = '{6F2C4B1E-3A5D-4E7F-8B9C-0D1E2F3A4B5C}';
const CRM = '{8B1D6E2A-3C4F-4A7B-9E0D-5F6A7B8C9D01}';
const AGENT = 'sip:agent@lab.local';
/** The lab's contact-center application: it sends both invitations and channels. */
const LAB_APP = 'sip:conf@lab.local';
const BIN = fileURLToPath(new URL('../../bin/switchboard.js', import.meta.url));
const PACKAGES = fileURLToPath(new URL('../../out/extensions/', import.meta.url));

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup().catch(() => undefined);
  }
});

function registryWith(...samples: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'sb-registry-'));
  for (const sample of samples) {
    execFileSync(process.execPath, [BIN, 'extensions', 'install', join(PACKAGES, sample), '--registry', dir], { stdio: 'pipe' });
  }
  return dir;
}

async function setup(agentArgs: string[] = [], samples = ['echo', 'crm-context']): Promise<{ lab: Lab; kamailio: KamailioHandle; agent: AgentProcess }> {
  const labPort = await freeUdpPort();
  const kamailio = await startKamailio({ conferenceServer: { host: '127.0.0.1', port: labPort, transport: 'udp' } });
  cleanups.push(() => kamailio.stop());
  const lab = await Lab.start({ signaling: { mode: 'proxied', proxyHost: '127.0.0.1', proxyPort: kamailio.udpPort, localPort: labPort } });
  cleanups.push(() => lab.stop());
  const agent = new AgentProcess(['--server', kamailio.wsUrl, '--aor', AGENT, '--registry', registryWith(...samples), ...agentArgs]);
  cleanups.push(() => agent.dispose());
  await agent.waitForType('registered', 10_000);
  return { lab, kamailio, agent };
}

/**
 * Sends `count` pane messages through the agent's stdin with at most `window` of them
 * unanswered: a channel queues 64 at most and answers more with `busy` (README "Limits").
 */
async function sendWindowed(agent: AgentProcess, count: number, command: (i: number) => AgentCommand, window = 32): Promise<void> {
  const outcomes = (): number => agent.events.filter((e) => e.event.type === 'channel.sent').length;
  const before = outcomes();
  const deadline = performance.now() + 60_000;
  for (let i = 0; i < count; i += 1) {
    while (i - (outcomes() - before) >= window) {
      expect(performance.now(), `outcome of send ${i - window} within 60 s`).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 5));
    }
    agent.send(command(i));
  }
}

describe('context channels through Kamailio', () => {
  it('opens the pane with the decoded context, carries 1,000 INFO each way in order, and ends on the lab BYE', async () => {
    const { lab, agent } = await setup(['--auto-accept', '--trust', LAB_APP]);
    const channel = lab.channel(AGENT);
    const context = JSON.stringify({ name: 'Ada Lovelace', ticket: 4711 });
    const outcome = await channel.establish(CRM, { applicationName: 'CRM context', toast: 'Customer context attached', contextualData: context, simpleLink: 'https://crm.example.org/t/4711' });
    expect(outcome).toMatchObject({ ok: true, status: 200 });
    const opened = await agent.waitForType('channel.context', 5000);
    expect(opened.event).toMatchObject({ appId: CRM, data: context, simpleLink: 'https://crm.example.org/t/4711' });
    await agent.waitForType('channel.state', 5000, 0, (e) => e.state === 'Established');
    const { channelId } = opened.event;

    const started = performance.now();
    const sends = Array.from({ length: 1000 }, (_, i) => channel.sendData('application/json', JSON.stringify({ n: i })));
    await sendWindowed(agent, 1000, (i) => ({ cmd: 'send', appId: CRM, channelId, contentType: 'application/json', body: JSON.stringify({ reply: i }) }));
    const results = await Promise.all(sends);
    expect(results.every((r) => r.ok)).toBe(true);
    for (let i = 0; i < 50 && channel.received.length < 1000; i += 1) {
      await new Promise((r) => setTimeout(r, 200));
    }
    console.info(`[figures] 1,000 INFO each way through Kamailio in ${(performance.now() - started).toFixed(0)} ms`);
    // The agent's 200 (its WebSocket) and its channel.data line (its stdout, written once per
    // tick) are two paths: the lab can have every 200 a moment before the last line is read.
    await agent.waitFor(() => agent.events.filter((e) => e.event.type === 'channel.data').length >= 1000, 5000);
    const delivered = agent.events.filter((e) => e.event.type === 'channel.data').map((e) => (e.event.type === 'channel.data' ? JSON.parse(e.event.body).n : -1));
    expect(delivered).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(channel.received.map((d) => JSON.parse(d.body).reply)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    // The lab has the last reply a moment before the agent has its 200 and reports it.
    await agent.waitFor(() => agent.events.filter((e) => e.event.type === 'channel.sent').length >= 1000, 5000);
    const sent = agent.events.filter((e) => e.event.type === 'channel.sent');
    expect(sent).toHaveLength(1000);
    expect(sent.every((e) => e.event.type === 'channel.sent' && e.event.ok)).toBe(true);

    channel.terminate();
    await agent.waitForType('channel.state', 5000, 0, (e) => e.state === 'Terminated');
  }, 60_000);

  it('routes two applications asking for the same app in one conversation to one pane, which answers each', async () => {
    const { lab, agent } = await setup(['--auto-accept', '--trust', LAB_APP]);
    const a = lab.channel(AGENT, 'conv-shared');
    const b = lab.channel(AGENT, 'conv-shared');
    expect((await a.establish(ECHO, { applicationName: 'Echo' })).ok).toBe(true);
    expect((await b.establish(ECHO, { applicationName: 'Echo' })).ok).toBe(true);
    await a.sendData('text/plain', 'from a');
    await b.sendData('text/plain', 'from b');
    const data = await agent.waitForType('channel.data', 5000, 0, (e) => e.body === 'from b');
    const first = await agent.waitForType('channel.data', 5000, 0, (e) => e.body === 'from a');
    expect(first.event.conversationId).toBe('conv-shared');
    expect(data.event.conversationId).toBe('conv-shared');
    expect(first.event.channelId).not.toBe(data.event.channelId);
    agent.send({ cmd: 'send', appId: ECHO, channelId: first.event.channelId, contentType: 'text/plain', body: 'reply to a' });
    agent.send({ cmd: 'send', appId: ECHO, channelId: data.event.channelId, contentType: 'text/plain', body: 'reply to b' });
    for (let i = 0; i < 50 && (a.received.length === 0 || b.received.length === 0); i += 1) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(a.received.map((d) => d.body)).toEqual(['reply to a']);
    expect(b.received.map((d) => d.body)).toEqual(['reply to b']);
  }, 30_000);

  it('ends the channel when the pane closes (BYE from the agent)', async () => {
    const { lab, agent } = await setup(['--auto-accept', '--trust', LAB_APP]);
    const channel = lab.channel(AGENT);
    await channel.establish(ECHO, { applicationName: 'Echo' });
    await agent.waitForType('channel.state', 5000, 0, (e) => e.state === 'Established');
    agent.send({ cmd: 'close', appId: ECHO });
    await agent.waitForType('channel.state', 5000, 0, (e) => e.state === 'Terminated');
    for (let i = 0; i < 40 && channel.state !== ChannelState.Terminated; i += 1) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(channel.state).toBe(ChannelState.Terminated);
  }, 30_000);

  it('asks the agent when not auto-accepting: accept opens it, decline answers 603', async () => {
    const { lab, agent } = await setup();
    const first = lab.channel(AGENT);
    const accepted = first.establish(ECHO, { applicationName: 'Echo', toast: 'Echo wants a pane' });
    const request = await agent.waitForType('channel.request', 5000);
    expect(request.event).toMatchObject({ appId: ECHO, name: 'Echo', toast: 'Echo wants a pane', from: 'sip:conf@lab.local' });
    agent.send({ cmd: 'accept', id: request.event.id });
    expect(await accepted).toMatchObject({ ok: true });

    const second = lab.channel(AGENT);
    const declined = second.establish(ECHO, { applicationName: 'Echo' });
    const again = await agent.waitForType('channel.request', 5000, agent.events.indexOf(request) + 1);
    agent.send({ cmd: 'decline', id: again.event.id });
    expect(await declined).toMatchObject({ ok: false, status: 603 });
  }, 30_000);

  it('refuses an application that is not installed with 488 naming it, and shows the install notice', async () => {
    const { lab, agent } = await setup(['--auto-accept', '--trust', LAB_APP], ['echo']);
    const outcome = await lab.channel(AGENT).establish(CRM, { applicationName: 'CRM context', applicationInstallerPath: 'https://crm.example.org/install' });
    expect(outcome).toMatchObject({ ok: false, status: 488 });
    expect(outcome.warning).toMatch(/CRM context/);
    const install = await agent.waitForType('channel.install', 5000);
    expect(install.event).toMatchObject({ appId: CRM, name: 'CRM context', link: 'https://crm.example.org/install' });
    expect(agent.events.some((e) => e.event.type === 'channel.state')).toBe(false);
  }, 30_000);

  it('refuses an untrusted sender inside a conference with 403, and lets a trusted one in', async () => {
    // Without --trust, --auto-accept does not apply: the agent accepts the invitation by hand.
    const untrusted = await setup(['--auto-accept']);
    const invited = untrusted.lab.invite(AGENT, 'Conference with a pane');
    const invitation = await untrusted.agent.waitForType('invitation', 5000);
    untrusted.agent.send({ cmd: 'accept', id: invitation.event.id });
    const { conversationId } = await invited;
    await untrusted.agent.waitForType('conference.joined', 10_000);
    const refused = await untrusted.lab.channel(AGENT, conversationId).establish(ECHO, { applicationName: 'Echo' });
    expect(refused).toMatchObject({ ok: false, status: 403 });
    await untrusted.agent.waitForType('channel.refused', 3000, 0, (e) => e.status === 403);
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch(() => undefined);
    }

    const trusted = await setup(['--auto-accept', '--trust', LAB_APP]);
    const conference = await trusted.lab.invite(AGENT, 'Conference with a pane');
    await trusted.agent.waitForType('conference.joined', 10_000);
    const ok = await trusted.lab.channel(AGENT, conference.conversationId).establish(ECHO, { applicationName: 'Echo' });
    expect(ok).toMatchObject({ ok: true, status: 200 });
    // Leaving the conference ends the conversation, and with it the channel.
    trusted.agent.send({ cmd: 'leave', focusUri: conference.conference.focusUri });
    await trusted.agent.waitForType('channel.state', 5000, 0, (e) => e.state === 'Terminated');
  }, 60_000);

  it('survives a Kamailio restart mid-stream: Recovering, then Established, nothing lost or duplicated', async () => {
    const { lab, kamailio, agent } = await setup(['--auto-accept', '--trust', LAB_APP]);
    const channel = lab.channel(AGENT);
    await channel.establish(ECHO, { applicationName: 'Echo' });
    const established = await agent.waitForType('channel.state', 5000, 0, (e) => e.state === 'Established');
    const { channelId } = established.event;
    const total = 400;
    const sends: Promise<unknown>[] = [];
    // The pane side sends as a pane must: never more than its queue takes (the rest would be `busy`).
    const fromAgent = sendWindowed(agent, total, (i) => ({ cmd: 'send', appId: ECHO, channelId, contentType: 'text/plain', body: `to-lab ${i}` }));
    for (let i = 0; i < total; i += 1) {
      sends.push(channel.sendData('text/plain', `to-agent ${i}`));
      if (i === 100) {
        await kamailio.kill();
        await new Promise((r) => setTimeout(r, 500));
        await kamailio.restart();
      }
    }
    await fromAgent;
    await agent.waitForType('channel.state', 15_000, 0, (e) => e.state === 'Recovering');
    await agent.waitForType('channel.state', 20_000, 0, (e) => e.state === 'Established' && agent.events.some((x) => x.event.type === 'channel.state' && x.event.state === 'Recovering'));
    await Promise.all(sends);
    for (let i = 0; i < 100 && (channel.received.length < total || agent.events.filter((e) => e.event.type === 'channel.data').length < total); i += 1) {
      await new Promise((r) => setTimeout(r, 200));
    }
    const atAgent = agent.events.flatMap((e) => (e.event.type === 'channel.data' ? [e.event.body] : []));
    expect(atAgent).toEqual(Array.from({ length: total }, (_, i) => `to-agent ${i}`));
    expect(channel.received.map((d) => d.body)).toEqual(Array.from({ length: total }, (_, i) => `to-lab ${i}`));
  }, 90_000);
});
