import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { AgentCommand } from '../../common/agent-commands';
import type { AgentEvent, AvailabilityName } from '../../common/agent-events';
import { AgentEngine } from '../../core/agent/agent-engine';
import { ChannelManager } from '../../core/channels/channel-manager';
import type { InfoOutcome } from '../../core/channels/info-sender';
import { ConferenceManager } from '../../core/conference/conference-manager';
import { DialogJournal } from '../../core/agent/dialog-journal';
import { LIMITS } from '../../core/agent/limits';
import { TwoPartyIm, type ImSendResult } from '../../core/im/two-party-im';
import { CallManager } from '../../core/calls/call-manager';
import { PresenceManager, type PresenceReport } from '../../core/presence/presence-manager';
import type { Logger } from '../../core/ports/logger';
import type { MediaEngine } from '../../core/ports/media';
import type { SipTrace } from '../../core/sip/sip-trace';
import { defaultStateDir } from '../adapters/config-dir';
import { FileStore } from '../adapters/file-store';
import { trimHeapSoon } from '../adapters/heap-trim';
import { createLazyMediaEngine } from '../adapters/lazy-media';
import { systemClock } from '../adapters/node-clock';
import { nodeSocketFactory } from '../adapters/node-socket';
import { RegistrySnapshot } from '../extensions/registry-snapshot';

/** What an agent needs to know to register and to decide invitations and channels. */
export type AgentHostOptions = {
  readonly server: string;
  readonly aor: string;
  readonly password?: string;
  readonly authUser?: string;
  readonly expires?: number;
  readonly keepalive?: number;
  readonly keepaliveTimeout?: number;
  readonly verbose?: boolean;
  readonly autoAccept: boolean;
  readonly answerTimeout: number;
  /** Per-user extension registry; default `~/.config/switchboard/extensions`. */
  readonly registry?: string;
  readonly trust: readonly string[];
  /**
   * Where conference audio runs. Default: werift in this process, loaded on the first join.
   * The desktop passes its window media router here (`window-media.ts`).
   */
  readonly media?: MediaEngine;
  /**
   * Folder of the open-dialog journal (what a crash left open is ended at the next start);
   * default `$XDG_STATE_HOME/switchboard`. The desktop passes its config folder.
   */
  readonly stateDir?: string;
  /** The availability published at sign-in; default Available. */
  readonly presence?: { readonly availability: AvailabilityName; readonly note?: string };
  /** Contacts to watch from the start. */
  readonly watch?: readonly string[];
  /** Requested lifetime of our presence publication (RFC 3903 `Expires`); default 600 s. */
  readonly presenceExpires?: number;
};

/**
 * Audio in this process: werift, loaded on the first join.
 * @remarks The WebRTC stack is 15 MiB of heap, so an agent that never joins never loads it.
 */
export function createHostMediaEngine(): MediaEngine {
  return createLazyMediaEngine(async () => (await import('../adapters/werift-media')).createWeriftMediaEngine());
}

/**
 * Presence for one agent: published through the engine's user agent, Busy while conference
 * audio is up (open question 29), reported as `presence` events.
 */
function createPresence(engine: AgentEngine, deviceId: string, logger: Logger, options: Pick<AgentHostOptions, 'presence' | 'presenceExpires'>): PresenceManager {
  const initial = options.presence;
  const presence = new PresenceManager(
    {
      userAgent: engine.userAgent,
      faults: engine.faults,
      recovery: engine.recovery,
      get isRegistered() {
        return engine.isRegistered;
      },
      on: (type, listener) => engine.events.on(type, listener),
      addStopHook: (hook) => engine.addStopHook(hook),
    },
    {
      clock: systemClock,
      logger,
      deviceId,
      newCallId: () => `pub-${randomUUID()}`,
      maxWatched: LIMITS.watchedContacts,
      ...(options.presenceExpires !== undefined && { expiresSec: options.presenceExpires }),
      ...(initial !== undefined && { initial: { availability: initial.availability, ...(initial.note !== undefined && initial.note !== '' && { note: initial.note }) } }),
      onReport: (report) => engine.report(presenceEvent(report)),
    },
  );
  const audio = new Map<string, boolean>();
  engine.events.on('media', (event) => {
    audio.set(event.focusUri, event.state === 'connecting' || event.state === 'connected' || event.state === 'interrupted');
    presence.setActivity({ inConference: [...audio.values()].includes(true) });
  });
  engine.events.on('conference.left', (event) => {
    audio.delete(event.focusUri);
    presence.setActivity({ inConference: [...audio.values()].includes(true) });
  });
  // Busy "In a call" while a two-party call is up, held included (open question 29).
  const calls = new Set<string>();
  engine.events.on('call.state', (event) => {
    if (event.state === 'connected' || event.state === 'held' || event.state === 'remote-held') {
      calls.add(event.id);
    } else {
      calls.delete(event.id);
    }
    presence.setActivity({ inCall: calls.size > 0 });
  });
  return presence;
}

