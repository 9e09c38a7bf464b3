import { join, relative, resolve, sep } from 'node:path';
import {
  isBridgeMethod,
  parseBridgeParams,
  settingsSchema,
  type BridgeError,
  type BridgeMethod,
  type BridgePush,
  type BridgeResponse,
  type Settings,
  type SettingsView,
} from '../../common/bridge';
import { initialDesktopState, reduceDesktop, type DesktopEvent, type DesktopState } from '../../common/desktop-state';
import { AgentStartError } from '../../core/agent/agent-engine';
import { backoffDelay } from '../../core/agent/backoff';
import { ExtensionRegistry } from '../../core/extensions/extension-registry';
import type { Logger } from '../../core/ports/logger';
import { AgentHost, createHostMediaEngine } from '../agent/agent-host';
import { isEmbeddedLabAvailable, startEmbeddedLab, type EmbeddedLab } from './embedded-lab';
import { defaultMachineExtensionsDir, ExtensionDirectoryStore } from '../extensions/extension-directory-store';
import { FileStore } from '../adapters/file-store';
import { ConversationHistory } from './conversation-history';
import { WindowMediaRouter, type AudioPlacement } from './window-media';
import { createBridgeHandlers, knownBridgeError, type BridgeHandler, type BridgeHandlerContext, type BridgeHandlers } from './bridge-handlers';
import type { BridgeCaller, DesktopPlatform, SecretStore } from './desktop-platform';

// The shells' side of the session lives in desktop-platform.ts; re-exported for them.
export { sessionSecretStore, type BridgeCaller, type DesktopPlatform, type SecretStore } from './desktop-platform';

/** Options of {@link DesktopSession.open}. */
export type DesktopSessionOptions = {
  /** Settings and per-user registries live here (default `~/.config/switchboard`). */
  readonly configDir: string;
  /** The package root, where `out/` is. */
  readonly appRoot: string;
  readonly version: string;
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  readonly secrets: SecretStore;
  readonly platform: DesktopPlatform;
  /** Start the embedded lab when no account is configured (default: when its bundle exists). */
  readonly embeddedLab?: boolean;
};

const SETTINGS_KEY = 'settings.json';
/** Days conversation history is kept when the settings do not say (issue 13: a retention setting). */
const DEFAULT_HISTORY_DAYS = 30;

const DEFAULT_SETTINGS: Settings = { server: '', aor: '', autoAccept: false, trust: [] };
/** The host tells windows about new trace entries at most this often. */
const TRACE_PUSH_INTERVAL_MS = 500;
const ANSWER_TIMEOUT_MS = 30_000;

/**
 * The desktop's host side, shared by the Electron shell and the browser host: settings, the
 * agent (or the embedded lab and an agent registered with it), the extension registry, the
 * reduced desktop state, and the dispatcher of every bridge method. A host only carries
 * requests in and pushes out.
 * @public
 */
export class DesktopSession {
  private state: DesktopState = initialDesktopState();
  private seq = 0;
  private readonly listeners = new Set<(push: BridgePush) => void>();
  private agent: AgentHost | undefined;
  private lab: EmbeddedLab | undefined;
  private detachAgent: (() => void) | undefined;
  private settings: Settings = DEFAULT_SETTINGS;
  private lifecycle: Promise<void> = Promise.resolve();
  private traceTimer: NodeJS.Timeout | undefined;
  private traceSeq = 0;
  private closed = false;
  /** Retry of a first sign-in that failed for a reason time can fix (the proxy was down). */
  private startRetry: { timer: ReturnType<typeof setTimeout> | undefined; attempt: number } = { timer: undefined, attempt: 0 };
  private readonly store: FileStore;
  private readonly log: Logger;
  /** Conference audio: in the window that attached last, else in this process. */
  private readonly media: WindowMediaRouter;
  /** One handler per bridge method (`bridge-handlers/`), reaching this session through {@link handlerContext}. */
  private readonly handlers: BridgeHandlers;
  private ringing = false;
  /** Conversations on disk, kept for the retention setting's days. */
  private readonly history: ConversationHistory;

