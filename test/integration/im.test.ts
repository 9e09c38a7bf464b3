import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKamailio, type KamailioHandle } from '../../lab/kamailio';
import { Lab } from '../../lab/lab';
import { AgentProcess } from '../support/agent-process';
import { freeUdpPort } from '../support/free-port';
import { runSipp } from '../support/sipp';

// Instant messages over real sockets through Kamailio: the lab's IM MCU in a conference
// (im-presence §1), and two-party sessions and pager mode between two headless agents (§2).

let kamailio: KamailioHandle;
let lab: Lab;
const agents: AgentProcess[] = [];

beforeAll(async () => {
  const labPort = await freeUdpPort();
  kamailio = await startKamailio({ conferenceServer: { host: '127.0.0.1', port: labPort, transport: 'udp', serviceUser: 'conf' } });
  lab = await Lab.start({ signaling: { mode: 'proxied', proxyHost: '127.0.0.1', proxyPort: kamailio.udpPort, localPort: labPort } });
});

afterAll(async () => {
  for (const agent of agents) {
    await agent.dispose();
  }
  await lab?.stop();
  await kamailio?.stop();
});

const aorOf = (user: string): string => `sip:${user}@lab.local`;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function startAgent(user: string): Promise<AgentProcess> {
  const agent = new AgentProcess(['--server', kamailio.wsUrl, '--aor', aorOf(user), '--registry', mkdtempSync(join(tmpdir(), 'sb-reg-'))]);
  agents.push(agent);
  await agent.waitForType('registered', 10_000);
  return agent;
}

describe('conference IM through the lab IM MCU', () => {
  it('joins the chat, hears a guest by Ms-Sender, is heard, and learns of a failed delivery', async () => {
    const agent = await startAgent('im-agent1');
    const { conference, conversationId } = await lab.invite(aorOf('im-agent1'), 'Chat with a customer');
    const customer = 'sip:visitor-17@guests.lab.local';
    lab.conferences.im.addGuest(conference, customer, 'Dana (customer)');
    const invitation = await agent.waitForType('invitation', 5000);
    expect(invitation.event.im).toBe(true);
    agent.send({ cmd: 'accept', id: invitation.event.id });
    const connected = await agent.waitForType('im.state', 10_000, 0, (e) => e.state === 'connected');
    expect(connected.event).toMatchObject({ conversationId, focusUri: conference.focusUri });
    await agent.waitForType('roster', 10_000, 0, (e) => e.users.some((u) => u.self && u.modalities.im === 'connected'));

    await lab.conferences.im.say(conference, customer, 'Hello, my order is late');
    const heard = await agent.waitForType('im', 5000, 0, (e) => !e.outgoing);
    expect(heard.event).toMatchObject({ conversationId, focusUri: conference.focusUri, from: customer, contentType: 'text/plain', text: 'Hello, my order is late' });

    agent.send({ cmd: 'im', focusUri: conference.focusUri, text: 'Sorry to hear that: <b>let me check</b>', id: 'reply-1' });
    await agent.waitForType('im.delivery', 5000, 0, (e) => e.messageId === 'reply-1' && e.state === 'sent');
    expect(lab.conferences.im.inbox(conference.id, customer).map((m) => [m.from, m.text])).toEqual([[aorOf('im-agent1'), 'Sorry to hear that: <b>let me check</b>']]);
    const delivered = await agent.waitForType('im.delivery', 12_000, 0, (e) => e.messageId === 'reply-1' && e.state !== 'sent');
    expect(delivered.event.state, JSON.stringify(delivered.event)).toBe('delivered');

    // A participant the MCU cannot reach: the 202 is followed by a BENOTIFY naming it.
    lab.conferences.im.addGuest(conference, 'sip:gone@guests.lab.local', 'Gone', { failWith: 480 });
    agent.send({ cmd: 'im', conversationId, text: 'Anyone there?', id: 'reply-2' });
    const failed = await agent.waitForType('im.delivery', 5000, 0, (e) => e.messageId === 'reply-2' && e.state === 'failed');
    expect(failed.event.failed).toEqual([expect.objectContaining({ uri: 'sip:gone@guests.lab.local', status: 480 })]);

    agent.send({ cmd: 'leave', focusUri: conference.focusUri });
    await agent.waitForType('im.state', 5000, 0, (e) => e.state === 'ended');
    await sleep(300);
    expect(lab.conferences.im.hasMember(conference.id, aorOf('im-agent1'))).toBe(false);
  });
});

describe('removed from the chat', () => {
  it('a BYE from the IM MCU ends the chat only; the conference and its audio stay', async () => {
    const agent = await startAgent('im-agent2');
    const { conference } = await lab.invite(aorOf('im-agent2'), 'Chat then no chat');
    const invitation = await agent.waitForType('invitation', 5000);
    agent.send({ cmd: 'accept', id: invitation.event.id });
    await agent.waitForType('im.state', 10_000, 0, (e) => e.state === 'connected');
    await agent.waitForType('media', 10_000, 0, (e) => e.state === 'connected');
    lab.conferences.im.hangUp(conference, aorOf('im-agent2'));
    const ended = await agent.waitForType('im.state', 5000, 0, (e) => e.state === 'ended');
    expect(ended.event.reason).toMatch(/removed from the chat/);
    const mark = agent.events.length;
    agent.send({ cmd: 'im', focusUri: conference.focusUri, text: 'still here?' });
    const refused = await agent.waitForType('error', 3000, mark);
    expect(refused.event.message).toMatch(/has no chat/);
    await sleep(500);
    expect(agent.events.slice(mark).some((e) => e.event.type === 'conference.left')).toBe(false);
    await agent.waitForType('media', 3000, mark, (e) => e.state === 'connected');
  });
});

