import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, it, expect } from 'vitest';
import { WebSocket } from 'ws';
import { startKamailio, type KamailioHandle } from '../../lab/kamailio';

const TEST_TIMEOUT_MS = 20_000;

/** Runs a test body against a fresh Kamailio and always stops it. */
async function withKamailio(body: (k: KamailioHandle) => Promise<void>): Promise<void> {
  const k = await startKamailio();
  try {
    await body(k);
  } finally {
    await k.stop();
  }
}

/** Sends one REGISTER over WebSocket (RFC 7118) and resolves with the status line of the reply. */
async function registerOverWebSocket(wsUrl: string, user: string): Promise<{ status: string; socket: WebSocket }> {
  const socket = new WebSocket(wsUrl, 'sip');
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('WebSocket open timed out')), 2_000);
    socket.once('open', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('error', reject);
  });
  const reply = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('REGISTER reply timed out')), 2_000);
    socket.once('message', (data: Buffer) => {
      clearTimeout(timer);
      resolve(data.toString('utf8').split('\r\n')[0] ?? '');
    });
  });
  socket.send(
    [
      'REGISTER sip:lab.local SIP/2.0',
      'Via: SIP/2.0/WSS client.invalid;branch=z9hG4bKlauncher1',
      'Max-Forwards: 70',
      `From: <sip:${user}@lab.local>;tag=t1`,
      `To: <sip:${user}@lab.local>`,
      'Call-ID: launcher-test-register',
      'CSeq: 1 REGISTER',
      `Contact: <sip:${user}@client.invalid;transport=ws>;expires=600`,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
  return { status: await reply, socket };
}

function udpPortIsFree(port: number): Promise<boolean> {
  const socket = createSocket('udp4');
  return new Promise<boolean>((resolve) => {
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

describe('startKamailio', () => {
  it(
    'starts on loopback ports with an empty location table',
    async () => {
      await withKamailio(async (k) => {
        expect(k.wsUrl).toBe(`ws://127.0.0.1:${k.wsPort}`);
        expect(k.domain).toBe('lab.local');
        expect(k.udpPort).toBeGreaterThan(0);
        expect(await k.rpc('core.version')).toMatch(/^kamailio 5\./);
        expect(await k.locations()).toEqual([]);
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'lists a WebSocket registration in locations()',
    async () => {
      await withKamailio(async (k) => {
        const { status, socket } = await registerOverWebSocket(k.wsUrl, 'agent');
        try {
          expect(status).toBe('SIP/2.0 200 OK');
          expect(await k.locations()).toEqual([{ aor: 'agent', contacts: 1 }]);
        } finally {
          socket.terminate();
        }
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'stops answering while paused and answers again after resume',
    async () => {
      await withKamailio(async (k) => {
        await k.pause();
        await expect(k.rpc('core.version', undefined, { timeoutMs: 300 })).rejects.toThrow(/timed out/);
        await k.resume();
        expect(await k.rpc('core.version', undefined, { timeoutMs: 2_000 })).toMatch(/^kamailio/);
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'restarts on the same ports after a kill',
    async () => {
      await withKamailio(async (k) => {
        const { udpPort, wsPort, pid } = k;
        await k.kill();
        await expect(k.rpc('core.version', undefined, { timeoutMs: 500 })).rejects.toThrow();
        await k.restart();
        expect(k.udpPort).toBe(udpPort);
        expect(k.wsPort).toBe(wsPort);
        expect(k.pid).not.toBe(pid);
        expect(await k.rpc('core.version')).toMatch(/^kamailio/);
        // The location table lives in memory only (usrloc db_mode=0).
        expect(await k.locations()).toEqual([]);
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'leaves no process, port or temp directory behind after stop',
    async () => {
      const k = await startKamailio();
      const { pid, udpPort, configPath } = k;
      await k.stop();
      expect(() => process.kill(pid, 0)).toThrow();
      expect(existsSync(dirname(configPath))).toBe(false);
      expect(await udpPortIsFree(udpPort)).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'stops a paused Kamailio',
    async () => {
      const k = await startKamailio();
      await k.pause();
      await k.stop();
      expect(() => process.kill(k.pid, 0)).toThrow();
    },
    TEST_TIMEOUT_MS,
  );

  it('explains how to install Kamailio when the binary is missing', async () => {
    await expect(startKamailio({ binary: '/nonexistent/kamailio' })).rejects.toThrow(
      /apt-get install kamailio kamailio-websocket-modules/,
    );
  });
});
