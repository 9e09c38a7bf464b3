import {
  Messager,
  Registerer,
  RegistererState,
  UserAgent,
  type LogLevel as SipLogLevel,
  type Message,
} from 'sip.js';
import type { IncomingResponse } from 'sip.js/lib/core/index.js';
import type { AgentErrorCode, AgentEvent, AgentEventOf } from '../../common/agent-events';
import type { Clock, TimerHandle } from '../ports/clock';
import type { Logger } from '../ports/logger';
import type { SignalingSocketFactory } from '../ports/socket';
import { DialogRecovery } from '../sip/dialog-recovery';
import { FaultBoundary, rawCallId } from '../sip/fault-boundary';
import { memoizeSipGrammar } from '../sip/grammar-memo';
import { InviteRouter } from '../sip/invite-router';
import { refusalHeaders, RequestAdmission } from '../sip/request-admission';
import { SipTrace, type SipTraceOptions } from '../sip/sip-trace';
import { WebSocketTransport, type WebSocketTransportOptions } from '../sip/websocket-transport';
import { TypedEmitter } from '../util/typed-emitter';
import { backoffDelay, defaultBackoff, type BackoffPolicy } from './backoff';
import {
  SupervisorState,
  publicConnectionState,
  transitionSupervisor,
} from './connection-machine';
import { registrationExpires } from './registration-expires';

/**
 * Account and tuning of one agent.
 * @public
 */
export type AgentConfig = {
  /** `ws://` or `wss://` URL of the SIP proxy (RFC 7118). */
  readonly server: string;
  /** The agent's address of record, e.g. `sip:agent@lab.local`. */
  readonly aor: string;
  /** Digest password (RFC 3261 §22.4); omit for a registrar without authentication. */
  readonly password?: string;
  /** Digest user name; defaults to the AOR's user part. */
  readonly authUser?: string;
  /** Requested registration lifetime in seconds (RFC 3261 §10.2.1.1). */
  readonly registerExpiresSec?: number;
  readonly keepAliveIntervalMs?: number;
  readonly keepAliveTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  readonly backoff?: BackoffPolicy;
  readonly trace?: SipTraceOptions;
  /** Log sip.js internals at debug level. */
  readonly verboseSip?: boolean;
  readonly userAgentString?: string;
};

/**
 * Host services the engine runs on.
 * @public
 */
export type AgentPorts = {
  readonly socketFactory: SignalingSocketFactory;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Uniform random numbers in [0, 1) for backoff jitter. */
  readonly random?: () => number;
};

/** Events the engine emits, keyed by the `type` of {@link AgentEvent}. */
export type AgentEngineEvents = { [E in AgentEvent as E['type']]: E } & { any: AgentEvent };