/**
 * This installation's presence device id, kept in the state folder: stable across restarts, so
 * a restart modifies its own publication instead of leaving a second person beside it, and
 * distinct per machine, so an agent's two desktops never overwrite each other (open question 28).
 */
async function deviceIdOf(store: FileStore, journalKey: string): Promise<string> {
  const key = journalKey.replace('open-dialogs-', 'presence-device-');
  const stored = await store.get(key).catch(() => undefined);
  if (stored !== undefined && /^[0-9a-f]{12}$/.test(stored.trim())) {
    return stored.trim();
  }
  const id = randomUUID().replace(/-/g, '').slice(0, 12);
  await store.set(key, id).catch(() => undefined);
  return id;
}

function presenceEvent(report: PresenceReport): AgentEvent {
  const state = report.state;
  return {
    type: 'presence',
    aor: report.aor,
    availability: state === 'unknown' ? 'unknown' : state.availability,
    ...(state !== 'unknown' && state.activity !== undefined && { activity: state.activity }),
    ...(state !== 'unknown' && state.note !== undefined && { note: state.note }),
    ...(report.error !== undefined && { error: report.error }),
  };
}

/** Outcome of {@link AgentHost.execute}: `false` with a reason when the command named nothing live. */
export type CommandResult = { readonly ok: true } | { readonly ok: false; readonly message: string };

/**
 * One agent, fully composed: the engine with its conference and context-channel features and
 * the extension registry they consult. The CLI, the browser host and the Electron shell all
 * run the agent through this class, so every host makes the same decisions.
 * @public
 */
export class AgentHost {
  private constructor(
    readonly engine: AgentEngine,
    readonly conferences: ConferenceManager,
    readonly channels: ChannelManager,
    readonly registry: RegistrySnapshot,
    private readonly journal: DialogJournal,
    readonly presence: PresenceManager,
    readonly im: TwoPartyIm,
    readonly calls: CallManager,
  ) {}

