import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKamailio, type KamailioHandle } from '../../lab/kamailio';
import { AgentProcess } from '../support/agent-process';
import { renderScenario, runSipp } from '../support/sipp';
import { runSippTraced } from '../support/sipp-traced';

// A sipp peer sends bad conference invitations through Kamailio to the headless agent, which
// must answer each with the precise status (and a Warning that names the rule) and keep running.

let kamailio: KamailioHandle;
let agent: AgentProcess;

beforeAll(async () => {
  kamailio = await startKamailio();
  agent = new AgentProcess(['--server', kamailio.wsUrl, '--aor', 'sip:agent@lab.local', '--answer-timeout', '1000']);
  await agent.waitForType('registered', 10_000);
});

afterAll(async () => {
  await agent?.dispose();
  await kamailio?.stop();
});

const CONF = 'application/ms-conf-invite+xml';
const target = () => `127.0.0.1:${kamailio.udpPort}`;

/** Sends `body`; passes when the answer is `expect`, with a Warning matching `warning` unless it is undefined. */
function refused(body: string, expect: string, warning: string | undefined, ctype = CONF) {
  const scenario = renderScenario('uac-conf-invite-refused.xml', { EXPECT: expect, WARNING: warning ?? '.*', CHECK: warning === undefined ? 'false' : 'true' });
  return runSipp(scenario, target(), ['-s', 'agent', '-key', 'body', body, '-key', 'ctype', ctype]).result;
}

describe('bad conference invitations from a sipp peer', () => {
  const cases: [string, string, string, string][] = [
    ['malformed XML', '<Conferencing><focus-uri>sip:x@lab.local', '400', 'unreadable conference invitation \\(malformed\\)'],
    ['a DOCTYPE with an entity declaration', '<!DOCTYPE c [<!ENTITY x "xxxxxxxx">]><Conferencing><focus-uri>&x;</focus-uri></Conferencing>', '400', 'document type declarations are not accepted'],
    ['an external entity (XXE)', '<!DOCTYPE c [<!ENTITY x SYSTEM "file:///etc/passwd">]><Conferencing><focus-uri>&x;</focus-uri></Conferencing>', '400', 'document type declarations'],
    ['no focus-uri', '<Conferencing version="2.0"><subject>s</subject><audio available="true"/></Conferencing>', '400', 'missing focus-uri'],
    ['a focus-uri that is not sip:', '<Conferencing version="2.0"><focus-uri>tel:+15551234</focus-uri></Conferencing>', '400', 'focus-uri is not a sip: URI'],
    ['the wrong root element', '<session><focus-uri>sip:a@lab.local</focus-uri></session>', '400', 'root element is session'],
  ];
  for (const [name, body, status, warning] of cases) {
    it(`answers ${name} with ${status} and a Warning`, async () => {
      const result = await refused(body, status, `399 switchboard "[^"]*${warning}`);
      expect(result.code, result.stdout.slice(-1500) + result.stderr.slice(-500)).toBe(0);
    });
  }

  it('answers a body type it does not handle with 415 and an Accept header', async () => {
    const result = await refused('hello', '415', undefined, 'text/plain');
    expect(result.code, result.stderr.slice(-500)).toBe(0);
    agent.send({ cmd: 'trace' });
    const trace = await agent.waitForType('trace', 3000, agent.events.length);
    expect(trace.event.text).toMatch(/SIP\/2.0 415 Unsupported Media Type\n(?:.*\n)*?Accept: application\/ms-conf-invite\+xml/);
  });

  it('answers a CANCEL with 200 and the INVITE with 487, and withdraws the invitation', async () => {
    const mark = agent.events.length;
    // Its own port and a message trace: a late retransmission to an earlier run's port cannot
    // reach this call, and a failure shows what crossed the wire.
    const result = await runSippTraced('uac-conf-invite-cancel.xml', target(), {}, ['-s', 'agent']);
    expect(result.code, `${result.messages.slice(-3000)}\n${result.errors.slice(-1000)}`).toBe(0);
    const invitation = await agent.waitForType('invitation', 3000, mark);
    const cancelled = await agent.waitForType('invitation.cancelled', 3000, mark);
    expect(cancelled.event).toMatchObject({ id: invitation.event.id, reason: 'cancelled' });
  });

  it('answers 480 when nobody decides in time', async () => {
    const mark = agent.events.length;
    const body = '<Conferencing version="2.0"><focus-uri>sip:conf@lab.local;gruu;opaque=app:conf:focus:id:SIPPTIMEOUT</focus-uri></Conferencing>';
    const result = await refused(body, '480', undefined);
    expect(result.code, result.stdout.slice(-1500)).toBe(0);
    const cancelled = await agent.waitForType('invitation.cancelled', 3000, mark);
    expect(cancelled.event.reason).toBe('timeout');
  });

  it('is still registered and answering after all of that', async () => {
    const result = await runSipp('uac-options.xml', target(), ['-s', 'agent']).result;
    expect(result.code).toBe(0);
    expect(agent.events.some((e) => e.event.type === 'error' && e.event.code === 'internal')).toBe(false);
  });
});
