import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKamailio, type KamailioHandle } from '../../lab/kamailio';
import { AgentProcess } from '../support/agent-process';
import { renderScenario, runSipp } from '../support/sipp';

// A sipp peer sends bad context-channel INVITEs through Kamailio to the headless agent (with
// the echo extension installed and --auto-accept): each gets 400 with a Warning naming the
// rule, no pane ever opens, and the agent keeps running.

const ECHO = '{6F2C4B1E-3A5D-4E7F-8B9C-0D1E2F3A4B5C}';
const BIN = fileURLToPath(new URL('../../bin/switchboard.js', import.meta.url));
const PACKAGES = fileURLToPath(new URL('../../out/extensions/', import.meta.url));
const CTYPE = 'application/ms-session-invite+xml';

let kamailio: KamailioHandle;
let agent: AgentProcess;

beforeAll(async () => {
  kamailio = await startKamailio();
  const registry = mkdtempSync(join(tmpdir(), 'sb-registry-'));
  execFileSync(process.execPath, [BIN, 'extensions', 'install', join(PACKAGES, 'echo'), '--registry', registry], { stdio: 'pipe' });
  agent = new AgentProcess(['--server', kamailio.wsUrl, '--aor', 'sip:agent@lab.local', '--registry', registry, '--auto-accept', '--trust', 'sip:sipp@lab.local']);
  await agent.waitForType('registered', 10_000);
});

afterAll(async () => {
  await agent?.dispose();
  await kamailio?.stop();
});

const entry = (name: string, value: string) => `<entry><name>${name}</name><value>${value}</value></entry>`;
const session = (props: string, id = ECHO) => `<session><application-id>${id}</application-id><additional-properties>${props}</additional-properties></session>`;
/**
 * A valid body padded with an unknown entry to exactly `bytes` UTF-8 bytes ON THE WIRE: sipp
 * ends the `[body]` line with CRLF, which counts in Content-Length.
 */
const sized = (bytes: number) => {
  const empty = session(entry('padding', ''));
  return session(entry('padding', 'x'.repeat(bytes - 2 - Buffer.byteLength(empty))));
};

function send(body: string, expect: string, warning: string | undefined, ctype = CTYPE) {
  const scenario = renderScenario('uac-conf-invite-refused.xml', { EXPECT: expect, WARNING: warning ?? '.*', CHECK: warning === undefined ? 'false' : 'true' });
  return runSipp(scenario, `127.0.0.1:${kamailio.udpPort}`, ['-s', 'agent', '-key', 'body', body, '-key', 'ctype', ctype]).result;
}

describe('bad context-channel requests from a sipp peer', () => {
  const cases: [string, string, string][] = [
    ['malformed XML', `<session><application-id>${ECHO}</application-id>`, 'malformed'],
    ['a DOCTYPE with an entity declaration', `<!DOCTYPE s [<!ENTITY x "${'y'.repeat(20)}">]><session><application-id>&x;</application-id></session>`, 'doctype'],
    ['a body of 4096 bytes', sized(4096), 'too-large: body must be under 4096 bytes'],
    ['data that is not base64', session(entry('data', 'not*base64!')), 'data-not-base64'],
    ['a name of 51 characters', session(entry('name', 'n'.repeat(51))), 'name-too-long'],
    ['a toast of 81 characters', session(entry('customToast', 't'.repeat(81))), 'toast-too-long'],
    ['an application id that is not a GUID', session('', 'not-a-guid'), 'bad-application-id'],
  ];
  for (const [name, body, rule] of cases) {
    it(`answers ${name} with 400 and a Warning naming the rule`, async () => {
      const result = await send(body, '400', `399 switchboard "invalid session invite, ${rule}`);
      expect(result.code, result.stdout.slice(-1500)).toBe(0);
    });
  }

  it('accepts the same body at 4095 bytes (the boundary) with 200', async () => {
    const mark = agent.events.length;
    // The scenario's ACK is the hop-by-hop one of a refusal, which a 2xx does not take, so the
    // pane never opens here; what counts is the agent's 200 to a 4095-byte body.
    const result = await send(sized(4095), '200', undefined);
    expect(result.code, result.stdout.slice(-1500)).toBe(0);
    await agent.waitForType('channel.state', 5000, mark, (e) => e.appId === ECHO && e.state === 'Establishing');
    agent.send({ cmd: 'trace' });
    const trace = await agent.waitForType('trace', 3000, mark);
    expect(trace.event.text).toMatch(/INVITE sip:[^\n]*\n(?:[^\n]+\n)*Content-Length: +4095\n/);
    expect(trace.event.text).toMatch(/SIP\/2.0 200 OK\n(?:[^\n]+\n)*CSeq: 1 INVITE/);
  });

  it('never opened a pane for any refused request, and is still registered', async () => {
    const refused = agent.events.filter((e) => e.event.type === 'channel.refused' && e.event.status === 400);
    expect(refused).toHaveLength(cases.length);
    // Only the boundary case was answered 200, and its initial context is reported with the 200;
    // a refused request never gets a channel, so no pane.
    const opened = agent.events.flatMap((e) => (e.event.type === 'channel.context' ? [e.event] : []));
    expect(opened).toHaveLength(1);
    expect(opened[0]?.appId.toUpperCase()).toBe(ECHO.toUpperCase());
    const result = await runSipp('uac-options.xml', `127.0.0.1:${kamailio.udpPort}`, ['-s', 'agent']).result;
    expect(result.code).toBe(0);
  });
});