  private constructor(private readonly options: DesktopSessionOptions) {
    this.store = new FileStore(options.configDir);
    this.log = options.logger.child('desktop');
    this.history = new ConversationHistory(join(options.configDir, 'history'), () => this.settings.historyDays ?? DEFAULT_HISTORY_DAYS, this.log);
    this.media = new WindowMediaRouter({
      host: createHostMediaEngine(),
      logger: options.logger,
      devices: () => ({
        ...(this.settings.audioInput !== undefined && { microphone: this.settings.audioInput.id }),
        ...(this.settings.audioOutput !== undefined && { speaker: this.settings.audioOutput.id }),
      }),
      // The embedded lab's MCU listens on 127.0.0.1 only.
      needsLoopback: () => this.lab !== undefined,
      onAudio: (placement) => this.emit(audioEvent(placement)),
    });
    this.handlers = createBridgeHandlers(this.handlerContext());
  }

  /** Loads the settings and starts the agent (or the embedded lab) in the background. */
  static async open(options: DesktopSessionOptions): Promise<DesktopSession> {
    const session = new DesktopSession(options);
    session.settings = await session.loadSettings();
    const restored = await session.history.load();
    if (restored.length > 0) {
      session.emit({ type: 'host.history', conversations: restored });
    }
    session.restart();
    return session;
  }

  /** The current state and the number of the last event it reflects. */
  snapshot(): { seq: number; state: DesktopState } {
    return { seq: this.seq, state: this.state };
  }

