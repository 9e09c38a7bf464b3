import { WebSocketServer, type WebSocket } from 'ws';
import { TransportState } from 'sip.js';
import { LabPresence, PRESENCE_BRANCH_PREFIX } from './lab-presence';
import { LabTransportBase } from './lab-transport-base';
import { Parser, type IncomingRequestMessage, type IncomingResponseMessage, type Logger as SipLogger } from 'sip.js/lib/core/index.js';

const quietSipLogger = {
  error: () => undefined,
  warn: () => undefined,
  log: () => undefined,
  debug: () => undefined,
} as unknown as SipLogger;

/** What the edge knows of one registered agent. */
export type EdgeBinding = { readonly aor: string; readonly contact: string; readonly expires: number };

/** Options of {@link LabEdge}. */
export type LabEdgeOptions = {
  /** Port on 127.0.0.1; 0 picks a free one. */
  readonly port: number;
  readonly domain: string;
  /** Longest registration granted, in seconds. */
  readonly maxExpires?: number;
  readonly onWire?: (direction: 'in' | 'out', raw: string) => void;
};

/**
 * The standalone lab's own SIP over WebSocket endpoint (RFC 7118): a registrar for agents and
 * the router between their connections and the lab's user agent.
 *
 * @remarks
 * It plays the part Kamailio plays in the proxied setup, just enough of it: REGISTER is
 * answered here (RFC 3261 §10.3, bindings in memory), PUBLISH and presence SUBSCRIBE by
 * {@link LabPresence}, requests from agents go to the lab's
 * user agent, requests from the lab go to the connection whose AOR or Contact user matches the
 * Request-URI, and responses go back on the connection their request came from (top Via branch).
 * @public
 */
export class LabEdge {
  private server: WebSocketServer | undefined;
  private readonly byUser = new Map<string, WebSocket>();
  private readonly byBranch = new Map<string, WebSocket>();
  private readonly bindings = new Map<string, EdgeBinding>();
  private toLab: ((raw: string) => void) | undefined;
  private listeningPort = 0;
  private readonly presence: LabPresence;
  /** Transactions of the lab's own presence requests (a contact center watching agents). */
  private readonly labBranches = new Set<string>();
  /** Contact users of the lab's own presence subscriptions: their NOTIFYs go to the lab. */
  private readonly labUsers = new Set<string>();

  constructor(private readonly options: LabEdgeOptions) {
    this.presence = new LabPresence(
      {
        reply: (request, status, extra, toTag) => {
          const branch = topViaBranch(request);
          if (this.labBranches.delete(branch)) {
            this.deliverToLab(replyText(request, status, [...extra], toTag));
            return;
          }
          const socket = this.byBranch.get(branch);
          if (socket) {
            this.reply(socket, request, status, [...extra], toTag);
          }
        },
        sendTo: (user, raw) => {
          const socket = this.byUser.get(user);
          if (!socket && this.labUsers.has(user)) {
            this.deliverToLab(raw);
            return;
          }
          if (socket?.readyState === socket?.OPEN) {
            this.options.onWire?.('out', raw);
            socket?.send(raw);
          }
        },
      },
      options.domain,
    );
  }

  /** `ws://127.0.0.1:port`, where agents connect. */
  get url(): string {
    return `ws://127.0.0.1:${this.listeningPort}`;
  }

  /** Current registrations, by AOR. */
  registrations(): EdgeBinding[] {
    return [...this.bindings.values()];
  }