/** Rejection of {@link AgentEngine.start}, carrying the error code hosts map to exit codes. */
export class AgentStartError extends Error {
  override readonly name = 'AgentStartError';
  constructor(
    readonly code: AgentErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const UNREGISTER_TIMEOUT_MS = 3000;

/**
 * The headless agent: one SIP user agent over WebSocket that registers, stays registered
 * and reports every change of its link.
 *
 * @remarks
 * - Registration with digest authentication and refresh: RFC 3261 §10 and §22, via sip.js's
 *   `Registerer`, one per connection (a REGISTER lost with its connection would otherwise hold
 *   the next one back until Timer F, 32 s).
 * - Dead links are found by {@link WebSocketTransport}'s keep-alive; lost links are retried
 *   with jittered exponential backoff and the agent re-registers on every new connection.
 * - Non-SDP INVITEs go through sip.js's core layer via {@link InviteRouter}.
 * - Every message in and out lands in {@link AgentEngine.trace}.
 * @public
 */
export class AgentEngine {
  readonly events: TypedEmitter<AgentEngineEvents>;
  readonly trace: SipTrace;
  readonly invites: InviteRouter;
  /** Contains whatever a dialog handler throws: that dialog ends, the agent carries on. */
  readonly faults: FaultBoundary;
  /** Rate and ringing caps on what remote peers start ({@link LIMITS}). */
  readonly admission: RequestAdmission;
  /** Suspends every live dialog on transport loss and recovers it once registered again. */
  readonly recovery: DialogRecovery;
  private readonly log: Logger;
  private readonly ua: UserAgent;
  private readonly transport: WebSocketTransport;
  private readonly random: () => number;
  private state = SupervisorState.Idle;
  private registerer: Registerer | undefined;
  private registered = false;
  private attempt = 0;
  private retryTimer: TimerHandle | undefined;
  private readonly interceptors = new Map<string, (raw: string) => void>();
  private messageHandler: ((message: Message) => number) | undefined;
  private readonly stopHooks: (() => Promise<void>)[] = [];
  private firstRegistration:
    | { resolve: () => void; reject: (error: AgentStartError) => void }
    | undefined;

  constructor(
    readonly config: AgentConfig,
    private readonly ports: AgentPorts,
  ) {
    this.log = ports.logger.child('agent');
    // Dialog-constant headers are parsed once per process, not once per message (see the module).
    memoizeSipGrammar();
    this.random = ports.random ?? Math.random;
    this.events = new TypedEmitter<AgentEngineEvents>((error) =>
      this.log.error('event listener threw', { error: String(error) }),
    );
    this.trace = new SipTrace(() => ports.clock.now(), config.trace);
    this.faults = new FaultBoundary(this.log.child('fault'), (fault) =>
      this.emit({ type: 'error', code: 'internal', message: `${fault.where}: ${fault.message}`, ...(fault.callId !== undefined && { callId: fault.callId }) }),
    );
    this.admission = new RequestAdmission(ports.clock);
    this.recovery = new DialogRecovery(this.events, this.faults);
    this.invites = new InviteRouter(this.log.child('invite'), this.admission, this.faults);
    const uri = UserAgent.makeURI(config.aor);
    if (!uri) {
      throw new AgentStartError('bad-command', `not a SIP URI: ${config.aor}`);
    }
    const transportOptions: WebSocketTransportOptions = {
      server: config.server,
      socketFactory: ports.socketFactory,
      clock: ports.clock,
      logger: ports.logger,
      onWire: (direction, raw) => this.trace.record(direction, raw),
      intercept: (raw) => this.intercept(raw),
      onDispatchError: (raw, error) => this.faults.fault(rawCallId(raw), `incoming ${raw.slice(0, raw.indexOf(' ')).slice(0, 16) || 'message'}`, error),
      ...(config.connectTimeoutMs !== undefined && { connectTimeoutMs: config.connectTimeoutMs }),
      ...(config.keepAliveIntervalMs !== undefined && { keepAliveIntervalMs: config.keepAliveIntervalMs }),
      ...(config.keepAliveTimeoutMs !== undefined && { keepAliveTimeoutMs: config.keepAliveTimeoutMs }),
    };
    const sipLog = this.log.child('sip.js');
    this.ua = new UserAgent({
      uri,
      transportConstructor: WebSocketTransport,
      transportOptions,
      authorizationUsername: config.authUser ?? uri.user ?? '',
      authorizationPassword: config.password ?? '',
      userAgentString: config.userAgentString ?? 'Switchboard/0.1',
      logBuiltinEnabled: false,
      logLevel: config.verboseSip ? 'debug' : 'warn',
      logConnector: (level: SipLogLevel, category: string, _label: string | undefined, content: string) => {
        const fields = { category };
        if (level === 'error') {
          sipLog.error(content, fields);
        } else if (level === 'warn') {
          sipLog.warn(content, fields);
        } else {
          sipLog.debug(content, fields);
        }
      },
      delegate: {
        onConnect: () => this.onConnected(),
        onDisconnect: (error?: Error) => this.onDisconnected(error),
        onMessage: (message: Message) => this.onIncomingMessage(message),
      },
    });
    this.transport = this.ua.transport as WebSocketTransport;
    this.ua.userAgentCore.delegate.onInvite = (request) => this.invites.route(request);
  }

  /**
   * Takes incoming requests of `method` away from sip.js (which would answer 405/501 to
   * methods it does not know); `handler` gets the raw message.
   */
  interceptRequests(method: string, handler: (raw: string) => void): void {
    this.interceptors.set(method.toUpperCase(), handler);
  }

  /**
   * Takes out-of-dialog MESSAGEs (RFC 3428 pager mode) that passed admission: `handler` answers
   * each and returns the status it sent. Without one, every MESSAGE is accepted with 200.
   */
  handleMessages(handler: (message: Message) => number): void {
    this.messageHandler = handler;
  }

  /** Runs `hook` at the start of {@link AgentEngine.stop}, while still registered and connected. */
  addStopHook(hook: () => Promise<void>): void {
    this.stopHooks.push(hook);
  }

  /** Reports an event of a feature module through the engine's event stream. */
  report(event: AgentEvent): void {
    this.emit(event);
  }

  /** The sip.js user agent, for feature modules that work at the core layer. */
  get userAgent(): UserAgent {
    return this.ua;
  }

  /** Whether the agent holds a registration right now. */
  get isRegistered(): boolean {
    return this.registered;
  }

  /**
   * Connects and registers. Resolves once registered; rejects with {@link AgentStartError}
   * when the server cannot be reached or refuses the registration.
   */
  start(): Promise<void> {
    this.setState(SupervisorState.Connecting);
    this.emitConnection();
    const registered = new Promise<void>((resolve, reject) => {
      this.firstRegistration = { resolve, reject };
    });
    this.ua.start().catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      this.failStart('unreachable', `cannot reach ${this.config.server}: ${reason}`);
    });
    return registered;
  }