describe('two-party IM between agents', () => {
  it('opens a session with the first message, answers, shows typing, and ends with a BYE', async () => {
    const alice = await startAgent('im-alice');
    const bob = await startAgent('im-bob');
    alice.send({ cmd: 'im', to: aorOf('im-bob'), text: 'Can you take a call about refunds?', id: 'a1' });
    const first = await bob.waitForType('im', 5000, 0, (e) => !e.outgoing);
    expect(first.event).toMatchObject({ from: aorOf('im-alice'), text: 'Can you take a call about refunds?' });
    expect(first.event.pager).toBeUndefined();
    const session = await bob.waitForType('im.state', 5000, 0, (e) => e.state === 'connected');
    expect(session.event.preview).toBe('Can you take a call about refunds?');
    await alice.waitForType('im.delivery', 5000, 0, (e) => e.messageId === 'a1' && e.state === 'delivered');

    bob.send({ cmd: 'typing', conversationId: first.event.conversationId, typing: true });
    await alice.waitForType('im.typing', 5000, 0, (e) => e.typing && e.from === aorOf('im-bob'));
    bob.send({ cmd: 'im', conversationId: first.event.conversationId, text: 'Yes, send it over', id: 'b1' });
    const reply = await alice.waitForType('im', 5000, 0, (e) => !e.outgoing);
    expect(reply.event).toMatchObject({ from: aorOf('im-bob'), text: 'Yes, send it over' });
    await bob.waitForType('im.delivery', 5000, 0, (e) => e.messageId === 'b1' && e.state === 'delivered');
    // Both sides name the same conversation (Ms-Conversation-ID).
    expect(reply.event.conversationId).toBe(first.event.conversationId);

    alice.signal('SIGINT');
    await bob.waitForType('im.state', 5000, 0, (e) => e.state === 'ended');
  });
});

describe('two-party IM with the lab', () => {
  it('opens a session to the lab and hears its echo; the lab opens one to the agent', async () => {
    const agent = await startAgent('im-lab1');
    agent.send({ cmd: 'im', to: 'sip:conf@lab.local', text: 'Hello lab', id: 'l1' });
    await agent.waitForType('im.delivery', 5000, 0, (e) => e.messageId === 'l1' && e.state === 'delivered');
    const echo = await agent.waitForType('im', 5000, 0, (e) => !e.outgoing);
    expect(echo.event).toMatchObject({ from: 'sip:conf@lab.local', text: 'Echo: Hello lab' });
    expect(lab.im.messages().some((m) => m.from === aorOf('im-lab1') && m.text === 'Hello lab' && !m.pager)).toBe(true);

    const other = await startAgent('im-lab2');
    await lab.im.say(aorOf('im-lab2'), 'Can you take a customer?');
    const toast = await other.waitForType('im.state', 5000, 0, (e) => e.state === 'connected');
    expect(toast.event.peer).toBe('sip:conf@lab.local');
    const heard = await other.waitForType('im', 5000, 0, (e) => !e.outgoing);
    expect(heard.event).toMatchObject({ from: 'sip:conf@lab.local', text: 'Can you take a customer?' });
  });
});

describe('pager mode (RFC 3428) with sipp', () => {
  it('shows a pager MESSAGE from a peer with no session', async () => {
    const agent = await startAgent('im-pager1');
    const message = await runSipp('uac-message.xml', `127.0.0.1:${kamailio.udpPort}`, ['-s', 'im-pager1']).result;
    expect(message.code, message.stderr).toBe(0);
    const received = await agent.waitForType('im', 5000, 0, (e) => e.pager === true);
    expect(received.event.text).toMatch(/^hello from sipp/);
    // The legacy event stays for existing consumers.
    await agent.waitForType('message', 5000);
  });

  it('falls back to pager mode when the peer refuses the IM session', async () => {
    const agent = await startAgent('im-pager2');
    const scenario = (name: string): string => new URL(`../../lab/sipp/${name}`, import.meta.url).pathname;
    const sipp = runSipp(scenario('uas-register-message.xml'), `127.0.0.1:${kamailio.udpPort}`, ['-oocsf', scenario('uas-im-pager-ooc.xml'), '-s', 'pagerpeer']);
    // Wait for sipp's binding before writing to it (bounded).
    for (let i = 0; i < 50 && !(await kamailio.locations()).some((l) => l.aor === 'pagerpeer' || l.aor.startsWith('pagerpeer@')); i += 1) {
      await sleep(100);
    }
    agent.send({ cmd: 'im', to: 'sip:pagerpeer@lab.local', text: 'Are you there?', id: 'p1' });
    const delivered = await agent.waitForType('im.delivery', 10_000, 0, (e) => e.messageId === 'p1');
    expect(delivered.event.state, JSON.stringify(delivered.event)).toBe('delivered');
    const done = await sipp.result;
    expect(done.code, done.stdout.slice(-1500)).toBe(0);
    agent.send({ cmd: 'trace' });
    const trace = await agent.waitForType('trace', 3000);
    expect(trace.event.text).toMatch(/SIP\/2\.0 415 Unsupported Media Type/);
    expect(trace.event.text).toMatch(/^MESSAGE sip:pagerpeer@lab\.local SIP\/2\.0/m);
  });
});
