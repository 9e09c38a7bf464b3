import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve, sep } from 'node:path';
import {
  isBridgeMethod,
  parseBridgeParams,
  settingsSchema,
  type BridgeError,
  type BridgeMethod,
  type BridgePush,
  type BridgeResponse,
  type BridgeResult,
  type ExtensionInfo,
  type Settings,
  type SettingsView,
} from '../../common/bridge';
import { initialDesktopState, reduceDesktop, type DesktopEvent, type DesktopState } from '../../common/desktop-state';
import { normalizeAppId } from '../../common/extension-manifest';
import { AgentStartError } from '../../core/agent/agent-engine';
import { backoffDelay } from '../../core/agent/backoff';
import { ExtensionRegistry, ExtensionRegistryError } from '../../core/extensions/extension-registry';
import { ExtensionStoreError } from '../../core/ports/extension-store';
import type { Logger } from '../../core/ports/logger';
import type { MediaCommand, MediaReply, MediaReport } from '../../common/media-link';
import { AgentHost, createHostMediaEngine } from '../agent/agent-host';
import { isEmbeddedLabAvailable, startEmbeddedLab, type EmbeddedLab } from './embedded-lab';
import { defaultMachineExtensionsDir, ExtensionDirectoryStore } from '../extensions/extension-directory-store';
import { FileStore } from '../adapters/file-store';
import { WindowMediaRouter, type MediaWindow } from './window-media';

/** Where the host keeps the agent's password: the OS keychain, or memory for this run only. */
export type SecretStore = {
  readonly kind: SettingsView['passwordStorage'];
  get(): Promise<string | undefined>;
  set(secret: string | undefined): Promise<void>;
};

/** A secret store that forgets on exit (the browser host has no keychain to use). */
export function sessionSecretStore(initial?: string): SecretStore {
  let secret = initial;
  return {
    kind: 'this-session',
    get: () => Promise.resolve(secret),
    set: (value) => {
      secret = value;
      return Promise.resolve();
    },
  };
}

/**
 * The window a bridge request came from, as its host knows it: the browser host makes one per
 * WebSocket, Electron one per WebContents.
 */
export type BridgeCaller = {
  /** Sends a media command to this window alone. */
  readonly sendMedia: (command: MediaCommand) => void;
  /** Calls `listener` once when the window goes away (closed, reloaded, link lost). */
  readonly onGone: (listener: () => void) => void;
  /** The platform's own handle on the window (Electron's WebContents), for pane placement. */
  readonly native?: unknown;
};

/** What differs between the Electron shell and the browser host. */
export type DesktopPlatform = {
  readonly host: 'electron' | 'browser';
  /** Opens an https: link in the system browser; absent where the window must do it. */
  readonly openExternal?: (url: string) => Promise<void>;
  /** Shows a conversation in its own window; absent where windows show it in place. */
  readonly openConversation?: (conversationId: string) => boolean;
  /** Shows or hides a pane's own view over a window rectangle; absent where windows use iframes. */
  readonly placePane?: (request: { conversationId: string; appId: string; bounds: { x: number; y: number; width: number; height: number } | null }, caller: unknown) => boolean;
  /** A native picker for a package folder or archive. */
  readonly pickPackage?: (folder: boolean) => Promise<string | undefined>;
};

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
const DEFAULT_SETTINGS: Settings = { server: '', aor: '', autoAccept: false, trust: [] };
/** The host tells windows about new trace entries at most this often. */
const TRACE_PUSH_INTERVAL_MS = 500;
const ANSWER_TIMEOUT_MS = 30_000;