  /** Unregisters (waiting at most 3 s for the registrar) and disconnects. */
  async stop(): Promise<void> {
    if (this.state === SupervisorState.Stopping || this.state === SupervisorState.Stopped) {
      return;
    }
    this.setState(SupervisorState.Stopping);
    for (const hook of this.stopHooks) {
      await hook().catch((error: unknown) => this.log.warn('stop hook failed', { error: String(error) }));
    }
    this.ports.clock.clearTimeout(this.retryTimer);
    const pendingStart = this.firstRegistration;
    this.firstRegistration = undefined;
    pendingStart?.reject(new AgentStartError('internal', 'stopped before the first registration'));
    const registerer = this.registerer;
    this.registerer = undefined;
    if (registerer && this.registered && this.transport.isConnected()) {
      await this.unregister(registerer);
    } else {
      await registerer?.dispose().catch(() => undefined);
    }
    if (this.registered) {
      this.registered = false;
      this.emit({ type: 'unregistered', aor: this.config.aor, reason: 'stopped' });
    }
    await this.ua.stop().catch((error: unknown) => {
      this.log.warn('stopping the user agent failed', { error: String(error) });
    });
    this.setState(SupervisorState.Stopped);
    this.emitConnection('stopped');
  }

  /** Sends a MESSAGE (RFC 3428) and resolves with the final response's status. */
  sendMessage(to: string, body: string, contentType = 'text/plain'): Promise<AgentEventOf<'message.sent'>> {
    const target = UserAgent.makeURI(to);
    if (!target) {
      return Promise.reject(new Error(`not a SIP URI: ${to}`));
    }
    return new Promise((resolve) => {
      const report = (response: IncomingResponse): void => {
        const event = {
          type: 'message.sent' as const,
          to,
          status: response.message.statusCode ?? 0,
          reason: response.message.reasonPhrase ?? '',
        };
        this.emit(event);
        resolve(event);
      };
      new Messager(this.ua, target, body, contentType)
        .message({ requestDelegate: { onAccept: report, onReject: report } })
        .catch((error: unknown) => {
          const event = { type: 'message.sent' as const, to, status: 0, reason: String(error) };
          this.emit(event);
          resolve(event);
        });
    });
  }

