import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from './json-lines';
import { runCli } from './program';

function io() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  return {
    io: { stdin: new PassThrough(), stdout, stderr, onSignal: () => () => undefined },
    out: () => out,
    err: () => err,
  };
}

const run = (args: string[], env: NodeJS.ProcessEnv = {}) => {
  const t = io();
  return runCli(['node', 'switchboard', ...args], t.io, env).then((code) => ({ code, out: t.out(), err: t.err() }));
};

describe('switchboard command line', () => {
  it('documents every agent flag, the JSON protocol and the exit codes in --help', async () => {
    const { code, out } = await run(['agent', '--help']);
    expect(code).toBe(0);
    for (const flag of ['--server', '--aor', '--password', '--auth-user', '--json', '--expires', '--keepalive', '--keepalive-timeout', '--verbose']) {
      expect(out).toContain(flag);
    }
    expect(out).toContain('{"cmd":"quit"}');
    expect(out).toMatch(/4 +registration refused: authentication failed/);
  });

  it('answers a bad flag with one line and exit code 2', async () => {
    const { code, err } = await run(['agent', '--server', 'ws://127.0.0.1:1', '--aor', 'sip:a@b', '--bogus']);
    expect(code).toBe(2);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toMatch(/^switchboard: unknown option '--bogus'/);
  });

  it('names the flag whose value is wrong', async () => {
    const bad = await run(['agent', '--server', 'http://x', '--aor', 'sip:a@b']);
    expect(bad).toMatchObject({ code: 2, err: expect.stringMatching(/^switchboard: --server must be a ws:\/\/ or wss:\/\/ URL/) });
    const aor = await run(['agent', '--server', 'ws://x', '--aor', 'agent']);
    expect(aor.err).toMatch(/^switchboard: --aor must be a SIP URI/);
    const ka = await run(['agent', '--server', 'ws://x', '--aor', 'sip:a@b', '--keepalive', 'soon']);
    expect(ka.err).toMatch(/^switchboard: --keepalive must be a number/);
  });

  it('exits 3 with one line when the server is unreachable', async () => {
    const { code, err } = await run(['agent', '--server', 'ws://127.0.0.1:9', '--aor', 'sip:agent@lab.local', '--json']);
    expect(code).toBe(3);
    expect(err).toMatch(/^switchboard: cannot reach ws:\/\/127\.0\.0\.1:9: .*ECONNREFUSED/m);
    expect(err).not.toMatch(/\n\s+at /);
  });

  it('prints help and exits 2 when no command is given', async () => {
    const { code, out } = await run([]);
    expect(code).toBe(2);
    expect(out).toContain('Usage: switchboard');
  });
});

describe('stdin command lines', () => {
  it('accepts valid commands and fills defaults', () => {
    expect(parseCommandLine('{"cmd":"quit"}')).toEqual({ ok: true, command: { cmd: 'quit' } });
    expect(parseCommandLine('{"cmd":"message","to":"sip:x@y","body":"hi"}')).toEqual({
      ok: true,
      command: { cmd: 'message', to: 'sip:x@y', body: 'hi', contentType: 'text/plain' },
    });
  });

  it('refuses non-JSON, unknown commands, unknown fields and bad values with a reason', () => {
    expect(parseCommandLine('quit')).toMatchObject({ ok: false, error: /not JSON/ });
    expect(parseCommandLine('{"cmd":"dance"}')).toMatchObject({ ok: false, error: /bad command/ });
    expect(parseCommandLine('{"cmd":"quit","now":true}')).toMatchObject({ ok: false });
    expect(parseCommandLine('{"cmd":"message","to":"mailto:x","body":""}')).toMatchObject({ ok: false, error: /to: must be a sip/ });
    expect(parseCommandLine(`{"cmd":"message","to":"sip:x@y","body":"${'a'.repeat(300_000)}"}`)).toMatchObject({ ok: false, error: /longer than/ });
  });
});