  /** Builds the agent (nothing is sent until {@link AgentHost.start}). */
  static async create(options: AgentHostOptions, logger: Logger, env: NodeJS.ProcessEnv): Promise<AgentHost> {
    const engine = new AgentEngine(
      {
        server: options.server,
        aor: options.aor,
        ...(options.password !== undefined && { password: options.password }),
        ...(options.authUser !== undefined && { authUser: options.authUser }),
        ...(options.expires !== undefined && { registerExpiresSec: options.expires }),
        ...(options.keepalive !== undefined && { keepAliveIntervalMs: options.keepalive }),
        ...(options.keepaliveTimeout !== undefined && { keepAliveTimeoutMs: options.keepaliveTimeout }),
        verboseSip: options.verbose ?? false,
      },
      { socketFactory: nodeSocketFactory, clock: systemClock, logger },
    );
    // Decided by the presence the agent chose, which is built after the features it governs.
    let dnd = (): boolean => false;
    const media = options.media ?? createHostMediaEngine();
    const conferences = new ConferenceManager(
      engine,
      {
        clock: systemClock,
        logger,
        media,
        newGuid: () => randomUUID(),
      },
      { autoAccept: options.autoAccept, trustList: [...options.trust], answerTimeoutMs: options.answerTimeout, doNotDisturb: () => dnd() },
    );
    const calls = new CallManager(
      engine,
      { clock: systemClock, logger, media, newId: () => randomUUID() },
      { autoAccept: options.autoAccept, trustList: [...options.trust], answerTimeoutMs: options.answerTimeout, doNotDisturb: () => dnd() },
    );
    const registry = await RegistrySnapshot.load(options.registry, env, logger);
    logger.info('extensions available', { count: registry.count });
    const channels = new ChannelManager(
      engine,
      {
        clock: systemClock,
        logger,
        lookup: (appId) => registry.lookup(appId),
        // A call's conversation is shared like a conference's: only trusted senders open panes in it.
        isConferenceConversation: (id) => conferences.isConferenceConversation(id) || calls.hasConversation(id),
        acceptedPeerOf: (id) => conferences.acceptedPeerOf(id) ?? calls.acceptedPeerOf(id),
        newId: () => randomUUID().slice(0, 13),
      },
      { autoAccept: options.autoAccept, trustList: [...options.trust], answerTimeoutMs: options.answerTimeout, doNotDisturb: () => dnd() },
    );
    conferences.onConversationEnded = (conversationId) => channels.endConversation(conversationId);
    calls.onConversationEnded = (conversationId) => channels.endConversation(conversationId);
    // One journal per account: the key is a hash of the AOR, so no AOR text lands in a file name.
    const key = `open-dialogs-${createHash('sha256').update(options.aor).digest('hex').slice(0, 16)}.json`;
    const stateStore = new FileStore(options.stateDir ?? defaultStateDir(env));
    const journal = new DialogJournal(() => engine.userAgent.userAgentCore, stateStore, key, systemClock, logger);
    engine.events.once('registered', () => void journal.recoverAndStart().catch((error: unknown) => logger.warn('dialog journal failed', { error: String(error) })));
    // Start-up leaves the young generation grown and an idle agent never collects it again (heap-trim.ts).
    engine.events.once('registered', () => trimHeapSoon(logger));
    const presence = createPresence(engine, await deviceIdOf(stateStore, key), logger, options);
    dnd = () => presence.doNotDisturb;
    for (const contact of options.watch ?? []) {
      const watched = presence.watch(contact);
      if (!watched.ok) {
        logger.warn('not watching a contact', { aor: contact, reason: watched.message });
      }
    }
    const im = new TwoPartyIm(engine, {
      clock: systemClock,
      logger,
      randomBytes: (n) => new Uint8Array(randomBytes(n)),
      isOtherConversation: (id) => conferences.isConferenceConversation(id),
    });
    return new AgentHost(engine, conferences, channels, registry, journal, presence, im, calls);
  }

  /** The wire trace of every dialog. */
  get trace(): SipTrace {
    return this.engine.trace;
  }

  /** Subscribes to every event the agent reports; returns the unsubscribe. */
  onEvent(listener: (event: AgentEvent) => void): () => void {
    return this.engine.events.on('any', listener);
  }

  /** Connects and registers; rejects with `AgentStartError` when that fails for good. */
  start(): Promise<void> {
    return this.engine.start();
  }

  /** Declines what rings, leaves conferences, ends channels, unregisters (engine stop hooks). */
  async stop(): Promise<void> {
    try {
      await this.engine.stop();
    } finally {
      this.registry.close();
      await this.journal.stop();
    }
  }

