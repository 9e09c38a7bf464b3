import { TransportState } from 'sip.js';
import { describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '../ports/logger';
import { FakeClock } from '../../test/support/fake-clock';
import { FakeRegistrar } from '../../test/support/fake-registrar';
import { waitFor } from '../../test/support/wait-for';
import { WebSocketTransport } from './websocket-transport';

function setup(registrar = new FakeRegistrar()) {
  const clock = new FakeClock();
  const wire: string[] = [];
  const transport = new WebSocketTransport(undefined, {
    server: 'ws://fake',
    socketFactory: registrar.factory,
    clock,
    logger: silentLogger,
    onWire: (direction, raw) => wire.push(`${direction}:${raw.split('\r\n')[0]}`),
    keepAliveIntervalMs: 1000,
    keepAliveTimeoutMs: 500,
    connectTimeoutMs: 2000,
  });
  const disconnects: (Error | undefined)[] = [];
  transport.onDisconnect = (error) => disconnects.push(error);
  return { clock, transport, registrar, wire, disconnects };
}

const options = 'OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/WS a;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:x@b>\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n';

describe('WebSocketTransport', () => {
  it('connects, sends and receives, tracing both directions', async () => {
    const { transport, wire } = setup();
    const received: string[] = [];
    transport.onMessage = (m) => received.push(m);
    await transport.connect();
    expect(transport.state).toBe(TransportState.Connected);
    await transport.send(options);
    await waitFor(() => received.length === 1, 1000, 'the 200');
    expect(wire).toEqual(['out:OPTIONS sip:x SIP/2.0', 'in:SIP/2.0 200 OK']);
  });

  it('rejects connect with the socket error when the server refuses', async () => {
    const registrar = new FakeRegistrar();
    registrar.refuseConnections = true;
    const { transport } = setup(registrar);
    await expect(transport.connect()).rejects.toThrow(/ECONNREFUSED/);
    expect(transport.state).toBe(TransportState.Disconnected);
  });

  it('keeps a connection whose peer answers pings', async () => {
    const { clock, transport, disconnects } = setup();
    await transport.connect();
    for (let i = 0; i < 5; i += 1) {
      clock.advance(1000);
      await new Promise((r) => setImmediate(r));
      clock.advance(100);
    }
    expect(disconnects).toEqual([]);
    expect(transport.isConnected()).toBe(true);
  });

  it('drops a silent peer within interval + timeout and reports why', async () => {
    const { clock, transport, registrar, disconnects } = setup();
    await transport.connect();
    registrar.silent = true;
    clock.advance(1000);
    expect(transport.isConnected()).toBe(true);
    clock.advance(500);
    expect(transport.state).toBe(TransportState.Disconnected);
    expect(disconnects[0]?.message).toMatch(/no answer to keep-alive within 500 ms/);
  });

  it('gives up a connection whose handshake never completes', async () => {
    const registrar = new FakeRegistrar();
    const { clock, transport } = setup(registrar);
    registrar.silent = true;
    const factory = registrar.factory;
    // A socket that never opens: wrap the factory and swallow onOpen.
    (transport as unknown as { opts: { socketFactory: typeof factory } }).opts.socketFactory = (url, h) =>
      factory(url, { ...h, onOpen: () => undefined });
    const connecting = transport.connect();
    clock.advance(2000);
    await expect(connecting).rejects.toThrow(/no WebSocket handshake within 2000 ms/);
  });

  it('reports a user disconnect without an error, as sip.js requires', async () => {
    const { transport, disconnects } = setup();
    await transport.connect();
    await transport.disconnect();
    expect(disconnects).toEqual([undefined]);
    await expect(transport.send(options)).rejects.toThrow(/Disconnected/);
  });

  it('answers a request over the size caps 414 or 513 before sip.js sees it, logs it, and drops an over-size response', async () => {
    const registrar = new FakeRegistrar();
    const warnings: string[] = [];
    const sent: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (message) => warnings.push(message), child: () => logger };
    const transport = new WebSocketTransport(undefined, {
      server: 'ws://fake',
      socketFactory: registrar.factory,
      clock: new FakeClock(),
      logger,
      onWire: (direction, raw) => direction === 'out' && sent.push(raw),
      sizeCaps: { startLineChars: 200, headerLineChars: 200, headerSectionChars: 1000 },
    });
    const received: string[] = [];
    transport.onMessage = (m) => received.push(m);
    await transport.connect();
    const request = (ruri: string, extra = ''): string => options.replace('OPTIONS sip:x ', `OPTIONS ${ruri} `).replace('Content-Length', `${extra}Content-Length`);
    registrar.sendToClients(request(`sip:${'a'.repeat(18_000)}@b`));
    registrar.sendToClients(request('sip:x', `X-Big: ${'b'.repeat(300)}\r\n`));
    registrar.sendToClients(`SIP/2.0 200 OK\r\nX-Big: ${'b'.repeat(300)}\r\n\r\n`);
    registrar.sendToClients(request('sip:x'));
    await waitFor(() => received.length === 1, 1000, 'the message within the caps');
    expect(received).toEqual([request('sip:x')]);
    const answers = sent.filter((r) => r.startsWith('SIP/2.0 ')).map((r) => r.split('\r\n').filter((l) => !l.startsWith('Warning')));
    expect(answers.map((a) => a[0])).toEqual(['SIP/2.0 414 Request-URI Too Long', 'SIP/2.0 513 Message Too Large']);
    expect(answers[1]).toEqual(['SIP/2.0 513 Message Too Large', 'Via: SIP/2.0/WS a;branch=z9hG4bK1', 'From: <sip:a@b>;tag=1', expect.stringMatching(/^To: <sip:x@b>;tag=\w+$/), 'Call-ID: c1', 'CSeq: 1 OPTIONS', 'Content-Length: 0', '', '']);
    expect(warnings).toEqual([
      expect.stringMatching(/^incoming SIP request refused unread \(414\): request line of 18\d\d\d characters, over the 200/),
      expect.stringMatching(/^incoming SIP request refused unread \(513\): header field X-Big of 307 characters, over the 200/),
      expect.stringMatching(/^incoming SIP message dropped unread: header field X-Big of 307 characters/),
    ]);
  });
});
