import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../common/agent-events';
import { silentLogger } from '../ports/logger';
import { FakeClock } from '../../test/support/fake-clock';
import { FakeRegistrar } from '../../test/support/fake-registrar';
import { waitFor } from '../../test/support/wait-for';
import { AgentEngine, AgentStartError } from './agent-engine';

function makeAgent(registrar: FakeRegistrar, password?: string) {
  const clock = new FakeClock();
  const events: AgentEvent[] = [];
  const engine = new AgentEngine(
    { server: 'ws://fake', aor: 'sip:agent@lab.local', ...(password && { password }) },
    { socketFactory: registrar.factory, clock, logger: silentLogger, random: () => 0 },
  );
  engine.events.on('any', (e) => events.push(e));
  return { engine, clock, events };
}

const types = (events: AgentEvent[]) =>
  events.map((e) => (e.type === 'connection' ? `connection:${e.state}` : e.type));

describe('AgentEngine', () => {
  it('registers with digest authentication and reports it', async () => {
    const registrar = new FakeRegistrar({ users: { agent: 's3cret' }, grantExpires: 120 });
    const { engine, events } = makeAgent(registrar, 's3cret');
    await engine.start();
    expect(engine.isRegistered).toBe(true);
    expect(registrar.bindings.get('sip:agent@lab.local')).toBe(120);
    expect(registrar.requests('REGISTER')).toHaveLength(2);
    expect(events).toContainEqual({ type: 'registered', aor: 'sip:agent@lab.local', expires: 120 });
    expect(types(events)).toEqual(['connection:connecting', 'connection:connected', 'registered']);
    await engine.stop();
  });

  it('refreshes the registration before it expires (RFC 3261 §10.2.1), without a second registered event', async () => {
    const registrar = new FakeRegistrar({ users: { agent: 's3cret' }, grantExpires: 2 });
    const { engine, events } = makeAgent(registrar, 's3cret');
    await engine.start();
    const before = registrar.requests('REGISTER').length;
    await waitFor(() => registrar.requests('REGISTER').length > before, 3000, 'a refresh REGISTER');
    expect(engine.isRegistered).toBe(true);
    expect(events.filter((e) => e.type === 'registered')).toHaveLength(1);
    await engine.stop();
  });

  it('fails start with auth-failed on a wrong password', async () => {
    const registrar = new FakeRegistrar({ users: { agent: 's3cret' } });
    const { engine, events } = makeAgent(registrar, 'wrong');
    const failure = await engine.start().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(AgentStartError);
    expect((failure as AgentStartError).code).toBe('auth-failed');
    expect(events.find((e) => e.type === 'error')).toMatchObject({ code: 'auth-failed', message: /401/ });
    await engine.stop();
  });

  it('fails start with unreachable when the connection is refused', async () => {
    const registrar = new FakeRegistrar();
    registrar.refuseConnections = true;
    const { engine } = makeAgent(registrar);
    await expect(engine.start()).rejects.toMatchObject({ code: 'unreachable' });
    await engine.stop();
  });

  it('reports a lost connection, reconnects with backoff and registers again', async () => {
    const registrar = new FakeRegistrar();
    const { engine, clock, events } = makeAgent(registrar);
    await engine.start();
    registrar.refuseConnections = true;
    registrar.dropAll();
    await waitFor(() => events.some((e) => e.type === 'connection' && e.state === 'lost'), 1000, 'lost');
    expect(engine.isRegistered).toBe(false);
    clock.advance(250);
    await waitFor(() => events.filter((e) => e.type === 'connection' && e.state === 'reconnecting').length === 2, 1000, 'second attempt');
    registrar.refuseConnections = false;
    clock.advance(500);
    await waitFor(() => engine.isRegistered, 1000, 're-registration');
    expect(types(events).slice(3)).toEqual([
      'connection:lost',
      'unregistered',
      'connection:reconnecting',
      'connection:reconnecting',
      'connection:connected',
      'registered',
    ]);
    const retries = events.filter((e) => e.type === 'connection' && e.state === 'reconnecting');
    expect(retries.map((e) => e.type === 'connection' && e.retryInMs)).toEqual([250, 500]);
    await engine.stop();
  });

  it('detects a silent proxy through keep-alives and recovers when it answers again', async () => {
    const registrar = new FakeRegistrar();
    const { engine, clock, events } = makeAgent(registrar);
    await engine.start();
    registrar.silent = true;
    clock.advance(10_000 + 5_000);
    await waitFor(() => events.some((e) => e.type === 'connection' && e.state === 'lost'), 1000, 'lost');
    const lost = events.find((e) => e.type === 'connection' && e.state === 'lost');
    expect(lost).toMatchObject({ reason: /no answer to keep-alive/ });
    registrar.silent = false;
    clock.advance(500);
    await waitFor(() => engine.isRegistered, 1000, 're-registration');
    await engine.stop();
  });

  it('unregisters on stop (REGISTER with Expires: 0) and reports it', async () => {
    const registrar = new FakeRegistrar();
    const { engine, events } = makeAgent(registrar);
    await engine.start();
    await engine.stop();
    expect(registrar.bindings.size).toBe(0);
    const last = registrar.requests('REGISTER').at(-1) ?? '';
    expect(last).toMatch(/Expires: 0|expires=0/i);
    expect(types(events).slice(-2)).toEqual(['unregistered', 'connection:disconnected']);
  });

  it('answers an incoming MESSAGE with 200 and reports its body', async () => {
    const registrar = new FakeRegistrar();
    const { engine, events } = makeAgent(registrar);
    await engine.start();
    registrar.sendToClients(
      [
        'MESSAGE sip:agent@lab.local SIP/2.0',
        'Via: SIP/2.0/WS proxy.invalid;branch=z9hG4bKm1',
        'From: <sip:sup@lab.local>;tag=s1',
        'To: <sip:agent@lab.local>',
        'Call-ID: m1',
        'CSeq: 1 MESSAGE',
        'Max-Forwards: 70',
        'Content-Type: text/plain',
        'Content-Length: 5',
        '',
        'hello',
      ].join('\r\n'),
    );
    await waitFor(() => events.some((e) => e.type === 'message'), 1000, 'message');
    expect(events.find((e) => e.type === 'message')).toEqual({
      type: 'message',
      from: 'sip:sup@lab.local',
      contentType: 'text/plain',
      body: 'hello',
    });
    expect(engine.trace.entries().some((e) => e.direction === 'out' && e.status === 200 && e.method === 'MESSAGE')).toBe(true);
    await engine.stop();
  });

  it('refuses an INVITE with a body it does not handle with 415 and Accept', async () => {
    const registrar = new FakeRegistrar();
    const { engine } = makeAgent(registrar);
    engine.invites.handle('application/ms-conf-invite+xml', (answer) => answer.reject(603, 'Decline'));
    await engine.start();
    registrar.sendToClients(
      [
        'INVITE sip:agent@lab.local SIP/2.0',
        'Via: SIP/2.0/WS proxy.invalid;branch=z9hG4bKi1',
        'From: <sip:x@lab.local>;tag=x1',
        'To: <sip:agent@lab.local>',
        'Call-ID: i1',
        'CSeq: 1 INVITE',
        'Max-Forwards: 70',
        'Contact: <sip:x@proxy.invalid;transport=ws>',
        'Content-Type: text/weird',
        'Content-Length: 2',
        '',
        'hi',
      ].join('\r\n'),
    );
    await waitFor(() => engine.trace.entries().some((e) => e.status === 415), 1000, '415');
    const refusal = engine.trace.entries().find((e) => e.status === 415);
    expect(refusal?.raw).toContain('Accept: application/ms-conf-invite+xml');
    await engine.stop();
  });
});
