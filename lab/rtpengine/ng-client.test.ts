import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { bdecode, bencode, RtpengineNgClient, type BencodeDict } from './ng-client';
import { rtpengineArgs } from './rtpengine-launcher';

describe('bencode', () => {
  it('encodes an ng command with sorted keys, byte lengths and nested lists', () => {
    const text = bencode({ command: 'offer', 'call-id': 'c1', flags: ['trust-address'], n: -3, sdp: 'é' }).toString('utf8');
    expect(text).toBe('d7:call-id2:c17:command5:offer5:flagsl13:trust-addresse1:ni-3e3:sdp2:ée');
  });

  it('decodes what it encodes, UTF-8 strings by byte length', () => {
    const value = { a: ['x', 1, { b: 'ü€' }], result: 'ok' };
    expect(bdecode(bencode(value))).toEqual(value);
  });

  it('refuses truncated input, trailing bytes, odd dictionaries and runaway nesting', () => {
    expect(() => bdecode(Buffer.from('d6:result2:ok'))).toThrow(RangeError);
    expect(() => bdecode(Buffer.from('i1ei2e'))).toThrow(/trailing/);
    expect(() => bdecode(Buffer.from('d1:ae'))).toThrow(/odd/);
    expect(() => bdecode(Buffer.from('5:abc'))).toThrow(/past the end/);
    expect(() => bdecode(Buffer.from(`${'l'.repeat(40)}${'e'.repeat(40)}`))).toThrow(/deeply/);
    expect(() => bencode(1.5)).toThrow(RangeError);
  });
});

describe('RtpengineNgClient', () => {
  it('matches the reply by cookie, ignores strangers, and reports error results', async () => {
    const server = createSocket('udp4');
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', () => resolve()));
    server.on('message', (message, from) => {
      const space = message.indexOf(0x20);
      const cookie = message.subarray(0, space).toString();
      const command = bdecode(message.subarray(space + 1)) as { command: string };
      // A reply with another cookie first: it must be ignored.
      server.send(Buffer.concat([Buffer.from('stranger '), bencode({ result: 'pong' })]), from.port, from.address);
      const reply: BencodeDict = command.command === 'ping' ? { result: 'pong' } : { result: 'error', 'error-reason': 'Unknown call-id' };
      server.send(Buffer.concat([Buffer.from(`${cookie} `), bencode(reply)]), from.port, from.address);
    });
    const client = new RtpengineNgClient('127.0.0.1', server.address().port);
    try {
      expect(await client.request({ command: 'ping' })).toEqual({ result: 'pong' });
      await expect(client.request({ command: 'query', 'call-id': 'x' })).rejects.toThrow(/Unknown call-id/);
    } finally {
      client.close();
      server.close();
    }
  });

  it('times out when nobody answers', async () => {
    const client = new RtpengineNgClient('127.0.0.1', 9);
    await expect(client.request({ command: 'ping' }, 300)).rejects.toThrow(/no reply within 300 ms/);
    client.close();
  });
});

describe('rtpengineArgs', () => {
  it('keeps rtpengine on loopback, in userspace, in the foreground, with a bounded port range', () => {
    const args = rtpengineArgs(2223, [30000, 30099]);
    expect(args).toEqual(expect.arrayContaining(['--config-file=none', '--table=-1', '--interface=127.0.0.1', '--listen-ng=127.0.0.1:2223', '--port-min=30000', '--port-max=30099', '--foreground', '--log-stderr']));
    expect(() => rtpengineArgs(2223, [30000, 30001])).toThrow(RangeError);
  });
});