  /** Starts listening on 127.0.0.1 only. */
  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = new WebSocketServer({
        host: '127.0.0.1',
        port: this.options.port,
        handleProtocols: (protocols) => (protocols.has('sip') ? 'sip' : false),
        maxPayload: 256 * 1024,
      });
      server.once('error', reject);
      server.once('listening', () => {
        const address = server.address();
        this.listeningPort = typeof address === 'object' && address ? address.port : 0;
        resolve();
      });
      server.on('connection', (socket) => this.onConnection(socket));
      this.server = server;
    });
  }

  /** Closes every connection and the listener. */
  close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) {
      return Promise.resolve();
    }
    for (const client of server.clients) {
      client.terminate();
    }
    return new Promise((resolve) => server.close(() => resolve()));
  }

  /** Drops every agent connection, as a crashed proxy would (for recovery tests). */
  dropConnections(): void {
    for (const client of this.server?.clients ?? []) {
      client.terminate();
    }
  }

  /** Connects the lab's user agent: `deliver` receives every message for it. */
  attach(deliver: (raw: string) => void): void {
    this.toLab = deliver;
  }

  /** Sends a message from the lab's user agent to the agent it is for. */
  sendFromLab(raw: string): Promise<void> {
    const message = Parser.parseMessage(raw, quietSipLogger);
    if (!message) {
      return Promise.reject(new Error('lab edge: unparsable outgoing message'));
    }
    if (this.servePresenceForLab(message, raw)) {
      return Promise.resolve();
    }
    const socket = isRequest(message) ? this.byUser.get(message.ruri?.user ?? '') : this.byBranch.get(topViaBranch(message));
    if (!socket || socket.readyState !== socket.OPEN) {
      const where = isRequest(message) ? `no connection for ${message.ruri?.toString() ?? '?'}` : 'requester gone';
      return Promise.reject(new Error(`lab edge: ${where}`));
    }
    this.options.onWire?.('out', raw);
    socket.send(raw);
    return Promise.resolve();
  }

  /**
   * The lab's own presence requests (the contact center watches agents, im-presence §3.5) go to
   * the edge's presence server, as Kamailio serves them in the proxied setup; the lab's answers
   * to that server's NOTIFYs end here, since nothing waits for them.
   * @returns whether the message was presence traffic of the lab
   */
  private servePresenceForLab(message: IncomingRequestMessage | IncomingResponseMessage, raw: string): boolean {
    if (!isRequest(message)) {
      return topViaBranch(message).startsWith(PRESENCE_BRANCH_PREFIX);
    }
    if (!LabPresence.wants(message)) {
      return false;
    }
    this.options.onWire?.('out', raw);
    const user = message.hasHeader('contact') ? contactUser(message.getHeader('contact') ?? '') : undefined;
    if (user) {
      this.labUsers.add(user);
    }
    this.labBranches.add(topViaBranch(message));
    this.presence.handle(message);
    return true;
  }

  /**
   * Hands the lab a message of the edge's presence server, on a later turn: the lab's request is
   * still inside sip.js's `send`, whose transaction must exist before its answer comes back.
   */
  private deliverToLab(raw: string): void {
    setImmediate(() => {
      this.options.onWire?.('in', raw);
      this.toLab?.(raw);
    });
  }

  private onConnection(socket: WebSocket): void {
    socket.on('message', (data: Buffer) => this.onAgentMessage(socket, data.toString('utf8')));
    socket.on('close', () => this.forget(socket));
    socket.on('error', () => socket.terminate());
  }

  private onAgentMessage(socket: WebSocket, raw: string): void {
    if (raw.trim() === '') {
      return;
    }
    const message = Parser.parseMessage(raw, quietSipLogger);
    if (!message) {
      return;
    }
    this.options.onWire?.('in', raw);
    if (isRequest(message)) {
      this.byBranch.set(topViaBranch(message), socket);
      this.learnContact(socket, message);
      if (message.method === 'REGISTER') {
        this.register(socket, message);
        return;
      }
      if (LabPresence.wants(message)) {
        this.presence.handle(message);
        return;
      }
    } else if (topViaBranch(message).startsWith(PRESENCE_BRANCH_PREFIX)) {
      // A watcher's answer to the presence server's NOTIFY: nothing waits for it.
      return;
    }
    this.toLab?.(raw);
  }

  private learnContact(socket: WebSocket, message: IncomingRequestMessage): void {
    const user = message.hasHeader('contact') ? contactUser(message.getHeader('contact') ?? '') : undefined;
    if (user) {
      this.byUser.set(user, socket);
    }
  }

  /** RFC 3261 §10.3 in memory: add, refresh or remove the binding of the one Contact. */
  private register(socket: WebSocket, message: IncomingRequestMessage): void {
    const aor = message.to.uri.toString();
    const contact = message.getHeader('contact') ?? '';
    const param = /;\s*expires=(\d+)/i.exec(contact)?.[1];
    const requested = Number(param ?? message.getHeader('expires') ?? '3600');
    const granted = Math.min(requested, this.options.maxExpires ?? 3600);
    const user = message.to.uri.user ?? '';
    if (granted === 0 || contact.trim() === '*') {
      this.bindings.delete(aor);
      this.byUser.delete(user);
      this.reply(socket, message, '200 OK', []);
      return;
    }
    this.bindings.set(aor, { aor, contact, expires: granted });
    this.byUser.set(user, socket);
    const contactUri = /<([^>]+)>/.exec(contact)?.[1] ?? contact.split(';')[0] ?? '';
    this.reply(socket, message, '200 OK', [`Contact: <${contactUri}>;expires=${granted}`]);
  }

  private reply(socket: WebSocket, request: IncomingRequestMessage, status: string, extra: string[], toTag = 'lab-edge'): void {
    const raw = replyText(request, status, extra, toTag);
    this.options.onWire?.('out', raw);
    socket.send(raw);
  }

  private forget(socket: WebSocket): void {
    for (const [user, s] of this.byUser) {
      if (s === socket) {
        this.byUser.delete(user);
        for (const [aor, binding] of this.bindings) {
          if (aor.includes(`:${user}@`) || binding.contact.includes(`:${user}@`)) {
            this.bindings.delete(aor);
          }
        }
      }
    }
    for (const [branch, s] of this.byBranch) {
      if (s === socket) {
        this.byBranch.delete(branch);
      }
    }
  }
}

