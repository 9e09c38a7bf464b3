import type { IncomingInviteRequest } from 'sip.js/lib/core/index.js';
import type { AgentEngine } from '../agent/agent-engine';
import type { Clock, TimerHandle } from '../ports/clock';
import type { Logger } from '../ports/logger';
import { decideChannelInvite, type ChannelRegistration } from './channel-decision';
import { ChannelState } from './channel-state';
import { ContextChannel } from './context-channel';
import type { InfoOutcome } from './info-sender';
import { MIME_SESSION_INVITE } from './session-invite';
import { toWarningText } from './warning-text';

/** Ports and facts the channel feature needs. */
export type ChannelManagerDeps = {
  readonly clock: Clock;
  readonly logger: Logger;
  /** The registered extension for a normalised application id, if any. */
  readonly lookup: (appId: string) => ChannelRegistration | undefined;
  /** Whether a conversation id belongs to a conference the agent is in (the trust rule). */
  readonly isConferenceConversation: (conversationId: string) => boolean;
  readonly newId: () => string;
};

/** Options of {@link ChannelManager}. */
export type ChannelManagerOptions = {
  /** Accept channels that pass every rule without asking (`--auto-accept`). */
  readonly autoAccept?: boolean;
  /** SIP URIs allowed to open channels inside a conference (`--trust`). */
  readonly trustList?: readonly string[];
  /** Answer 480 to a channel request nobody decides on in this time. */
  readonly answerTimeoutMs?: number;
};

/** A request to send data from a pane. */
export type PaneSend = {
  readonly appId: string;
  readonly contentType: string;
  readonly body: string;
  readonly conversationId?: string;
  readonly channelId?: string;
};

/** Header that groups a conversation's dialogs (protocol-notes §1.4, open question 9). */
const CONVERSATION_HEADER = 'ms-conversation-id';

/**
 * The context-channel feature: decides channel INVITEs, keeps the channels of each pane
 * (conversation × application) and relays data between panes and server applications.
 *
 * @remarks
 * - The decision (415, 403, 400, 488 with an install notice, ask or accept) is
 *   `decideChannelInvite`; a declined request gets 603, an unanswered one 480 (open question 7).
 * - The conversation is the `Ms-Conversation-ID` of the INVITE when present, else the
 *   channel's own dialog (open question 9). Several applications' channels for the same
 *   application in one conversation reach one pane, which sees all their data and answers each
 *   by channel id (UCMA-CCC: "sent to a single client application instance").
 * - Transport loss moves channels to Recovering; the next registration refreshes them.
 * @public
 */
export class ChannelManager {
  private readonly channels = new Map<string, ContextChannel>();
  private readonly pending = new Map<string, { channel: ContextChannel; timer: TimerHandle | undefined }>();
  private readonly log: Logger;

  constructor(
    private readonly engine: AgentEngine,
    private readonly deps: ChannelManagerDeps,
    private readonly options: ChannelManagerOptions = {},
  ) {
    this.log = deps.logger.child('channels');
    engine.invites.handle(MIME_SESSION_INVITE, (request) => this.handle(request));
    engine.events.on('connection', (event) => {
      if (event.state === 'lost') {
        this.channels.forEach((c) => c.transportLost());
      }
    });
    engine.events.on('registered', () => this.channels.forEach((c) => c.transportRestored()));
    // BYEs are handed to the transport synchronously, so they are out before it disconnects.
    engine.addStopHook(() => {
      this.closeWhere(() => true, 'agent stopping');
      return Promise.resolve();
    });
  }

  /** Channels alive, for checks that nothing is left behind. */
  active(): { channelId: string; appId: string; conversationId: string; state: ChannelState }[] {
    return [...this.channels.values()].map((c) => ({ channelId: c.id, appId: c.appId, conversationId: c.conversationId, state: c.state }));
  }

  /** Accepts a pending channel request; false when `id` names none. */
  accept(id: string): boolean {
    const entry = this.pending.get(id);
    if (!entry) {
      return false;
    }
    this.pending.delete(id);
    this.deps.clock.clearTimeout(entry.timer);
    entry.channel.accept();
    return true;
  }

