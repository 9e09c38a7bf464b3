import { afterEach, describe, expect, it } from 'vitest';
import { startKamailio, type KamailioHandle } from '../../lab/kamailio';
import { AgentProcess } from '../support/agent-process';
import { runSipp } from '../support/sipp';
import { startTlsRelay } from '../support/tls-relay';

// The headless agent (`switchboard agent --json`, the real bin) against a real Kamailio over
// loopback WebSocket. Figures are printed so the issue note can quote them.

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup().catch(() => undefined);
  }
});

async function kamailio(options: Parameters<typeof startKamailio>[0] = {}): Promise<KamailioHandle> {
  const k = await startKamailio(options);
  cleanups.push(() => k.stop());
  return k;
}

function agent(k: KamailioHandle, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}): AgentProcess {
  const a = new AgentProcess(['--server', k.wsUrl, '--aor', 'sip:agent@lab.local', ...args], env);
  cleanups.push(() => a.dispose());
  return a;
}

const locationOf = async (k: KamailioHandle, user: string) =>
  (await k.locations()).find((l) => l.aor === user || l.aor.startsWith(`${user}@`));

describe('switchboard agent with Kamailio', () => {
  it('registers without auth, and SIGTERM unregisters and exits 0', async () => {
    const k = await kamailio();
    const a = agent(k);
    const registered = await a.waitForType('registered', 10_000);
    const connected = await a.waitFor((e) => e.type === 'connection' && e.state === 'connected');
    console.info(`[figures] spawn->registered ${(registered.at - a.startedAt).toFixed(0)} ms; connected->registered ${(registered.at - connected.at).toFixed(1)} ms`);
    expect(registered.event).toMatchObject({ aor: 'sip:agent@lab.local' });
    expect(registered.event.expires).toBeGreaterThan(0);
    expect(await locationOf(k, 'agent')).toMatchObject({ contacts: 1 });

    a.signal('SIGTERM');
    await a.waitForType('unregistered', 5000);
    expect(await a.exited).toBe(0);
    expect(await locationOf(k, 'agent')).toBeUndefined();
    expect(await k.locations()).toEqual([]);
  });

  it('registers with digest auth, and a wrong password gives auth-failed and exit code 4', async () => {
    const k = await kamailio({ users: { agent: 'pa55 word' } });
    const good = agent(k, [], { SWITCHBOARD_PASSWORD: 'pa55 word' });
    await good.waitForType('registered', 10_000);
    expect(await locationOf(k, 'agent')).toMatchObject({ contacts: 1 });
    good.send({ cmd: 'quit' });
    expect(await good.exited).toBe(0);

    const bad = agent(k, ['--password', 'wrong']);
    const error = await bad.waitForType('error', 10_000);
    expect(error.event).toMatchObject({ code: 'auth-failed', message: expect.stringMatching(/401/) });
    expect(await bad.exited).toBe(4);
    expect(bad.stderrLines.join('\n')).toMatch(/switchboard: registration refused: 401 Unauthorized \(check the user name and password/);
    expect(await k.locations()).toEqual([]);
  });

  it('reports the loss when Kamailio is killed and is registered again within 10 s of its restart', async () => {
    const k = await kamailio();
    const a = agent(k);
    await a.waitForType('registered', 10_000);
    const mark = a.events.length;
    await k.kill();
    await a.waitFor((e) => e.type === 'connection' && e.state === 'lost', 5000, mark);
    await a.waitFor((e) => e.type === 'connection' && e.state === 'reconnecting', 5000, mark);
    await new Promise((r) => setTimeout(r, 1500));
    const restartAt = performance.now();
    await k.restart();
    const again = await a.waitForType('registered', 10_000, mark);
    console.info(`[figures] restart->registered ${(again.at - restartAt).toFixed(0)} ms`);
    expect(again.at - restartAt).toBeLessThan(10_000);
    const states = a.events.slice(mark).filter((e) => e.event.type === 'connection').map((e) => e.event.type === 'connection' && e.event.state);
    expect(states[0]).toBe('lost');
    expect(states.at(-1)).toBe('connected');
    expect(await locationOf(k, 'agent')).toMatchObject({ contacts: 1 });
  });

  it('notices a stopped (silent) Kamailio within 30 s with default keep-alives, and recovers after it resumes', async () => {
    const k = await kamailio();
    const a = agent(k);
    await a.waitForType('registered', 10_000);
    const mark = a.events.length;
    const pausedAt = performance.now();
    await k.pause();
    const lost = await a.waitFor((e) => e.type === 'connection' && e.state === 'lost', 30_000, mark);
    console.info(`[figures] silent proxy detected after ${(lost.at - pausedAt).toFixed(0)} ms`);
    expect(lost.at - pausedAt).toBeLessThan(30_000);
    expect(lost.event).toMatchObject({ reason: expect.stringMatching(/keep-alive|handshake/) });
    await k.resume();
    await a.waitForType('registered', 15_000, mark);
  }, 60_000);

  it('answers OPTIONS and MESSAGE from a sipp peer through Kamailio', async () => {
    const k = await kamailio();
    const a = agent(k);
    await a.waitForType('registered', 10_000);
    const options = await runSipp('uac-options.xml', `127.0.0.1:${k.udpPort}`, ['-s', 'agent']).result;
    expect(options.code, options.stderr).toBe(0);
    const message = await runSipp('uac-message.xml', `127.0.0.1:${k.udpPort}`, ['-s', 'agent']).result;
    expect(message.code, message.stderr).toBe(0);
    const received = await a.waitForType('message', 5000);
    expect(received.event.contentType).toMatch(/^text\/plain/);
    expect(received.event.body.length).toBeGreaterThan(0);
  });

  it('sends a MESSAGE to a registered sipp peer through Kamailio', async () => {
    const k = await kamailio();
    const a = agent(k);
    await a.waitForType('registered', 10_000);
    const sipp = runSipp('uas-register-message.xml', `127.0.0.1:${k.udpPort}`, ['-oocsf', 'lab/sipp/uas-message-ooc.xml', '-s', 'sipp'].map((v) => (v.startsWith('lab/') ? new URL(`../../${v}`, import.meta.url).pathname : v)));
    // Wait for sipp's binding before sending (bounded).
    for (let i = 0; i < 50 && !(await locationOf(k, 'sipp')); i += 1) {
      await new Promise((r) => setTimeout(r, 100));
    }
    a.send({ cmd: 'message', to: 'sip:sipp@lab.local', body: 'hello sipp' });
    const sent = await a.waitForType('message.sent', 5000);
    expect(sent.event).toMatchObject({ to: 'sip:sipp@lab.local', status: 200 });
    const done = await sipp.result;
    expect(done.code, done.stderr).toBe(0);
  });

  it('registers over wss:// (TLS verified against the CA it is told to trust) and refuses an untrusted certificate', async () => {
    const k = await kamailio();
    const relay = await startTlsRelay(k.wsUrl);
    cleanups.push(() => relay.close());
    const trusted = new AgentProcess(['--server', relay.url, '--aor', 'sip:agent@lab.local'], { NODE_EXTRA_CA_CERTS: relay.caFile });
    cleanups.push(() => trusted.dispose());
    await trusted.waitForType('registered', 10_000);
    expect(await locationOf(k, 'agent')).toMatchObject({ contacts: 1 });
    trusted.signal('SIGTERM');
    expect(await trusted.exited).toBe(0);

    const untrusted = new AgentProcess(['--server', relay.url, '--aor', 'sip:agent@lab.local']);
    cleanups.push(() => untrusted.dispose());
    const error = await untrusted.waitForType('error', 10_000);
    expect(error.event).toMatchObject({ code: 'unreachable', message: expect.stringMatching(/self.signed certificate/i) });
    expect(await untrusted.exited).toBe(3);
  });

  it('idles at a bounded RSS once registered', async () => {
    const k = await kamailio();
    const a = agent(k);
    await a.waitForType('registered', 10_000);
    await new Promise((r) => setTimeout(r, 2000));
    const rss = a.rssKiB();
    console.info(`[figures] idle RSS of the headless agent ${(rss / 1024).toFixed(1)} MiB`);
    expect(rss).toBeLessThan(150 * 1024);
  });
});