/** A response to `request` with no body, as the edge writes them. */
function replyText(request: IncomingRequestMessage, status: string, extra: readonly string[], toTag = 'lab-edge'): string {
  const to = request.getHeader('to') ?? '';
  const lines = [
    `SIP/2.0 ${status}`,
    ...request.getHeaders('via').map((v) => `Via: ${v}`),
    `From: ${request.getHeader('from') ?? ''}`,
    `To: ${to}${/;\s*tag=/i.test(to) ? '' : `;tag=${toTag}`}`,
    `Call-ID: ${request.callId}`,
    `CSeq: ${request.cseq} ${request.method}`,
    ...extra,
    'Server: Switchboard lab',
    'Content-Length: 0',
    '',
    '',
  ];
  return lines.join('\r\n');
}

function isRequest(message: IncomingRequestMessage | IncomingResponseMessage): message is IncomingRequestMessage {
  return 'method' in message && typeof (message as IncomingRequestMessage).method === 'string' && !(message as IncomingResponseMessage).statusCode;
}

/** The `branch` of the first Via (RFC 3261 §8.1.1.7): it names the request's transaction. */
function topViaBranch(message: IncomingRequestMessage | IncomingResponseMessage): string {
  return /;\s*branch=([^;,\s]+)/i.exec(message.getHeader('via') ?? '')?.[1] ?? '';
}

function contactUser(contact: string): string | undefined {
  return /sips?:([^@;>]+)@/i.exec(contact)?.[1];
}

/** Options of {@link EdgeTransport}: the edge it rides on. */
export type EdgeTransportOptions = { readonly edge: LabEdge };

/**
 * sip.js transport of the lab's user agent in standalone mode: in-process, through a
 * {@link LabEdge}. Always connected while the edge listens.
 */
export class EdgeTransport extends LabTransportBase {
  readonly protocol = 'WS';

  constructor(
    _logger: unknown,
    private readonly options: EdgeTransportOptions,
  ) {
    super();
  }

  connect(): Promise<void> {
    this.options.edge.attach((raw) => this.onMessage?.(raw));
    this.setState(TransportState.Connected);
    this.onConnect?.();
    return Promise.resolve();
  }

  send(message: string): Promise<void> {
    return this.options.edge.sendFromLab(message);
  }

  disconnect(): Promise<void> {
    if (this.isConnected()) {
      this.setState(TransportState.Disconnected);
      this.onDisconnect?.();
    }
    return Promise.resolve();
  }
}