  /** Declines a pending channel request with 603; false when `id` names none. */
  decline(id: string): boolean {
    const entry = this.pending.get(id);
    if (!entry) {
      return false;
    }
    this.pending.delete(id);
    this.deps.clock.clearTimeout(entry.timer);
    entry.channel.decline();
    this.engine.report({ type: 'channel.refused', appId: entry.channel.appId, status: 603, reason: 'declined by the agent', from: entry.channel.from });
    return true;
  }

  /**
   * Sends data from a pane; reports `channel.sent` and resolves with the same outcome.
   * @returns undefined when no channel matches.
   */
  send(request: PaneSend): Promise<InfoOutcome> | undefined {
    const channel = this.pick(request);
    if (!channel) {
      return undefined;
    }
    return channel.send(request.contentType, request.body).then((outcome) => {
      this.engine.report({
        type: 'channel.sent',
        appId: channel.appId,
        conversationId: channel.conversationId,
        channelId: channel.id,
        seq: outcome.seq,
        ok: outcome.ok,
        status: outcome.status,
        reason: outcome.reason,
      });
      return outcome;
    });
  }

  /** The pane closed: BYE every channel it had. False when it had none. */
  closePane(appId: string, conversationId?: string): boolean {
    return this.closeWhere((c) => sameApp(c.appId, appId) && (conversationId === undefined || c.conversationId === conversationId), 'pane closed') > 0;
  }

  /** The conversation ended: its channels end too (UCMA-CCC). */
  endConversation(conversationId: string): void {
    this.closeWhere((c) => c.conversationId === conversationId, 'conversation ended');
  }

  private handle(request: IncomingInviteRequest): void {
    const message = request.message;
    const from = message.from.uri.toString();
    const conversationId = message.getHeader(CONVERSATION_HEADER)?.trim() || message.callId;
    const decision = decideChannelInvite({
      contentType: message.getHeader('content-type'),
      body: message.body ?? '',
      fromUri: from,
      inConference: this.deps.isConferenceConversation(conversationId),
      trustList: this.options.trustList ?? [],
      isRegistered: (appId) => this.deps.lookup(appId),
      autoAccept: this.options.autoAccept ?? false,
    });
    switch (decision.kind) {
      case 'refuse':
        this.refuse(request, decision, from);
        return;
      case 'ask':
      case 'accept': {
        const channel = new ContextChannel(
          `ch-${this.deps.newId()}`,
          conversationId,
          decision.invite,
          from,
          request,
          { onState: (c, state) => this.onState(c, state), onData: (c, contentType, body) => this.onData(c, contentType, body) },
          this.deps.logger,
          () => this.engine.userAgent.userAgentCore.configuration.contact.toString(),
          this.deps.clock,
        );
        this.channels.set(channel.id, channel);
        this.engine.report({ type: 'dialog', conversationId, callId: message.callId, role: 'channel', peer: from });
        request.delegate = {
          onCancel: () => {
            const entry = this.pending.get(channel.id);
            this.pending.delete(channel.id);
            this.deps.clock.clearTimeout(entry?.timer);
            request.reject({ statusCode: 487, reasonPhrase: 'Request Terminated' });
            channel.close('cancelled');
          },
        };
        if (decision.kind === 'accept') {
          channel.accept();
          return;
        }
        request.progress({ statusCode: 180, reasonPhrase: 'Ringing' });
        const timer = this.deps.clock.setTimeout(() => {
          if (this.pending.delete(channel.id)) {
            channel.close('no answer');
          }
        }, this.options.answerTimeoutMs ?? 30_000);
        this.pending.set(channel.id, { channel, timer });
        this.engine.report({
          type: 'channel.request',
          id: channel.id,
          appId: channel.appId,
          conversationId,
          channelId: channel.id,
          from,
          name: decision.registration.name,
          ...(decision.invite.customToast !== undefined && { toast: decision.invite.customToast }),
        });
      }
    }
  }

