import type { AgentEngine } from '../agent/agent-engine';
import { LIMITS } from '../agent/limits';
import type { Clock, TimerHandle } from '../ports/clock';
import type { Logger } from '../ports/logger';
import { decideChannelInvite, type ChannelRegistration } from './channel-decision';
import { ChannelState } from './channel-state';
import { ContextChannel } from './context-channel';
import { isListedSipAor } from './sip-identity';
import type { InfoOutcome } from './info-sender';
import { MIME_SESSION_INVITE } from './session-invite';
import { warningHeader } from './warning-text';
import type { InviteAnswer } from '../sip/invite-answer';
import { refusalHeaders, type RingingSlot } from '../sip/request-admission';

/** Ports and facts the channel feature needs. */
export type ChannelManagerDeps = {
  readonly clock: Clock;
  readonly logger: Logger;
  /** The registered extension for a normalised application id, if any. */
  readonly lookup: (appId: string) => ChannelRegistration | undefined;
  /** Whether a conversation id belongs to a conference the agent is in (the trust rule). */
  readonly isConferenceConversation: (conversationId: string) => boolean;
  /**
   * The address of record whose conference invitation or call the agent accepted in this
   * conversation, if any: a trusted sender's pane there opens without asking (open question 35).
   */
  readonly acceptedPeerOf?: (conversationId: string) => string | undefined;
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
  /**
   * The agent chose Do not disturb: requests from senders not on `trustList` are shown without
   * ringing (`quiet`) and answered 486 Busy Here if nobody decides in time.
   */
  readonly doNotDisturb?: () => boolean;
  /** Channels open at once; more get 486 (default {@link LIMITS}.openChannels). */
  readonly maxChannels?: number;
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
 * - Each channel registers with the engine's {@link DialogRecovery}: transport loss moves it to
 *   Recovering, the next registration refreshes its target.
 * @public
 */
export class ChannelManager {
  private readonly channels = new Map<string, ContextChannel>();
  private readonly pending = new Map<string, { channel: ContextChannel; timer: TimerHandle | undefined; slot: RingingSlot }>();
  private readonly log: Logger;
  /** Each channel's unregistration from the engine's dialog recovery. */
  private readonly unrecover = new Map<string, () => void>();

  constructor(
    private readonly engine: AgentEngine,
    private readonly deps: ChannelManagerDeps,
    private readonly options: ChannelManagerOptions = {},
  ) {
    this.log = deps.logger.child('channels');
    engine.invites.handle(MIME_SESSION_INVITE, (answer) => this.handle(answer));
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
    const entry = this.takePending(id);
    if (!entry) {
      return false;
    }
    this.engine.faults.run(entry.channel.callId, 'channel accept', () => this.acceptChannel(entry.channel));
    return true;
  }

  /** Declines a pending channel request with 603; false when `id` names none. */
  decline(id: string): boolean {
    const entry = this.takePending(id);
    if (!entry) {
      return false;
    }
    this.engine.faults.run(entry.channel.callId, 'channel decline', () => entry.channel.decline());
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

  private handle(answer: InviteAnswer): void {
    const message = answer.request.message;
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
      acceptedPeer: this.deps.acceptedPeerOf?.(conversationId),
    });
    if (decision.kind === 'refuse') {
      this.refuse(answer, decision, from);
      return;
    }
    const maxChannels = this.options.maxChannels ?? LIMITS.openChannels;
    if (this.channels.size >= maxChannels) {
      this.busy(answer, from, decision.invite.appId, `${maxChannels} channels are open already`);
      return;
    }
    const slot = decision.kind === 'ask' ? this.engine.admission.ring(from) : undefined;
    if (slot && !slot.ok) {
      answer.reject(slot.status, slot.reasonPhrase, refusalHeaders(slot));
      this.report(decision.invite.appId, slot.status, slot.reason, from);
      return;
    }
    const channel = this.open(answer, conversationId, decision.invite, from);
    answer.request.delegate = this.engine.faults.guard(channel.callId, 'channel request', {
      onCancel: () => {
        this.takePending(channel.id);
        channel.cancelled();
        this.report(channel.appId, 487, 'withdrawn by the sender (CANCEL)', from);
      },
    });
    if (!slot) {
      this.acceptChannel(channel);
      return;
    }
    this.ring(channel, slot, decision.registration.name, conversationId);
  }

  private open(answer: InviteAnswer, conversationId: string, invite: ContextChannel['invite'], from: string): ContextChannel {
    const channel = new ContextChannel(`ch-${this.deps.newId()}`, conversationId, invite, from, answer, {
      events: { onState: (c, state) => this.onState(c, state), onData: (c, contentType, body) => this.onData(c, contentType, body) },
      logger: this.deps.logger,
      contact: () => this.engine.userAgent.userAgentCore.configuration.contact.toString(),
      clock: this.deps.clock,
      faults: this.engine.faults,
    });
    this.channels.set(channel.id, channel);
    this.unrecover.set(channel.id, this.engine.recovery.register(channel.callId, channel));
    this.engine.report({ type: 'dialog', conversationId, callId: answer.callId, role: 'channel', peer: from });
    return channel;
  }

  private ring(channel: ContextChannel, slot: RingingSlot, name: string, conversationId: string): void {
    channel.ring();
    const quiet = (this.options.doNotDisturb?.() ?? false) && !isListedSipAor(channel.from, this.options.trustList ?? []);
    const timer = this.deps.clock.setTimeout(
      this.engine.faults.wrap(channel.callId, 'channel answer timer', () => {
        if (this.takePending(channel.id)) {
          if (quiet) {
            channel.close('no answer (do not disturb)', { status: 486, phrase: 'Busy Here' });
            this.report(channel.appId, 486, 'not answered: the agent does not want to be disturbed', channel.from);
          } else {
            channel.close('no answer');
            this.report(channel.appId, 480, 'not answered in time', channel.from);
          }
        }
      }),
      this.options.answerTimeoutMs ?? 30_000,
    );
    this.pending.set(channel.id, { channel, timer, slot });
    this.engine.report({
      type: 'channel.request',
      id: channel.id,
      appId: channel.appId,
      conversationId,
      channelId: channel.id,
      from: channel.from,
      name,
      ...(channel.invite.customToast !== undefined && { toast: channel.invite.customToast }),
      ...(quiet && { quiet }),
    });
  }

  /** Removes a ringing request from the pending set, freeing its timer and ringing slot. */
  private takePending(id: string): { channel: ContextChannel } | undefined {
    const entry = this.pending.get(id);
    if (!entry) {
      return undefined;
    }
    this.pending.delete(id);
    this.deps.clock.clearTimeout(entry.timer);
    entry.slot.release();
    return entry;
  }

  private busy(answer: InviteAnswer, from: string, appId: string, reason: string): void {
    answer.reject(486, 'Busy Here', [warningHeader(reason)]);
    this.report(appId, 486, reason, from);
  }

  private refuse(answer: InviteAnswer, decision: Extract<ReturnType<typeof decideChannelInvite>, { kind: 'refuse' }>, from: string): void {
    switch (decision.status) {
      case 415:
        answer.reject(415, 'Unsupported Media Type', [`Accept: ${decision.accept.join(', ')}`]);
        this.report(undefined, 415, 'unsupported body type', from);
        return;
      case 403:
        answer.reject(403, 'Forbidden', [warningHeader(decision.reason)]);
        this.report(undefined, 403, decision.reason, from);
        return;
      case 400:
        answer.reject(400, 'Bad Request', [warningHeader(decision.warning)]);
        this.report(undefined, 400, decision.warning, from);
        return;
      case 488:
        answer.reject(488, 'Not Acceptable Here', [warningHeader(decision.warning)]);
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

  /**
   * Answers 200 and reports the initial context at once: it came in the INVITE we accepted, so
   * the pane can show it while the ACK is on its way (a round trip through the proxy sooner;
   * issue 15, screen pop). INFO still waits for the ACK (`ContextChannel`).
   */
  private acceptChannel(channel: ContextChannel): void {
    channel.accept();
    if (channel.state === ChannelState.Establishing) {
      this.reportContext(channel);
    }
  }

  private reportContext(channel: ContextChannel): void {
    if (channel.contextReported) {
      return;
    }
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

  private onState(channel: ContextChannel, state: ChannelState): void {
    this.engine.report({ type: 'channel.state', appId: channel.appId, conversationId: channel.conversationId, channelId: channel.id, state });
    if (state === ChannelState.Established) {
      // Reported at the 200 already, unless the channel was established another way.
      this.reportContext(channel);
    }
    if (state === ChannelState.Terminated) {
      this.channels.delete(channel.id);
      this.unrecover.get(channel.id)?.();
      this.unrecover.delete(channel.id);
      this.takePending(channel.id);
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
        this.takePending(channel.id);
        this.engine.faults.run(channel.callId, 'channel close', () => channel.close(reason));
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
