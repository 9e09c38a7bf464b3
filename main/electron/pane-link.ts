import type { BridgeResponse, BridgeResult, ExtensionInfo } from '../../common/bridge';
import type { Conversation, DesktopState, PaneState } from '../../common/desktop-state';
import { normalizeAppId } from '../../common/extension-manifest';
import { PANE_PROTOCOL, paneToHostSchema, type HostToPane, type PaneToHost } from '../../common/pane-protocol';

export { PANE_TO_HOST_CHANNEL, PANE_TO_PANE_CHANNEL } from '../../common/pane-protocol';

/** The pane API's body limit (common/pane-api.ts `sendData`): larger bodies are not sent. */
const MAX_BODY_CHARS = 64_000;
/** RFC 2045 `type/subtype` with optional parameters. */
const MIME_TYPE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+\/[!#$%&'*+\-.^_`|~0-9A-Za-z]+(\s*;.*)?$/s;
/** How long a hello waits for the channel to be established before init says `interrupted`. */
const DEFAULT_INIT_WAIT_MS = 1500;

type PaneProtocolState = Extract<HostToPane, { kind: 'state' }>['state'];
type PaneConversationMessage = Extract<HostToPane, { kind: 'conversation' }>['conversation'];
type SentMessage = Extract<HostToPane, { kind: 'sent' }>;

/** What a {@link PaneLink} needs from its host. */
export type PaneLinkOptions = {
  /** The pane's application, canonical GUID (braced, upper case). */
  readonly appId: string;
  readonly conversationId: string;
  /** The extension as the registry lists it (size and granted permissions go into `init`). */
  readonly extension: Pick<ExtensionInfo, 'size' | 'permissions'>;
  /** Delivers one message to the pane page. */
  readonly post: (message: HostToPane) => void;
  /** Runs `pane.send` / `pane.close` on the desktop session. */
  readonly request: (method: 'pane.send' | 'pane.close', params: Record<string, unknown>) => Promise<BridgeResponse>;
  /** The host's current desktop state (already reduced with the push being delivered). */
  readonly state: () => DesktopState;
  readonly initWaitMs?: number;
};

/**
 * The host side of one pane's `switchboard-pane/1` conversation: answers `hello` with `init`
 * built from the desktop state, then forwards the pane's data, channel, state and conversation
 * changes as they are pushed, and carries the pane's `send` and `close` to the session.
 * @remarks Free of Electron so that it can be tested without the binary; the caller owns the
 * transport (a WebContentsView's IPC) and checks who sent what.
 */
export class PaneLink {
  private greeted = false;
  private initialized = false;
  private closedByPane = false;
  private disposed = false;
  /** The `n` of the last data item handed to the page (PaneState.data), once initialised. */
  private delivered = 0;
  private initTimer: NodeJS.Timeout | undefined;
  private lastState: PaneProtocolState | undefined;
  private lastChannels = '';
  private lastConversation = '';

  constructor(private readonly options: PaneLinkOptions) {}

  /** One message from the pane page, unvalidated. */
  receive(raw: unknown): void {
    if (this.disposed) {
      return;
    }
    const parsed = paneToHostSchema.safeParse(raw);
    if (!parsed.success) {
      this.refuseMalformedSend(raw);
      return;
    }
    const message: PaneToHost = parsed.data;
    switch (message.kind) {
      case 'hello':
        // A reloaded page says hello again and must get a fresh init.
        this.greeted = true;
        this.initialized = false;
        clearTimeout(this.initTimer);
        this.initTimer = undefined;
        if (!this.tryInit(false)) {
          this.initTimer = setTimeout(() => {
            this.initTimer = undefined;
            this.tryInit(true);
          }, this.options.initWaitMs ?? DEFAULT_INIT_WAIT_MS);
          this.initTimer.unref?.();
        }
        return;
      case 'send':
        void this.send(message);
        return;
      case 'close':
        this.closedByPane = true;
        void this.options.request('pane.close', { appId: this.options.appId, conversationId: this.options.conversationId });
        return;
      case 'standby':
        // Only an answer to a host's `standby`, which this host never sends (its panes load with their channel).
        return;
    }
  }

  /**
   * Called after every session push, with the state already reduced.
   * @remarks Data is read from the pane's state (`PaneState.data`, numbered), not from the
   * push, so that whatever arrived before the page said hello (it loads after the channel
   * opened) still reaches it, in order and once, as the browser host's iframe gets it too.
   */
  update(): void {
    if (this.disposed || !this.greeted) {
      return;
    }
    if (!this.initialized) {
      this.tryInit(this.initTimer === undefined);
      return;
    }
    this.sendChanges();
  }

  /** The view is gone: nothing more is posted. */
  dispose(): void {
    this.disposed = true;
    clearTimeout(this.initTimer);
    this.initTimer = undefined;
  }

  private find(): { conversation: Conversation; pane: PaneState; state: DesktopState } | undefined {
    const state = this.options.state();
    const conversation = state.conversations.find((c) => c.id === this.options.conversationId);
    const pane = conversation?.panes.find((p) => sameApp(p.appId, this.options.appId));
    return conversation && pane ? { conversation, pane, state } : undefined;
  }

  /**
   * Sends `init` once the pane has its context. While its channel is still being established
   * init waits a little, so that a pane normally starts `open`; `force` stops waiting, because
   * the SDK gives up on a host that does not answer hello within seconds.
   */
  private tryInit(force: boolean): boolean {
    const found = this.find();
    if (!found?.pane.context || (found.pane.state === 'opening' && !force)) {
      return false;
    }
    const { conversation, pane, state } = found;
    const context = pane.context;
    if (!context) {
      return false;
    }
    clearTimeout(this.initTimer);
    this.initTimer = undefined;
    const paneState = this.protocolState(conversation, pane);
    const participants = conversationOf(conversation, state);
    this.options.post({
      protocol: PANE_PROTOCOL,
      kind: 'init',
      appId: normalizeAppId(this.options.appId) ?? this.options.appId,
      size: this.options.extension.size,
      permissions: [...this.options.extension.permissions],
      initialContext: {
        channelId: context.channelId,
        ...(context.data !== undefined && { data: context.data }),
        ...(context.simpleLink !== undefined && { simpleLink: context.simpleLink }),
      },
      conversation: participants,
      state: paneState,
    });
    this.initialized = true;
    // A reloaded page starts over: it gets again the data the host still holds.
    this.delivered = 0;
    this.lastState = paneState;
    this.lastChannels = JSON.stringify([context.channelId]);
    this.lastConversation = JSON.stringify(participants);
    this.sendChanges();
    return true;
  }

  private sendChanges(): void {
    const found = this.find();
    if (!found) {
      return;
    }
    const { conversation, pane, state } = found;
    for (const item of pane.data) {
      if (item.n > this.delivered) {
        this.options.post({ protocol: PANE_PROTOCOL, kind: 'data', channelId: item.channelId, contentType: item.contentType, body: item.body });
        this.delivered = item.n;
      }
    }
    const channelIds = pane.channels.filter((c) => c.state !== 'Terminated' && c.state !== 'Terminating').map((c) => c.channelId);
    const channelsKey = JSON.stringify(channelIds);
    if (channelIds.length > 0 && channelsKey !== this.lastChannels) {
      this.lastChannels = channelsKey;
      this.options.post({ protocol: PANE_PROTOCOL, kind: 'channels', channelIds });
    }
    const view = conversationOf(conversation, state);
    const viewKey = JSON.stringify(view);
    if (viewKey !== this.lastConversation) {
      this.lastConversation = viewKey;
      this.options.post({ protocol: PANE_PROTOCOL, kind: 'conversation', conversation: view });
    }
    const paneState = this.protocolState(conversation, pane);
    if (paneState !== this.lastState) {
      this.lastState = paneState;
      this.options.post(
        paneState === 'closed'
          ? { protocol: PANE_PROTOCOL, kind: 'state', state: 'closed', reason: this.closeReason(conversation) }
          : { protocol: PANE_PROTOCOL, kind: 'state', state: paneState },
      );
    }
  }

  /**
   * Why the pane closed, as the pane API names it. A conversation made only of channels ends
   * because its last channel did, so only a conference's end counts as `conversation-ended`.
   */
  private closeReason(conversation: Conversation): 'closed-by-pane' | 'conversation-ended' | 'bye' {
    if (this.closedByPane) {
      return 'closed-by-pane';
    }
    return conversation.kind === 'conference' && conversation.state === 'ended' ? 'conversation-ended' : 'bye';
  }

  /** The pane API has no "opening": a channel not yet usable is reported like a link that is down. */
  private protocolState(conversation: Conversation, pane: PaneState): PaneProtocolState {
    if (conversation.state === 'ended') {
      return 'closed';
    }
    return pane.state === 'opening' ? 'interrupted' : pane.state;
  }

  private async send(message: Extract<PaneToHost, { kind: 'send' }>): Promise<void> {
    const { requestId } = message;
    const reply = (sent: Omit<SentMessage, 'protocol' | 'kind' | 'requestId'>): void => {
      if (!this.disposed) {
        this.options.post({ protocol: PANE_PROTOCOL, kind: 'sent', requestId, ...sent });
      }
    };
    if (!this.initialized) {
      reply({ ok: false, reason: 'closed', message: 'the pane is not connected to its channel yet' });
      return;
    }
    const refused = checkSend(message.contentType, message.body);
    if (refused) {
      reply(refused);
      return;
    }
    const response = await this.options.request('pane.send', {
      appId: this.options.appId,
      conversationId: this.options.conversationId,
      ...(message.channelId !== undefined && { channelId: message.channelId }),
      contentType: message.contentType,
      body: message.body,
    });
    reply(this.outcome(response as BridgeResponse<'pane.send'>));
  }

  private outcome(response: BridgeResponse<'pane.send'>): Omit<SentMessage, 'protocol' | 'kind' | 'requestId'> {
    if (!response.ok) {
      const { code, message } = response.error;
      const reason = code === 'unavailable' ? 'offline' : code === 'not-found' ? 'closed' : 'rejected';
      return { ok: false, reason, message };
    }
    const result: BridgeResult<'pane.send'> = response.result;
    if (result.ok) {
      return { ok: true, status: result.status };
    }
    if (result.status === 408 || (result.status === 0 && /time/i.test(result.reason))) {
      return { ok: false, reason: 'timeout', message: result.reason || 'no answer in time', ...(result.status > 0 && { status: result.status }) };
    }
    if (result.status === 0) {
      const interrupted = this.lastState === 'interrupted';
      return { ok: false, reason: interrupted ? 'offline' : 'closed', message: result.reason || 'not delivered' };
    }
    return { ok: false, reason: 'rejected', status: result.status, message: `${result.status} ${result.reason}`.trim() };
  }

  /**
   * A `send` the schema refused (a body over its bound, a bad type) would otherwise leave the
   * pane waiting for its timeout: answer it, when its request id can be read.
   */
  private refuseMalformedSend(raw: unknown): void {
    if (typeof raw !== 'object' || raw === null) {
      return;
    }
    const { protocol, kind, requestId, contentType, body } = raw as Record<string, unknown>;
    if (protocol !== PANE_PROTOCOL || kind !== 'send' || typeof requestId !== 'number' || !Number.isSafeInteger(requestId) || requestId < 0) {
      return;
    }
    const refused = checkSend(typeof contentType === 'string' ? contentType : '', typeof body === 'string' ? body : '') ?? {
      ok: false,
      reason: 'rejected',
      message: 'malformed send request',
    };
    this.options.post({ protocol: PANE_PROTOCOL, kind: 'sent', requestId, ...refused });
  }
}

/** The pane API's promises about what is never sent (common/pane-api.ts `PaneSendOutcome`). */
function checkSend(contentType: string, body: string): Omit<SentMessage, 'protocol' | 'kind' | 'requestId'> | undefined {
  if (contentType.length > 255 || !MIME_TYPE.test(contentType)) {
    return { ok: false, reason: 'bad-content-type', message: `not a MIME type: ${JSON.stringify(contentType.slice(0, 80))}` };
  }
  if (body.length > MAX_BODY_CHARS) {
    return { ok: false, reason: 'too-large', message: `the body has ${body.length} characters; at most ${MAX_BODY_CHARS} are sent` };
  }
  return undefined;
}

/**
 * The conversation as a pane sees it: the conference roster, or for a channel-only
 * conversation the application and the agent.
 */
function conversationOf(conversation: Conversation, state: DesktopState): PaneConversationMessage {
  const participants: PaneConversationMessage['participants'] =
    conversation.kind === 'conference'
      ? conversation.roster.map((u) => ({ uri: u.entity, ...(u.displayText !== undefined && { displayName: u.displayText }), self: u.self }))
      : [
          ...(conversation.from !== '' ? [{ uri: conversation.from, self: false }] : []),
          ...(state.connection.aor !== undefined ? [{ uri: state.connection.aor, self: true }] : []),
        ];
  return { id: conversation.id, ...(conversation.subject !== '' && { subject: conversation.subject }), participants };
}

function sameApp(a: string, b: string): boolean {
  return (normalizeAppId(a) ?? a) === (normalizeAppId(b) ?? b);
}