  private refuse(request: IncomingInviteRequest, decision: Extract<ReturnType<typeof decideChannelInvite>, { kind: 'refuse' }>, from: string): void {
    switch (decision.status) {
      case 415:
        request.reject({ statusCode: 415, reasonPhrase: 'Unsupported Media Type', extraHeaders: [`Accept: ${decision.accept.join(', ')}`] });
        this.report(undefined, 415, 'unsupported body type', from);
        return;
      case 403:
        request.reject({ statusCode: 403, reasonPhrase: 'Forbidden', extraHeaders: [`Warning: 399 switchboard "${toWarningText(decision.reason)}"`] });
        this.report(undefined, 403, decision.reason, from);
        return;
      case 400:
        request.reject({ statusCode: 400, reasonPhrase: 'Bad Request', extraHeaders: [`Warning: 399 switchboard "${decision.warning}"`] });
        this.report(undefined, 400, decision.warning, from);
        return;
      case 488:
        request.reject({ statusCode: 488, reasonPhrase: 'Not Acceptable Here', extraHeaders: [`Warning: 399 switchboard "${decision.warning}"`] });
        this.report(decision.appId, 488, decision.warning, from);
        this.engine.report({
          type: 'channel.install',
          appId: decision.appId,
          ...(decision.install.name !== undefined && { name: decision.install.name }),
          ...(decision.install.link !== undefined && { link: decision.install.link }),
        });
        return;
    }
  }

  private report(appId: string | undefined, status: number, reason: string, from: string): void {
    this.log.warn('channel refused', { status, reason, from });
    this.engine.report({ type: 'channel.refused', appId: appId ?? '', status, reason, from });
  }

  private onState(channel: ContextChannel, state: ChannelState): void {
    this.engine.report({ type: 'channel.state', appId: channel.appId, conversationId: channel.conversationId, channelId: channel.id, state });
    if (state === ChannelState.Established && !channel.contextReported) {
      channel.contextReported = true;
      const data = channel.invite.data;
      this.engine.report({
        type: 'channel.context',
        appId: channel.appId,
        conversationId: channel.conversationId,
        channelId: channel.id,
        ...(data?.text !== undefined && { data: data.text }),
        ...(data !== undefined && { dataBase64: data.bytesBase64 }),
        ...(channel.invite.simpleLink !== undefined && { simpleLink: channel.invite.simpleLink }),
      });
    }
    if (state === ChannelState.Terminated) {
      this.channels.delete(channel.id);
      const entry = this.pending.get(channel.id);
      if (entry) {
        this.pending.delete(channel.id);
        this.deps.clock.clearTimeout(entry.timer);
      }
    }
  }

  private onData(channel: ContextChannel, contentType: string, body: string): void {
    this.engine.report({ type: 'channel.data', appId: channel.appId, conversationId: channel.conversationId, channelId: channel.id, contentType, body });
  }

  /** The channel a send is for: named, else the newest live one of that pane. */
  private pick(request: PaneSend): ContextChannel | undefined {
    if (request.channelId !== undefined) {
      const channel = this.channels.get(request.channelId);
      return channel && sameApp(channel.appId, request.appId) ? channel : undefined;
    }
    const candidates = [...this.channels.values()].filter(
      (c) => sameApp(c.appId, request.appId) && (request.conversationId === undefined || c.conversationId === request.conversationId) && c.state !== ChannelState.Terminated && c.state !== ChannelState.Terminating,
    );
    return candidates.at(-1);
  }

  private closeWhere(match: (c: ContextChannel) => boolean, reason: string): number {
    let count = 0;
    for (const channel of [...this.channels.values()]) {
      if (match(channel)) {
        this.pending.delete(channel.id);
        channel.close(reason);
        count += 1;
      }
    }
    return count;
  }
}

/** Application ids compare as GUIDs: braces and case do not matter. */
function sameApp(a: string, b: string): boolean {
  const norm = (s: string): string => s.trim().replace(/^\{|\}$/g, '').toLowerCase();
  return norm(a) === norm(b);
}