  /** Receives every event from now on. */
  onPush(listener: (push: BridgePush) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Settles once the agent started, failed, or was found not configured. */
  whenSettled(): Promise<void> {
    return this.lifecycle;
  }

  /** The embedded lab, when it runs. */
  get embeddedLab(): EmbeddedLab | undefined {
    return this.lab;
  }

  /**
   * Answers one bridge request: the params validated with `bridgeMethods` of
   * `common/bridge.ts`, then the method's handler (`bridge-handlers/`). Never throws: failures
   * come back as the contract's error envelope. The Electron IPC and the browser host both
   * come through here, and only here.
   * @param method - Unvalidated method name from a window.
   */
  async handle(method: string, params: unknown, caller?: BridgeCaller): Promise<BridgeResponse> {
    if (!isBridgeMethod(method)) {
      return { ok: false, error: { code: 'bad-request', message: `unknown method ${JSON.stringify(method.slice(0, 64))}` } };
    }
    return this.dispatch(method, params, caller);
  }

  /** Validates the params of a known method and runs its handler; generic so each handler gets its own params type. */
  private async dispatch<M extends BridgeMethod>(method: M, params: unknown, caller: BridgeCaller | undefined): Promise<BridgeResponse<M>> {
    const parsed = parseBridgeParams(method, params);
    if (!parsed.ok) {
      this.log.warn('bad bridge request', { method, error: parsed.error.message });
      return parsed;
    }
    const handler: BridgeHandler<M> = this.handlers[method];
    try {
      return { ok: true, result: await handler(parsed.params, caller) };
    } catch (error) {
      return { ok: false, error: this.bridgeErrorOf(method, error) };
    }
  }

  /** A refusal as its envelope; anything else is a fault: logged, and answered `internal`. */
  private bridgeErrorOf(method: BridgeMethod, error: unknown): BridgeError {
    const known = knownBridgeError(error);
    if (known) {
      return known;
    }
    this.log.error('bridge method failed', { method, error: String(error) });
    return { code: 'internal', message: `${method} failed: ${error instanceof Error ? error.message : String(error)}` };
  }

  /**
   * The file a pane asks for, if it lies inside the package of an effective extension.
   * @param appId - The id as it appears in the pane URL (any GUID form).
   */
  paneFile(appId: string, path: string): string | undefined {
    const app = this.agent?.registry.lookup(appId);
    if (!app || /^https:/i.test(app.extension.manifest.entry)) {
      return undefined;
    }
    const root = resolve(app.extension.location);
    const file = resolve(root, path);
    const inside = relative(root, file);
    return inside !== '' && !inside.startsWith('..') && !inside.includes(`..${sep}`) ? file : undefined;
  }

  /** Clean quit: declines what rings, leaves conferences, ends channels, unregisters, stops the lab. */
  async close(): Promise<void> {
    if (this.closed) {
      return this.lifecycle;
    }
    this.closed = true;
    this.cancelStartRetry();
    this.lifecycle = this.lifecycle.then(() => this.stopAgent());
    await this.lifecycle;
    await this.history.flush();
    this.listeners.clear();
  }

  /**
   * Tells every window that an error escaped all handlers and Switchboard kept running (the
   * hosts' last resort, `last-resort.ts`).
   */
  reportInternalError(message: string): void {
    this.notice('warning', `Switchboard hit an internal error and kept running (${message}). Calls and panes not involved carry on.`);
  }

  /** Shows a notice in every window (a shell's own limits, errors, hints). */
  notice(level: 'info' | 'warning', text: string): void {
    this.emit({ type: 'host.notice', level, text });
  }

  private emit(event: DesktopEvent): void {
    const at = Date.now();
    this.seq += 1;
    this.state = reduceDesktop(this.state, event, at);
    this.history.observe(this.state.conversations);
    this.updateRing();
    const push: BridgePush = { seq: this.seq, at, event };
    for (const listener of this.listeners) {
      try {
        listener(push);
      } catch (error) {
        this.log.warn('push listener failed', { error: String(error) });
      }
    }
  }

  /**
   * Rings while an invitation, channel request or call waits, unless the agent turned ringing off or
   * chose Do not disturb for that sender (`quiet`).
   */
  private updateRing(): void {
    const ringing = this.state.pending.some((p) => p.quiet !== true) && this.settings.ring !== false;
    if (ringing !== this.ringing) {
      this.ringing = ringing;
      this.media.ring(ringing);
    }
  }

  private restart(): void {
    this.cancelStartRetry();
    this.startRetry.attempt = 0;
    this.lifecycle = this.lifecycle.then(async () => {
      await this.stopAgent();
      if (!this.closed) {
        await this.startAgent();
      }
    });
  }

  private async startAgent(): Promise<void> {
    const { settings, options } = this;
    const configured = settings.server !== '' && settings.aor !== '';
    const labAllowed = options.embeddedLab ?? isEmbeddedLabAvailable(options.appRoot);
    let server = settings.server;
    let aor = settings.aor;
    let trust = settings.trust;
    if (!configured) {
      if (!labAllowed) {
        this.emit({ type: 'host.agent', state: 'not-configured', lab: false, message: 'No account configured: enter your server and address in Settings.' });
        return;
      }
      this.emit({ type: 'host.agent', state: 'starting', lab: true, message: 'Starting the embedded lab' });
      try {
        this.lab = await startEmbeddedLab(options.appRoot, options.logger);
        if (this.lab.notice !== undefined) {
          this.notice('info', this.lab.notice);
        }
      } catch (error) {
        this.emit({ type: 'host.agent', state: 'failed', lab: false, message: `The embedded lab did not start: ${String(error)}` });
        return;
      }
      server = this.lab.wsUrl;
      aor = this.lab.agentAor;
      trust = [...new Set([...trust, this.lab.applicationUri])];
      await this.installSamples(this.currentRegistryDir(), this.lab.samplePackages);
    }
    const registry = this.currentRegistryDir();
    const lab = this.lab !== undefined;
    const customerPage = this.lab?.customerPageUrl;
    this.emit({ type: 'host.agent', state: 'starting', server, aor, lab, ...(customerPage !== undefined && { customerPage }) });
    const password = lab ? undefined : ((await options.secrets.get()) ?? options.env['SWITCHBOARD_PASSWORD']);
    const agent = await AgentHost.create(
      {
        media: this.media,
        server,
        aor,
        ...(password !== undefined && password !== '' && { password }),
        ...(settings.authUser !== undefined && settings.authUser !== '' && { authUser: settings.authUser }),
        autoAccept: settings.autoAccept,
        answerTimeout: ANSWER_TIMEOUT_MS,
        registry,
        trust,
        // The open-dialog journal lives with the settings: one profile, one account.
        stateDir: options.configDir,
        ...(settings.presence !== undefined && { presence: settings.presence }),
        watch: settings.watch ?? [],
      },
      options.logger,
      options.env,
    );
    this.agent = agent;
    const offEvents = agent.onEvent((event) => {
      if (event.type !== 'trace') {
        this.emit(event);
      }
    });
    const offTrace = agent.trace.subscribe((entry) => this.onTrace(entry.seq));
    for (const contact of settings.watch ?? []) {
      this.emit({ type: 'host.watch', aor: contact, watching: true });
    }
    this.detachAgent = () => {
      offEvents();
      offTrace();
    };
    try {
      await agent.start();
      this.startRetry.attempt = 0;
      this.emit({ type: 'host.agent', state: 'running', server, aor, lab });
    } catch (error) {
      const message = error instanceof AgentStartError ? error.message : String(error);
      this.log.warn('agent did not start', { message });
      await this.stopAgent();
      const retryInMs = this.scheduleStartRetry(error);
      const retrying = retryInMs === undefined ? '' : ` Trying again in ${Math.ceil(retryInMs / 1000)} s.`;
      this.emit({ type: 'host.agent', state: 'failed', server, aor, lab, message: `${message}${retrying}` });
    }
  }

  /**
   * A first sign-in that failed because the proxy was unreachable or refused for a reason
   * other than the credentials is tried again with the reconnect backoff (0.25–0.5 s doubling
   * to 10 s, jittered), so a proxy down at 8:59 needs no restart at 9:01. A refused password
   * is not retried: it would only lock the account; Settings starts a new attempt.
   * @returns the delay, or undefined when no retry was scheduled
   */
  private scheduleStartRetry(error: unknown): number | undefined {
    if (this.closed || (error instanceof AgentStartError && error.code === 'auth-failed')) {
      return undefined;
    }
    this.cancelStartRetry();
    this.startRetry.attempt += 1;
    const delay = backoffDelay(this.startRetry.attempt, Math.random());
    this.startRetry.timer = setTimeout(() => {
      this.startRetry.timer = undefined;
      if (this.closed || this.agent !== undefined) {
        return;
      }
      this.lifecycle = this.lifecycle.then(() => (this.closed || this.agent !== undefined ? undefined : this.startAgent()));
    }, delay);
    this.startRetry.timer.unref?.();
    return delay;
  }

  private cancelStartRetry(): void {
    clearTimeout(this.startRetry.timer);
    this.startRetry.timer = undefined;
  }

  private async stopAgent(): Promise<void> {
    const agent = this.agent;
    this.agent = undefined;
    if (agent) {
      try {
        await agent.stop();
      } catch (error) {
        this.log.warn('agent stop failed', { error: String(error) });
      }
      this.detachAgent?.();
      this.detachAgent = undefined;
    }
    clearTimeout(this.traceTimer);
    this.traceTimer = undefined;
    const lab = this.lab;
    this.lab = undefined;
    await lab?.stop().catch((error: unknown) => this.log.warn('lab stop failed', { error: String(error) }));
    if (agent && !this.closed) {
      this.emit({ type: 'host.agent', state: 'stopped', lab: false });
    }
  }

  private onTrace(seq: number): void {
    this.traceSeq = seq;
    this.traceTimer ??= setTimeout(() => {
      this.traceTimer = undefined;
      this.emit({ type: 'host.trace', lastSeq: this.traceSeq });
    }, TRACE_PUSH_INTERVAL_MS);
    this.traceTimer.unref();
  }

  /** Installs the lab's sample packages afresh at each lab start, so the lab always runs the built samples. */
  private async installSamples(userDir: string, packages: readonly string[]): Promise<void> {
    const registry = this.registryFor(userDir);
    for (const path of packages) {
      try {
        await registry.install(path);
      } catch (error) {
        this.log.warn('sample extension not installed', { path, error: String(error) });
      }
    }
  }

  private registryFor(userDir: string): ExtensionRegistry {
    return new ExtensionRegistry(new ExtensionDirectoryStore({ userDir, machineDir: defaultMachineExtensionsDir(this.options.env) }));
  }

  /** The agent's registry, or the lab's own while the lab runs (trying the lab never touches the real one). */
  private currentRegistryDir(): string {
    return join(this.options.configDir, this.lab ? 'lab-extensions' : 'extensions');
  }

  private async loadSettings(): Promise<Settings> {
    let text: string | undefined;
    try {
      text = await this.store.get(SETTINGS_KEY);
    } catch (error) {
      this.emit({ type: 'host.notice', level: 'warning', text: `Cannot read settings (${String(error)}); using defaults.` });
      return DEFAULT_SETTINGS;
    }
    if (text === undefined) {
      return DEFAULT_SETTINGS;
    }
    try {
      const parsed = settingsSchema.safeParse(JSON.parse(text));
      if (parsed.success) {
        return parsed.data;
      }
      const issue = parsed.error.issues[0];
      this.emit({ type: 'host.notice', level: 'warning', text: `Settings file ${join(this.options.configDir, SETTINGS_KEY)} is invalid (${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}); using defaults.` });
    } catch {
      this.emit({ type: 'host.notice', level: 'warning', text: `Settings file ${join(this.options.configDir, SETTINGS_KEY)} is not JSON; using defaults.` });
    }
    return DEFAULT_SETTINGS;
  }

  private async settingsView(): Promise<SettingsView> {
    return {
      settings: this.settings,
      passwordStored: (await this.options.secrets.get()) !== undefined,
      passwordStorage: this.options.secrets.kind,
      configDir: this.options.configDir,
    };
  }

  /** Writes `settings.json` and makes `settings` current; resolves with the settings they replace. */
  private async saveSettings(settings: Settings): Promise<Settings> {
    await this.store.set(SETTINGS_KEY, `${JSON.stringify(settings, null, 2)}\n`);
    const previous = this.settings;
    this.settings = settings;
    // The ring preference applies at once.
    this.updateRing();
    return previous;
  }

  /**
   * What the bridge handlers may see and do of this session, area by area (see the context
   * types in `bridge-handlers/`): read through functions, so they always see the current
   * agent, lab and state, and never the fields themselves.
   */
  private handlerContext(): BridgeHandlerContext {
    const { options } = this;
    return {
      version: options.version,
      platform: options.platform,
      labAvailable: () => options.embeddedLab ?? isEmbeddedLabAvailable(options.appRoot),
      snapshot: () => this.snapshot(),
      embeddedLab: () => this.lab,
      notice: (level, text) => this.notice(level, text),
      runningAgent: () => this.agent,
      media: this.media,
      conversations: () => this.state.conversations,
      emit: (event) => this.emit(event),
      log: this.log,
      trace: () => this.agent?.trace,
      openRegistry: () => this.registryFor(this.currentRegistryDir()),
      registryDirs: () => ({ userDir: this.currentRegistryDir(), machineDir: defaultMachineExtensionsDir(options.env) }),
      extensionsChanged: async () => {
        // The agent's channel decisions see it now, not after the file-system event.
        await this.agent?.registry.refresh();
        this.emit({ type: 'host.extensions' });
      },
      settingsView: () => this.settingsView(),
      storePassword: (secret) => options.secrets.set(secret),
      saveSettings: (settings) => this.saveSettings(settings),
      currentSettings: () => this.settings,
      restartAgent: () => this.restart(),
      // Only the devices changed: switch them in the calls in progress, keep the registration.
      switchDevices: () => this.media.devicesChanged(),
    };
  }
}

/** Where a conference's or a call's audio runs, as the event every window reduces. */
function audioEvent(placement: AudioPlacement): DesktopEvent {
  const { where, microphone, speaker, problem } = placement;
  const details = { where, ...(microphone !== undefined && { microphone }), ...(speaker !== undefined && { speaker }), ...(problem !== undefined && { problem }) };
  return placement.callId !== undefined ? { type: 'host.call.audio', callId: placement.callId, ...details } : { type: 'host.audio', focusUri: placement.focusUri, ...details };
}