  /**
   * Runs one validated command. `quit` and `trace` belong to the host running the agent and
   * are refused here.
   */
  execute(command: AgentCommand): CommandResult {
    const fail = (message: string): CommandResult => ({ ok: false, message });
    switch (command.cmd) {
      case 'quit':
      case 'trace':
        return fail(`${command.cmd} is handled by the host`);
      case 'message':
        void this.engine.sendMessage(command.to, command.body, command.contentType);
        return { ok: true };
      case 'accept':
        return this.conferences.accept(command.id) || this.channels.accept(command.id) || this.calls.answer(command.id) ? { ok: true } : fail(`no ringing invitation, channel request or call ${command.id}`);
      case 'decline':
        return this.conferences.decline(command.id) || this.channels.decline(command.id) || this.calls.decline(command.id) ? { ok: true } : fail(`no ringing invitation, channel request or call ${command.id}`);
      case 'send':
        return this.channels.send(command) ? { ok: true } : fail(`no open channel for ${command.appId}${command.channelId ? ` (${command.channelId})` : ''}`);
      case 'close':
        return this.channels.closePane(command.appId, command.conversationId) ? { ok: true } : fail(`no pane open for ${command.appId}`);
      case 'leave':
        return this.conferences.leave(command.focusUri) ? { ok: true } : fail(`not in conference ${command.focusUri}`);
      case 'mute':
        if (command.id !== undefined) {
          return this.calls.mute(command.id, command.muted) ? { ok: true } : fail(`no call ${command.id}`);
        }
        return this.conferences.mute(command.focusUri ?? '', command.muted) ? { ok: true } : fail(`not in conference ${command.focusUri ?? ''}`);
      case 'answer':
        return this.calls.answer(command.id) ? { ok: true } : fail(`no ringing call ${command.id}`);
      case 'hangup':
        return this.calls.hangUp(command.id) ? { ok: true } : fail(`no call ${command.id}`);
      case 'hold':
        return this.calls.hold(command.id, command.held) ? { ok: true } : fail(`no connected call ${command.id}`);
      case 'transfer': {
        const transferred = this.calls.transfer(command.id, command.to);
        return transferred.ok ? { ok: true } : transferred;
      }
      case 'dtmf':
        return this.calls.dtmf(command.id, command.digits) ? { ok: true } : fail(`no connected call ${command.id}`);
      case 'call': {
        const placed = this.calls.call(command.to, command.conversationId);
        return placed.ok ? { ok: true } : placed;
      }
      case 'reconnect-audio':
        return this.conferences.reconnectAudio(command.focusUri) ? { ok: true } : fail(`no ended audio to reconnect in ${command.focusUri}: its audio is up or connecting, or the agent is not in it`);
      case 'presence':
        this.presence.choose({ availability: command.availability, ...(command.note !== undefined && command.note !== '' && { note: command.note }) });
        return { ok: true };
      case 'watch':
        return this.presence.watch(command.aor);
      case 'unwatch':
        return this.presence.unwatch(command.aor);
      case 'im':
        return this.sendIm(command);
      case 'typing':
        return this.im.typing(command.conversationId, command.typing) ? { ok: true } : fail(`no two-party IM session in ${command.conversationId}`);
    }
  }

  /**
   * An `im` command: into a conference's chat (by focus URI, or a conversation that is a
   * conference's), else into a two-party conversation or to a peer.
   */
  private sendIm(command: Extract<AgentCommand, { cmd: 'im' }>): CommandResult {
    const sent = this.sendMessage(command);
    return sent.ok ? { ok: true } : sent;
  }

  /**
   * Sends an instant message and says where it went: the conversation and the message id its
   * `im.delivery` events carry (the desktop opens the conversation a `to` send made).
   */
  sendMessage(command: Omit<Extract<AgentCommand, { cmd: 'im' }>, 'cmd'>): ImSendResult {
    const contentType = command.contentType ?? 'text/plain';
    const conference = command.to === undefined ? this.conferences.conferenceOf(command) : undefined;
    if (conference) {
      const id = command.id ?? `c${randomUUID().slice(0, 8)}`;
      return conference.sendIm(id, command.text, contentType)
        ? { ok: true, messageId: id, conversationId: command.conversationId ?? this.conferences.conversationOf(conference.focusUri) ?? conference.focusUri }
        : { ok: false, message: `the conference ${conference.focusUri} has no chat (not offered, refused or ended)` };
    }
    if (command.focusUri !== undefined) {
      return { ok: false, message: `not in conference ${command.focusUri}` };
    }
    return this.im.send({ ...command, contentType });
  }

  /** Sends pane data and resolves with the INFO's outcome; undefined when no channel matches. */
  sendFromPane(request: { appId: string; conversationId?: string; channelId?: string; contentType: string; body: string }): Promise<InfoOutcome> | undefined {
    return this.channels.send(request);
  }
}
