import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';

/**
 * A bencoded value as rtpengine's ng protocol carries it: byte strings (decoded as UTF-8),
 * integers, lists and dictionaries.
 * @public
 */
export type BencodeValue = string | number | readonly BencodeValue[] | { readonly [key: string]: BencodeValue };

/** A bencoded dictionary: every ng command and reply is one. @public */
export type BencodeDict = { readonly [key: string]: BencodeValue };

/**
 * Encodes a value in bencode (the BitTorrent encoding rtpengine's ng protocol uses: rtpengine
 * docs, "The NG Control Protocol"); dictionary keys are sorted as the encoding requires.
 * @public
 */
export function bencode(value: BencodeValue): Buffer {
  const parts: Buffer[] = [];
  const put = (v: BencodeValue): void => {
    if (typeof v === 'string') {
      parts.push(Buffer.from(`${Buffer.byteLength(v)}:`), Buffer.from(v, 'utf8'));
    } else if (typeof v === 'number') {
      if (!Number.isInteger(v)) {
        throw new RangeError(`bencode integers only, got ${v}`);
      }
      parts.push(Buffer.from(`i${v}e`));
    } else if (Array.isArray(v)) {
      parts.push(Buffer.from('l'));
      (v as readonly BencodeValue[]).forEach(put);
      parts.push(Buffer.from('e'));
    } else {
      parts.push(Buffer.from('d'));
      const dict = v as BencodeDict;
      for (const key of Object.keys(dict).sort()) {
        const item = dict[key];
        if (item !== undefined) {
          put(key);
          put(item);
        }
      }
      parts.push(Buffer.from('e'));
    }
  };
  put(value);
  return Buffer.concat(parts);
}

/**
 * Decodes one bencoded value that fills `data` exactly.
 * @throws RangeError on malformed input, trailing bytes, or nesting deeper than 32.
 * @public
 */
export function bdecode(data: Buffer): BencodeValue {
  let pos = 0;
  const fail = (why: string): never => {
    throw new RangeError(`bad bencode at byte ${pos}: ${why}`);
  };
  const digitsUntil = (end: number): number => {
    const stop = data.indexOf(end, pos);
    if (stop < 0) {
      fail('unterminated number');
    }
    const text = data.toString('latin1', pos, stop);
    if (!/^-?\d+$/.test(text)) {
      fail(`not a number: ${JSON.stringify(text.slice(0, 20))}`);
    }
    pos = stop + 1;
    return Number(text);
  };
  const read = (depth: number): BencodeValue => {
    if (depth > 32) {
      fail('nested too deeply');
    }
    const c = data[pos];
    if (c === undefined) {
      return fail('truncated');
    }
    if (c === 0x69 /* i */) {
      pos += 1;
      return digitsUntil(0x65);
    }
    if (c === 0x6c /* l */ || c === 0x64 /* d */) {
      pos += 1;
      const items: BencodeValue[] = [];
      while (data[pos] !== 0x65) {
        items.push(read(depth + 1));
      }
      pos += 1;
      return c === 0x6c ? items : toDict(items, fail);
    }
    const length = digitsUntil(0x3a /* : */);
    if (length < 0 || pos + length > data.length) {
      fail('string runs past the end');
    }
    const text = data.toString('utf8', pos, pos + length);
    pos += length;
    return text;
  };
  const value = read(0);
  if (pos !== data.length) {
    fail('trailing bytes');
  }
  return value;
}

function toDict(items: readonly BencodeValue[], fail: (why: string) => never): BencodeDict {
  if (items.length % 2 !== 0) {
    fail('dictionary with an odd number of items');
  }
  const dict: Record<string, BencodeValue> = {};
  for (let i = 0; i < items.length; i += 2) {
    const key = items[i];
    if (typeof key !== 'string') {
      fail('dictionary key is not a string');
    }
    dict[key as string] = items[i + 1] as BencodeValue;
  }
  return dict;
}

/**
 * A client of rtpengine's ng control protocol over UDP: each request is
 * `<cookie> <bencoded dictionary>`, answered with the same cookie (rtpengine docs, "The NG
 * Control Protocol"). Requests are retransmitted every 500 ms until answered: rtpengine
 * recognises the cookie and replays its answer rather than acting twice.
 * @public
 */
export class RtpengineNgClient {
  private socket: Socket | undefined;
  private readonly pending = new Map<string, (reply: BencodeDict) => void>();

  constructor(
    readonly host: string,
    readonly port: number,
  ) {}

  /**
   * Sends one command (`{ command: 'ping' }`, `{ command: 'list' }`, `{ command: 'query',
   * 'call-id': … }`…) and resolves with the reply dictionary; rejects when no reply arrives in
   * `timeoutMs`, or when the reply's `result` is `error` (with its `error-reason`).
   */
  async request(command: BencodeDict, timeoutMs = 2000): Promise<BencodeDict> {
    const socket = await this.open();
    const cookie = randomBytes(8).toString('hex');
    const packet = Buffer.concat([Buffer.from(`${cookie} `), bencode(command)]);
    return new Promise<BencodeDict>((resolve, reject) => {
      const send = (): void => socket.send(packet, this.port, this.host);
      const retry = setInterval(send, 500);
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`rtpengine ng ${String(command.command)} on ${this.host}:${this.port}: no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      const finish = (): void => {
        clearInterval(retry);
        clearTimeout(timer);
        this.pending.delete(cookie);
      };
      this.pending.set(cookie, (reply) => {
        finish();
        if (reply.result === 'error') {
          reject(new Error(`rtpengine ng ${String(command.command)}: ${String(reply['error-reason'] ?? 'error')}`));
        } else {
          resolve(reply);
        }
      });
      send();
    });
  }

  /** Closes the socket; pending requests time out. */
  close(): void {
    this.socket?.close();
    this.socket = undefined;
  }

  private open(): Promise<Socket> {
    if (this.socket) {
      return Promise.resolve(this.socket);
    }
    const socket = createSocket('udp4');
    this.socket = socket;
    socket.on('message', (message) => this.onMessage(message));
    // Only replies to our own requests matter: a stray datagram must not crash the test run.
    socket.on('error', () => undefined);
    socket.unref();
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => resolve(socket));
    });
  }

  private onMessage(message: Buffer): void {
    const space = message.indexOf(0x20);
    if (space <= 0) {
      return;
    }
    const handler = this.pending.get(message.toString('latin1', 0, space));
    if (!handler) {
      return;
    }
    try {
      const reply = bdecode(message.subarray(space + 1));
      if (typeof reply === 'object' && !Array.isArray(reply)) {
        handler(reply as BencodeDict);
      }
    } catch {
      // A malformed reply is ignored; the request times out with a clear message.
    }
  }
}