class BridgeFailure extends Error {
  constructor(readonly error: BridgeError) {
    super(error.message);
  }
}
const fail = (code: BridgeError['code'], message: string): never => {
  throw new BridgeFailure({ code, message });
};

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
  private readonly mediaWindows = new WeakMap<BridgeCaller, MediaWindow>();
  private ringing = false;

  private constructor(private readonly options: DesktopSessionOptions) {
    this.store = new FileStore(options.configDir);
    this.log = options.logger.child('desktop');
    this.media = new WindowMediaRouter({
      host: createHostMediaEngine(),
      logger: options.logger,
      devices: () => ({
        ...(this.settings.audioInput !== undefined && { microphone: this.settings.audioInput.id }),
        ...(this.settings.audioOutput !== undefined && { speaker: this.settings.audioOutput.id }),
      }),
      // The embedded lab's MCU listens on 127.0.0.1 only.
      needsLoopback: () => this.lab !== undefined,
      onAudio: (placement) => this.emit({ type: 'host.audio', ...placement }),
    });
  }

  /** Loads the settings and starts the agent (or the embedded lab) in the background. */
  static async open(options: DesktopSessionOptions): Promise<DesktopSession> {
    const session = new DesktopSession(options);
    session.settings = await session.loadSettings();
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
   * Answers one bridge request. Never throws: failures come back as the error envelope.
   * @param method - Unvalidated method name from a window.
   */
  async handle(method: string, params: unknown, caller?: BridgeCaller): Promise<BridgeResponse> {
    if (!isBridgeMethod(method)) {
      return { ok: false, error: { code: 'bad-request', message: `unknown method ${JSON.stringify(method.slice(0, 64))}` } };
    }
    const parsed = parseBridgeParams(method, params);
    if (!parsed.ok) {
      this.log.warn('bad bridge request', { method, error: parsed.error.message });
      return parsed;
    }
    try {
      const result = (await this.run(method, parsed.params as Record<string, unknown>, caller)) as BridgeResult<typeof method>;
      return { ok: true, result };
    } catch (error) {
      if (error instanceof BridgeFailure) {
        return { ok: false, error: error.error };
      }
      const mapped = mapRegistryError(error);
      if (mapped) {
        return { ok: false, error: mapped };
      }
      this.log.error('bridge method failed', { method, error: String(error) });
      return { ok: false, error: { code: 'internal', message: `${method} failed: ${error instanceof Error ? error.message : String(error)}` } };
    }
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

  /** Rings while an invitation or channel request waits, unless the agent turned ringing off. */
  private updateRing(): void {
    const ringing = this.state.pending.length > 0 && this.settings.ring !== false;
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
    this.emit({ type: 'host.agent', state: 'starting', server, aor, lab });
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

  private requireAgent(): AgentHost {
    return this.agent ?? fail('unavailable', 'the agent is not running');
  }

  private commandResult(result: { ok: true } | { ok: false; message: string }): Record<string, never> {
    if (!result.ok) {
      fail('not-found', result.message);
    }
    return {};
  }

  private async run(method: BridgeMethod, p: Record<string, unknown>, caller: BridgeCaller | undefined): Promise<unknown> {
    const { platform } = this.options;
    switch (method) {
      case 'app.info':
        return { name: 'Switchboard', version: this.options.version, host: platform.host, labAvailable: this.options.embeddedLab ?? isEmbeddedLabAvailable(this.options.appRoot) };
      case 'state.snapshot':
        return this.snapshot();
      case 'agent.accept':
        return this.commandResult(this.requireAgent().execute({ cmd: 'accept', id: p['id'] as string }));
      case 'agent.decline':
        return this.commandResult(this.requireAgent().execute({ cmd: 'decline', id: p['id'] as string }));
      case 'conference.leave':
        return this.commandResult(this.requireAgent().execute({ cmd: 'leave', focusUri: p['focusUri'] as string }));
      case 'conference.mute':
        return this.commandResult(this.requireAgent().execute({ cmd: 'mute', focusUri: p['focusUri'] as string, muted: p['muted'] as boolean }));
      case 'conference.reconnectAudio':
        return this.commandResult(this.requireAgent().execute({ cmd: 'reconnect-audio', focusUri: p['focusUri'] as string }));
      case 'media.attach':
        return { attached: this.attachMediaWindow(caller) };
      case 'media.reply':
      case 'media.report': {
        const window = caller && this.mediaWindows.get(caller);
        const taken = window !== undefined && (method === 'media.reply' ? this.media.reply(window, p as MediaReply) : this.media.report(window, p as MediaReport));
        return taken ? {} : fail('not-found', `${method}: this window carries no media session ${String(p['mediaId'])}`);
      }
      case 'pane.send': {
        const request = p as { appId: string; conversationId: string; channelId?: string; contentType: string; body: string };
        const outcome = this.requireAgent().sendFromPane(request);
        if (!outcome) {
          return fail('not-found', `no open channel for ${request.appId} in this conversation`);
        }
        const { ok, status, reason, seq } = await outcome;
        return { ok, status, reason, seq };
      }
      case 'pane.close':
        return this.commandResult(this.requireAgent().execute({ cmd: 'close', appId: p['appId'] as string, conversationId: p['conversationId'] as string }));
      case 'pane.ejected':
        return this.ejectPane(p as { appId: string; conversationId: string; url?: string });
      case 'trace.list':
      case 'trace.export': {
        const callIds = p['callIds'] as string[];
        const filter = callIds.length === 0 ? {} : { dialogs: new Set(callIds) };
        const trace = this.agent?.trace;
        if (method === 'trace.export') {
          return { text: trace?.exportText(filter) ?? '' };
        }
        const entries = trace?.entries(filter) ?? [];
        return {
          entries: entries.map((e) => ({
            seq: e.seq,
            at: e.at,
            direction: e.direction,
            dialog: e.dialog,
            startLine: e.startLine,
            method: e.method,
            ...(e.status !== undefined && { status: e.status }),
            raw: e.raw,
          })),
        };
      }
      case 'extensions.list':
        return this.listExtensions();
      case 'extensions.install':
        return this.install(p['path'] as string);
      case 'extensions.upload': {
        const dir = await mkdtemp(join(tmpdir(), 'switchboard-upload-'));
        try {
          const file = join(dir, basename(p['fileName'] as string));
          await writeFile(file, Buffer.from(p['dataBase64'] as string, 'base64'));
          return await this.install(file);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }
      case 'extensions.remove': {
        const removed = await this.registryFor(this.currentRegistryDir()).remove(p['id'] as string);
        await this.agent?.registry.refresh();
        this.emit({ type: 'host.extensions' });
        return { id: removed.id, machineCopyRemains: removed.machineCopyRemains };
      }
      case 'extensions.pick':
        if (!platform.pickPackage) {
          return fail('unsupported', 'this host has no file picker: type the path, or upload an archive');
        }
        {
          const path = await platform.pickPackage(p['folder'] as boolean);
          return path === undefined ? {} : { path };
        }
      case 'settings.get':
        return this.settingsView();
      case 'settings.set': {
        const settings = p['settings'] as Settings;
        if ((settings.server === '') !== (settings.aor === '')) {
          return fail('bad-request', 'enter both the server and your address, or neither (to use the embedded lab)');
        }
        if (p['clearPassword'] === true) {
          await this.options.secrets.set(undefined);
        } else if (typeof p['password'] === 'string' && p['password'] !== '') {
          await this.options.secrets.set(p['password']);
        }
        await this.store.set(SETTINGS_KEY, `${JSON.stringify(settings, null, 2)}\n`);
        const previous = this.settings;
        this.settings = settings;
        this.updateRing();
        const restarted = needsRestart(previous, settings) || p['clearPassword'] === true || (typeof p['password'] === 'string' && p['password'] !== '');
        if (restarted) {
          this.restart();
        } else {
          // Only the devices changed: switch them in the calls in progress, keep the registration.
          this.media.devicesChanged();
        }
        return { ...(await this.settingsView()), restarted };
      }
      case 'lab.try': {
        const lab = this.lab ?? fail('unavailable', 'the embedded lab is not running (an account is configured)');
        try {
          const message = await lab.tryIt(p['action'] as never);
          this.emit({ type: 'host.notice', level: 'info', text: message });
          return { message };
        } catch (error) {
          return fail('refused', error instanceof Error ? error.message : String(error));
        }
      }
      case 'shell.openExternal':
        if (!platform.openExternal) {
          return { opened: false };
        }
        await platform.openExternal(p['url'] as string);
        return { opened: true };
      case 'pane.place':
        return { placed: platform.placePane?.(p as Parameters<NonNullable<DesktopPlatform['placePane']>>[0], caller?.native) ?? false };
      case 'window.openConversation':
        return { opened: platform.openConversation?.(p['conversationId'] as string) ?? false };
    }
  }

  /**
   * A pane's page tried to leave it (bridge `pane.ejected`): logged with the extension id for
   * the administrator, the pane marked closed for every window, and its channels closed, since
   * nothing is left to show what they carry.
   */
  private ejectPane(request: { appId: string; conversationId: string; url?: string }): Record<string, never> {
    const { appId, conversationId, url } = request;
    const conversation = this.state.conversations.find((c) => c.id === conversationId);
    const pane = conversation?.panes.find((p) => (normalizeAppId(p.appId) ?? p.appId) === (normalizeAppId(appId) ?? appId));
    if (!pane) {
      return fail('not-found', `no pane of ${appId} in this conversation`);
    }
    this.log.warn('extension pane tried to leave its page; closed', { appId: pane.appId, conversationId, ...(url !== undefined && { url }) });
    this.emit({ type: 'host.pane.ejected', conversationId, appId: pane.appId });
    if (this.agent && pane.channels.some((c) => c.state !== 'Terminated')) {
      const closed = this.agent.execute({ cmd: 'close', appId: pane.appId, conversationId });
      if (!closed.ok) {
        this.log.warn('channel of an ejected pane did not close', { appId: pane.appId, message: closed.message });
      }
    }
    return {};
  }

  /** Lets the calling window carry conference audio until it goes away. */
  private attachMediaWindow(caller: BridgeCaller | undefined): boolean {
    if (caller === undefined) {
      return fail('unsupported', 'media.attach: this host cannot send media commands to the caller');
    }
    if (this.mediaWindows.has(caller)) {
      return true;
    }
    const window: MediaWindow = { send: caller.sendMedia };
    this.mediaWindows.set(caller, window);
    const detach = this.media.attach(window);
    caller.onGone(() => {
      detach();
      this.mediaWindows.delete(caller);
    });
    return true;
  }

  private async install(path: string): Promise<{ id: string; name: string; version: string; replacedVersion?: string }> {
    const result = await this.registryFor(this.currentRegistryDir()).install(path);
    // The agent's channel decisions see it now, not after the file-system event.
    await this.agent?.registry.refresh();
    this.emit({ type: 'host.extensions' });
    return {
      id: result.manifest.id,
      name: result.manifest.name,
      version: result.manifest.version,
      ...(result.replacedVersion !== undefined && { replacedVersion: result.replacedVersion }),
    };
  }

  private async listExtensions(): Promise<BridgeResult<'extensions.list'>> {
    const userDir = this.currentRegistryDir();
    const machineDir = defaultMachineExtensionsDir(this.options.env);
    const listing = await this.registryFor(userDir).list();
    const extensions: ExtensionInfo[] = listing.extensions.map((e) => {
      const remote = /^https:/i.test(e.manifest.entry);
      return {
        id: e.id,
        name: e.manifest.name,
        version: e.manifest.version,
        scope: e.scope,
        entry: e.manifest.entry,
        size: e.manifest.pane?.size ?? 'medium',
        permissions: [...(e.manifest.permissions ?? [])],
        effective: e.effective,
        shadowed: e.shadowed,
        forbidden: e.forbidden,
        ...(e.effective && { paneUrl: remote ? e.manifest.entry : `/pane/${e.id.slice(1, -1)}/${e.manifest.entry}` }),
      };
    });
    return { extensions, problems: [...listing.problems], userInstallsAllowed: listing.userInstallsAllowed, userDir, machineDir };
  }
}

/** Registry and store refusals as bridge errors a person can act on. */
function mapRegistryError(error: unknown): BridgeError | undefined {
  if (error instanceof ExtensionRegistryError) {
    const code = ({ 'bad-id': 'bad-request', 'not-installed': 'not-found', 'machine-provisioned': 'refused', 'user-installs-forbidden': 'refused', 'shadowed-by-machine': 'refused' } as const)[error.code];
    return { code, message: error.message };
  }
  if (error instanceof ExtensionStoreError) {
    const code = ({ 'invalid-package': 'bad-request', 'source-not-found': 'not-found', busy: 'busy' } as const)[error.code];
    return { code, message: error.message };
  }
  return undefined;
}

/** Whether new settings change the account or its decisions, which needs a new agent. */
function needsRestart(before: Settings, after: Settings): boolean {
  const account = (s: Settings): string => JSON.stringify([s.server, s.aor, s.authUser ?? '', s.autoAccept, [...s.trust].sort()]);
  return account(before) !== account(after);
}