  private onConnected(): void {
    this.ports.clock.clearTimeout(this.retryTimer);
    if (this.state === SupervisorState.Stopping || this.state === SupervisorState.Stopped) {
      return;
    }
    this.attempt = 0;
    this.setState(SupervisorState.Connected);
    this.emitConnection();
    this.register();
  }

  private onDisconnected(error: Error | undefined): void {
    if (!error || this.state !== SupervisorState.Connected) {
      return;
    }
    this.log.warn('connection lost', { server: this.config.server, reason: error.message });
    // Disposing now, while the transport is down, puts nothing on the wire: sip.js turns the
    // unsendable un-REGISTER into an internal 503.
    void this.registerer?.dispose().catch(() => undefined);
    this.registerer = undefined;
    this.setState(SupervisorState.Reconnecting);
    this.emitConnection(error.message, 'lost');
    if (this.registered) {
      this.registered = false;
      this.emit({ type: 'unregistered', aor: this.config.aor, reason: 'connection lost' });
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    this.attempt += 1;
    const delay = backoffDelay(this.attempt, this.random(), this.config.backoff ?? defaultBackoff);
    this.emit({
      type: 'connection',
      state: 'reconnecting',
      server: this.config.server,
      attempt: this.attempt,
      retryInMs: delay,
    });
    this.ports.clock.clearTimeout(this.retryTimer);
    this.retryTimer = this.ports.clock.setTimeout(() => {
      if (this.state !== SupervisorState.Reconnecting) {
        return;
      }
      this.transport.connect().catch((error: unknown) => {
        if (this.state !== SupervisorState.Reconnecting) {
          return;
        }
        this.log.info('reconnect attempt failed', { attempt: this.attempt, reason: String(error) });
        this.setState(SupervisorState.Reconnecting);
        this.scheduleReconnect();
      });
    }, delay);
  }

  private register(): void {
    const registerer = new Registerer(this.ua, {
      ...(this.config.registerExpiresSec !== undefined && { expires: this.config.registerExpiresSec }),
    });
    this.registerer = registerer;
    registerer.stateChange.addListener((state) => {
      if (registerer !== this.registerer) {
        return;
      }
      if (state === RegistererState.Unregistered && this.registered) {
        this.registered = false;
        this.emit({ type: 'unregistered', aor: this.config.aor, reason: 'registration ended' });
      }
    });
    registerer
      .register({
        requestDelegate: {
          onAccept: (response) => this.onRegisterAccepted(registerer, response),
          onReject: (response) => this.onRegisterRejected(registerer, response),
        },
      })
      .catch((error: unknown) => this.log.warn('REGISTER not sent', { error: String(error) }));
  }

  private onRegisterAccepted(registerer: Registerer, response: IncomingResponse): void {
    if (registerer !== this.registerer) {
      return;
    }
    const wasRegistered = this.registered;
    this.registered = true;
    const expires = registrationExpires(response.message, registerer.contacts);
    if (!wasRegistered) {
      this.log.info('registered', { aor: this.config.aor, expires });
      this.emit({ type: 'registered', aor: this.config.aor, expires });
    } else {
      this.log.debug('registration refreshed', { expires });
    }
    const first = this.firstRegistration;
    this.firstRegistration = undefined;
    first?.resolve();
  }

  private onRegisterRejected(registerer: Registerer, response: IncomingResponse): void {
    if (registerer !== this.registerer || this.state === SupervisorState.Stopping) {
      return;
    }
    const status = response.message.statusCode ?? 0;
    const phrase = response.message.reasonPhrase ?? '';
    const isAuth = status === 401 || status === 403 || status === 407;
    const message = isAuth
      ? `registration refused: ${status} ${phrase} (check the user name and password for ${this.config.aor})`
      : `registration refused: ${status} ${phrase}`;
    this.log.error(message, { status });
    if (this.firstRegistration) {
      this.failStart(isAuth ? 'auth-failed' : 'registration-failed', message);
      return;
    }
    this.emit({ type: 'error', code: isAuth ? 'auth-failed' : 'registration-failed', message });
    // A refresh refused mid-session: try again later rather than stay silently unregistered.
    const delay = backoffDelay(Math.max(1, ++this.attempt), this.random(), this.config.backoff ?? defaultBackoff);
    this.ports.clock.clearTimeout(this.retryTimer);
    this.retryTimer = this.ports.clock.setTimeout(() => {
      if (this.state === SupervisorState.Connected && this.registerer === registerer) {
        this.register();
      }
    }, delay);
  }

  private failStart(code: AgentErrorCode, message: string): void {
    const first = this.firstRegistration;
    if (!first) {
      return;
    }
    this.firstRegistration = undefined;
    if (this.state === SupervisorState.Connecting) {
      this.setState(SupervisorState.Failed);
    }
    this.emit({ type: 'error', code, message });
    first.reject(new AgentStartError(code, message));
  }

  private unregister(registerer: Registerer): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = this.ports.clock.setTimeout(() => {
        this.log.warn('registrar did not answer the un-REGISTER in time', { ms: UNREGISTER_TIMEOUT_MS });
        resolve();
      }, UNREGISTER_TIMEOUT_MS);
      const done = (): void => {
        this.ports.clock.clearTimeout(timer);
        resolve();
      };
      registerer
        .unregister({ requestDelegate: { onAccept: done, onReject: done } })
        .catch(() => done());
    }).then(() => registerer.dispose().catch(() => undefined));
  }

  private intercept(raw: string): boolean {
    if (this.interceptors.size === 0) {
      return false;
    }
    const method = raw.slice(0, Math.max(0, raw.indexOf(' '))).toUpperCase();
    const handler = this.interceptors.get(method);
    if (!handler) {
      return false;
    }
    try {
      handler(raw);
    } catch (error) {
      this.log.error('intercepted request handler failed', { method, error: String(error) });
    }
    return true;
  }

  private onIncomingMessage(message: Message): void {
    const request = message.request;
    const from = request.from.uri.toString();
    const admitted = this.admission.arrive(from);
    if (!admitted.ok) {
      this.log.warn('refusing MESSAGE: sender over its rate', { from, reason: admitted.reason });
      void message.reject({ statusCode: admitted.status, reasonPhrase: admitted.reasonPhrase, extraHeaders: refusalHeaders(admitted) }).catch(() => undefined);
      return;
    }
    if (!this.answerMessage(message)) {
      return;
    }
    this.emit({
      type: 'message',
      from: request.from.uri.toString(),
      contentType: request.getHeader('content-type') ?? 'text/plain',
      body: request.body,
    });
  }

  /** Answers a MESSAGE through the handler (500 if it throws); true when it was accepted. */
  private answerMessage(message: Message): boolean {
    if (!this.messageHandler) {
      void message.accept().catch((error: unknown) => this.log.warn('MESSAGE accept failed', { error: String(error) }));
      return true;
    }
    const handler = this.messageHandler;
    const status = this.faults.run(message.request.callId, 'MESSAGE handler', () => handler(message));
    if (status === undefined) {
      void message.reject({ statusCode: 500, reasonPhrase: 'Server Internal Error' }).catch(() => undefined);
      return false;
    }
    return status >= 200 && status < 300;
  }

  private setState(next: SupervisorState): void {
    this.state = transitionSupervisor(this.state, next);
  }

  private emitConnection(reason?: string, override?: 'lost'): void {
    this.emit({
      type: 'connection',
      state: override ?? publicConnectionState(this.state),
      server: this.config.server,
      ...(reason !== undefined && { reason }),
    });
  }

  private emit(event: AgentEvent): void {
    this.events.emit(event.type, event as never);
    this.events.emit('any', event);
  }
}
