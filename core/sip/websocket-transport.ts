import { EmitterImpl, TransportState, type Emitter, type Transport } from 'sip.js';
import type { Clock, TimerHandle } from '../ports/clock';
import type { Logger } from '../ports/logger';
import type { SignalingSocket, SignalingSocketFactory } from '../ports/socket';
import { checkMessageSize, describeViolation, MESSAGE_SIZE_CAPS, sizeRefusal, type MessageSizeCaps, type SizeViolation } from './message-size';
import type { TraceDirection } from './sip-trace';
import { guardedTransition } from '../util/state-machine';

/** sip.js's transport states (its `Transport` contract) and the moves this transport makes. */
const transitionTransport = guardedTransition<TransportState>('websocket transport', {
  [TransportState.Disconnected]: [TransportState.Connecting],
  [TransportState.Connecting]: [TransportState.Connected, TransportState.Disconnecting, TransportState.Disconnected],
  [TransportState.Connected]: [TransportState.Disconnecting, TransportState.Disconnected],
  [TransportState.Disconnecting]: [TransportState.Connecting, TransportState.Disconnected],
});

/**
 * What {@link WebSocketTransport} needs; passed through sip.js's `transportOptions`.
 * @public
 */
export type WebSocketTransportOptions = {
  readonly server: string;
  readonly socketFactory: SignalingSocketFactory;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Called with every raw SIP message sent or received. */
  readonly onWire?: (direction: TraceDirection, raw: string) => void;
  /**
   * Sees every incoming SIP message before sip.js; returning true consumes it. For methods
   * sip.js does not know, such as BENOTIFY, which must get no response at all.
   */
  readonly intercept?: (raw: string) => boolean;
  /**
   * Called when handling an incoming message threw (sip.js or a feature handler). Without it
   * the error is logged; either way it never unwinds into the socket's message handler.
   */
  readonly onDispatchError?: (raw: string, error: unknown) => void;
  /** Caps on an incoming message's start line and headers (default {@link MESSAGE_SIZE_CAPS}). */
  readonly sizeCaps?: MessageSizeCaps;
  /** Give up opening the connection after this long. */
  readonly connectTimeoutMs?: number;
  /** Send a WebSocket ping this long after the last frame received. */
  readonly keepAliveIntervalMs?: number;
  /** Declare the peer dead when no frame arrives this long after a ping. */
  readonly keepAliveTimeoutMs?: number;
};

/** Thrown in place of a message when the connection is declared dead. */
export class ConnectionLostError extends Error {
  override readonly name = 'ConnectionLostError';
}

/**
 * SIP over WebSocket (RFC 7118) for sip.js, with dead-peer detection.
 *
 * @remarks
 * Implements sip.js's `Transport` contract (connect/disconnect state rules in
 * `sip.js/lib/api/transport.d.ts`). It differs from sip.js's own web transport in two ways:
 * the socket comes from an injected {@link SignalingSocketFactory} (so the engine runs in plain
 * Node and in tests), and liveness is proven, not assumed: after `keepAliveIntervalMs` of
 * silence it sends a WebSocket ping (RFC 6455 §5.5.2) and, if no frame comes back within
 * `keepAliveTimeoutMs`, drops the connection and reports the loss. A stopped proxy keeps its
 * TCP connections open, so only this notices it.
 *
 * ```
 *  Disconnected --connect()--> Connecting --open--> Connected
 *       ^                          |                   |
 *       |<------ fail/timeout -----+                   |
 *       |<------------- close / keep-alive timeout ----+
 *       |<-- Disconnecting <-- disconnect() -----------+
 * ```
 * @public
 */
export class WebSocketTransport implements Transport {
  readonly protocol = 'WS';
  onConnect: (() => void) | undefined;
  onDisconnect: ((error?: Error) => void) | undefined;
  onMessage: ((message: string) => void) | undefined;

  private _state: TransportState = TransportState.Disconnected;
  private readonly _stateChange = new EmitterImpl<TransportState>();
  private socket: SignalingSocket | undefined;
  private connectPromise: Promise<void> | undefined;
  private connectSettle: { resolve: () => void; reject: (e: Error) => void } | undefined;
  private disconnectPromise: Promise<void> | undefined;
  private disconnectResolve: (() => void) | undefined;
  private connectTimer: TimerHandle | undefined;
  private lastSocketError: string | undefined;
  private idleTimer: TimerHandle | undefined;
  private deadlineTimer: TimerHandle | undefined;
  private readonly opts: Required<Omit<WebSocketTransportOptions, 'onWire' | 'intercept' | 'onDispatchError' | 'sizeCaps'>> &
    Pick<WebSocketTransportOptions, 'onWire' | 'intercept' | 'onDispatchError'>;
  private readonly sizeCaps: MessageSizeCaps;
  private readonly log: Logger;

