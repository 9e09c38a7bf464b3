import { createHash, randomUUID } from 'node:crypto';
import type { SignalingSocket, SignalingSocketFactory, SignalingSocketHandlers } from '../../core/ports/socket';

type Parsed = { method: string; uri: string; headers: Map<string, string[]>; body: string };

function parse(raw: string): Parsed | undefined {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const [start = '', ...lines] = head.split('\r\n');
  const [method = '', uri = '', version] = start.split(' ');
  if (version !== 'SIP/2.0') {
    return undefined;
  }
  const headers = new Map<string, string[]>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  return { method, uri, headers, body };
}

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

/** Options of {@link FakeRegistrar}. */
export type FakeRegistrarOptions = {
  /** user -> password; when set, REGISTER needs digest auth (RFC 2617 / RFC 3261 §22.4). */
  readonly users?: Readonly<Record<string, string>>;
  readonly realm?: string;
  /** Expires granted for each binding. */
  readonly grantExpires?: number;
};

/**
 * An in-memory SIP registrar behind a {@link SignalingSocketFactory}: enough of RFC 3261 to
 * answer REGISTER (with digest auth), MESSAGE and OPTIONS, and to misbehave on demand.
 */
export class FakeRegistrar {
  readonly received: string[] = [];
  readonly bindings = new Map<string, number>();
  refuseConnections = false;
  /** When true the server answers nothing, pings included: a stopped proxy. */
  silent = false;
  private readonly sockets = new Set<{ handlers: SignalingSocketHandlers; closed: boolean }>();
  private readonly nonce = randomUUID().replace(/-/g, '');

  constructor(private readonly options: FakeRegistrarOptions = {}) {}

  get connectionCount(): number {
    return [...this.sockets].filter((s) => !s.closed).length;
  }

  /** Requests received with this method. */
  requests(method: string): string[] {
    return this.received.filter((r) => r.startsWith(`${method} `));
  }

  readonly factory: SignalingSocketFactory = (_url, handlers) => {
    const conn = { handlers, closed: false };
    const close = (code: number, reason: string): void => {
      if (!conn.closed) {
        conn.closed = true;
        this.sockets.delete(conn);
        setImmediate(() => handlers.onClose(code, reason));
      }
    };
    if (this.refuseConnections) {
      setImmediate(() => handlers.onError(new Error('connect ECONNREFUSED')));
      close(1006, '');
    } else {
      this.sockets.add(conn);
      setImmediate(() => !conn.closed && handlers.onOpen());
    }
    const socket: SignalingSocket = {
      send: (data) => {
        if (conn.closed) {
          throw new Error('socket closed');
        }
        if (!this.silent) {
          setImmediate(() => this.onRequest(conn, data));
        }
      },
      ping: () => {
        if (!this.silent && !conn.closed) {
          setImmediate(() => handlers.onPong());
        }
      },
      close: (code = 1000, reason = '') => close(code, reason),
      terminate: () => close(1006, ''),
    };
    return socket;
  };

  /** Drops every connection as a crashed proxy would. */
  dropAll(): void {
    for (const conn of [...this.sockets]) {
      conn.closed = true;
      this.sockets.delete(conn);
      setImmediate(() => conn.handlers.onClose(1006, 'connection reset'));
    }
  }

  /** Sends a raw request to every connected client. */
  sendToClients(raw: string): void {
    for (const conn of this.sockets) {
      setImmediate(() => conn.handlers.onMessage(raw));
    }
  }

  private onRequest(conn: { handlers: SignalingSocketHandlers; closed: boolean }, raw: string): void {
    const req = parse(raw);
    if (!req || conn.closed) {
      return;
    }
    this.received.push(raw);
    if (req.method === 'ACK') {
      return;
    }
    const reply = (status: string, extra: string[] = []): void => {
      const h = (n: string): string[] => req.headers.get(n) ?? [];
      const to = h('to')[0] ?? '';
      const lines = [
        `SIP/2.0 ${status}`,
        ...h('via').map((v) => `Via: ${v}`),
        `From: ${h('from')[0] ?? ''}`,
        `To: ${to}${to.includes('tag=') ? '' : ';tag=fake'}`,
        `Call-ID: ${h('call-id')[0] ?? ''}`,
        `CSeq: ${h('cseq')[0] ?? ''}`,
        ...extra,
        'Content-Length: 0',
        '',
        '',
      ];
      if (!conn.closed) {
        conn.handlers.onMessage(lines.join('\r\n'));
      }
    };
    if (req.method !== 'REGISTER') {
      reply('200 OK');
      return;
    }
    const realm = this.options.realm ?? 'lab.local';
    const users = this.options.users;
    if (users) {
      const auth = req.headers.get('authorization')?.[0];
      if (!auth || !this.checkDigest(auth, req.method, users, realm)) {
        reply('401 Unauthorized', [`WWW-Authenticate: Digest realm="${realm}", nonce="${this.nonce}", qop="auth", algorithm=MD5`]);
        return;
      }
    }
    const rawContact = req.headers.get('contact')?.[0] ?? '';
    const contact = rawContact.replace(/;expires=\d+/, '');
    // RFC 3261 §10.2.2: a Contact expires parameter wins over the Expires header.
    const param = /;expires=(\d+)/.exec(rawContact)?.[1];
    const requested = Number(param ?? req.headers.get('expires')?.[0] ?? '600');
    const aor = /<([^>]+)>/.exec(req.headers.get('to')?.[0] ?? '')?.[1] ?? '';
    if (requested === 0) {
      this.bindings.delete(aor);
      reply('200 OK');
      return;
    }
    const granted = Math.min(requested, this.options.grantExpires ?? requested);
    this.bindings.set(aor, granted);
    reply('200 OK', [`Contact: ${contact};expires=${granted}`]);
  }

  private checkDigest(header: string, method: string, users: Readonly<Record<string, string>>, realm: string): boolean {
    const field = (name: string): string | undefined =>
      new RegExp(`${name}="?([^",]+)"?`, 'i').exec(header)?.[1];
    const user = field('username');
    const password = user === undefined ? undefined : users[user];
    if (password === undefined) {
      return false;
    }
    const ha1 = md5(`${user}:${realm}:${password}`);
    const ha2 = md5(`${method}:${field('uri') ?? ''}`);
    const qop = field('qop');
    const expected = qop
      ? md5(`${ha1}:${field('nonce')}:${field('nc')}:${field('cnonce')}:${qop}:${ha2}`)
      : md5(`${ha1}:${field('nonce')}:${ha2}`);
    return expected === field('response');
  }
}