  /** Constructed by sip.js's `UserAgent` with `transportOptions` as `options`. */
  constructor(_sipLogger: unknown, options: WebSocketTransportOptions) {
    this.opts = {
      connectTimeoutMs: 10_000,
      keepAliveIntervalMs: 10_000,
      keepAliveTimeoutMs: 5_000,
      ...options,
    };
    this.log = options.logger.child('transport');
    this.sizeCaps = options.sizeCaps ?? MESSAGE_SIZE_CAPS;
  }

  get state(): TransportState {
    return this._state;
  }

  get stateChange(): Emitter<TransportState> {
    return this._stateChange;
  }

  /** The server URL this transport connects to. */
  get server(): string {
    return this.opts.server;
  }

  isConnected(): boolean {
    return this._state === TransportState.Connected;
  }

  connect(): Promise<void> {
    switch (this._state) {
      case TransportState.Connecting:
        return this.connectPromise ?? Promise.reject(new Error('connect in progress'));
      case TransportState.Connected:
        return Promise.resolve();
      case TransportState.Disconnecting:
      case TransportState.Disconnected:
        break;
    }
    this.connectPromise = new Promise<void>((resolve, reject) => {
      this.connectSettle = { resolve, reject };
    });
    this.transition(TransportState.Connecting);
    this.openSocket();
    return this.connectPromise;
  }

  disconnect(): Promise<void> {
    switch (this._state) {
      case TransportState.Disconnected:
        return Promise.resolve();
      case TransportState.Disconnecting:
        return this.disconnectPromise ?? Promise.resolve();
      case TransportState.Connecting:
      case TransportState.Connected:
        break;
    }
    this.disconnectPromise = new Promise<void>((resolve) => {
      this.disconnectResolve = resolve;
    });
    this.transition(TransportState.Disconnecting);
    const socket = this.socket;
    if (socket) {
      socket.close(1000, 'Normal closure');
      // A peer that never answers the closing handshake must not hold us: RFC 6455 §7.1.1
      // lets the client drop the TCP connection itself.
      const closeTimer = this.opts.clock.setTimeout(() => {
        if (this.socket === socket) {
          socket.terminate();
          this.onSocketClosed(socket, 1006, 'closing handshake timed out');
        }
      }, 2000);
      void this.disconnectPromise.then(() => this.opts.clock.clearTimeout(closeTimer));
    } else {
      this.transition(TransportState.Disconnected);
    }
    return this.disconnectPromise;
  }

  send(message: string): Promise<void> {
    const socket = this.socket;
    if (this._state !== TransportState.Connected || !socket) {
      return Promise.reject(new Error(`cannot send: transport is ${this._state}`));
    }
    try {
      socket.send(message);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    this.opts.onWire?.('out', message);
    return Promise.resolve();
  }

  dispose(): Promise<void> {
    return this.disconnect();
  }

  private openSocket(): void {
    let socket: SignalingSocket | undefined;
    try {
      socket = this.opts.socketFactory(this.opts.server, {
        onOpen: () => this.onSocketOpen(socket),
        onMessage: (data) => this.onSocketMessage(socket, data),
        onPong: () => this.onSocketAlive(socket),
        onClose: (code, reason) => this.onSocketClosed(socket, code, reason),
        onError: (error) => {
          this.lastSocketError = error.message;
          this.log.debug('socket error', { error: error.message });
        },
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.transition(TransportState.Disconnected, new Error(`cannot open ${this.opts.server}: ${message}`));
      return;
    }
    this.socket = socket;
    this.lastSocketError = undefined;
    this.connectTimer = this.opts.clock.setTimeout(() => {
      if (this.socket === socket && this._state === TransportState.Connecting) {
        socket.terminate();
        this.onSocketClosed(socket, 1006, `no WebSocket handshake within ${this.opts.connectTimeoutMs} ms`);
      }
    }, this.opts.connectTimeoutMs);
  }

  private onSocketOpen(socket: SignalingSocket | undefined): void {
    if (socket !== this.socket || this._state !== TransportState.Connecting) {
      return;
    }
    this.opts.clock.clearTimeout(this.connectTimer);
    this.transition(TransportState.Connected);
    this.armIdleTimer();
  }

  private onSocketMessage(socket: SignalingSocket | undefined, data: string): void {
    if (socket !== this.socket) {
      return;
    }
    this.onSocketAlive(socket);
    // A bare CRLF is a keep-alive answer (RFC 5626 §3.5.1), not a SIP message.
    if (data === '\r\n' || data === '\r\n\r\n' || this._state !== TransportState.Connected) {
      return;
    }
    this.opts.onWire?.('in', data);
    // Before any grammar: sip.js parses at a few microseconds per character.
    const oversize = checkMessageSize(data, this.sizeCaps);
    if (oversize !== undefined && socket !== undefined) {
      this.refuseOversize(socket, data, oversize);
      return;
    }
    try {
      if (this.opts.intercept?.(data)) {
        return;
      }
      this.onMessage?.(data);
    } catch (error) {
      // Remote input must never unwind into the socket's handler (and from there end the process).
      if (this.opts.onDispatchError) {
        this.opts.onDispatchError(data, error);
      } else {
        this.log.error('incoming message handler failed', { error: String(error) });
      }
    }
  }

  /**
   * Answers a request over the size caps statelessly (414 or 513, RFC 3261 §8.2.7) or drops
   * what cannot be answered (responses, ACK, no usable Via/From/To/Call-ID/CSeq); logs either.
   */
  private refuseOversize(socket: SignalingSocket, data: string, violation: SizeViolation): void {
    const answer = sizeRefusal(data, violation, Math.random().toString(36).slice(2, 12), this.sizeCaps);
    const fields = {
      cap: violation.cap,
      chars: violation.chars,
      limit: violation.limit,
      ...(violation.header !== undefined && { header: violation.header }),
      start: data.slice(0, Math.min(data.indexOf(' ') >>> 0, 32)),
    };
    if (answer === undefined) {
      this.log.warn(`incoming SIP message dropped unread: ${describeViolation(violation)}`, fields);
      return;
    }
    this.log.warn(`incoming SIP request refused unread (${answer.slice(8, 11)}): ${describeViolation(violation)}`, fields);
    try {
      socket.send(answer);
      this.opts.onWire?.('out', answer);
    } catch (error) {
      this.log.debug('size refusal not sent', { error: String(error) });
    }
  }

  private onSocketAlive(socket: SignalingSocket | undefined): void {
    if (socket !== this.socket || this._state !== TransportState.Connected) {
      return;
    }
    this.opts.clock.clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    this.armIdleTimer();
  }

  private armIdleTimer(): void {
    this.opts.clock.clearTimeout(this.idleTimer);
    const socket = this.socket;
    this.idleTimer = this.opts.clock.setTimeout(() => {
      if (!socket || socket !== this.socket || this._state !== TransportState.Connected) {
        return;
      }
      socket.ping();
      if (this.deadlineTimer === undefined) {
        this.deadlineTimer = this.opts.clock.setTimeout(() => {
          if (socket === this.socket && this._state === TransportState.Connected) {
            this.log.warn('peer silent, dropping connection', {
              server: this.opts.server,
              waitedMs: this.opts.keepAliveTimeoutMs,
            });
            socket.terminate();
            this.onSocketClosed(socket, 1006, `no answer to keep-alive within ${this.opts.keepAliveTimeoutMs} ms`);
          }
        }, this.opts.keepAliveTimeoutMs);
      }
    }, this.opts.keepAliveIntervalMs);
  }

  private onSocketClosed(socket: SignalingSocket | undefined, code: number, reason: string): void {
    if (socket !== this.socket) {
      return;
    }
    this.socket = undefined;
    this.clearTimers();
    if (this._state === TransportState.Disconnecting) {
      this.transition(TransportState.Disconnected);
      return;
    }
    if (this._state === TransportState.Disconnected) {
      return;
    }
    const why = reason || this.lastSocketError || (code === 1006 ? 'connection failed' : `closed with code ${code}`);
    this.lastSocketError = undefined;
    this.transition(TransportState.Disconnected, new ConnectionLostError(why));
  }

  private clearTimers(): void {
    const { clock } = this.opts;
    clock.clearTimeout(this.connectTimer);
    clock.clearTimeout(this.idleTimer);
    clock.clearTimeout(this.deadlineTimer);
    this.connectTimer = undefined;
    this.idleTimer = undefined;
    this.deadlineTimer = undefined;
  }

  /** The one guarded state change; settles pending promises and fires sip.js callbacks. */
  private transition(next: TransportState, error?: Error): void {
    const prev = this._state;
    this._state = transitionTransport(prev, next);
    this.log.debug('transport state', { from: prev, to: next, error: error?.message });
    if (prev === TransportState.Connecting && next !== TransportState.Connecting) {
      const settle = this.connectSettle;
      this.connectSettle = undefined;
      this.connectPromise = undefined;
      if (next === TransportState.Connected) {
        settle?.resolve();
      } else {
        settle?.reject(error ?? new Error('connect aborted'));
      }
    }
    if (next === TransportState.Disconnected) {
      const resolve = this.disconnectResolve;
      this.disconnectResolve = undefined;
      this.disconnectPromise = undefined;
      resolve?.();
    }
    this._stateChange.emit(next);
    if (next === TransportState.Connected) {
      this.onConnect?.();
    }
    if (prev === TransportState.Connected) {
      this.onDisconnect?.(next === TransportState.Disconnecting ? undefined : error);
    }
  }
}
