import { UserAgent } from 'sip.js';
import type { Session } from 'sip.js/lib/core/index.js';
import { ChannelState, transitionChannel } from '../../core/channels/channel-state';
import { InfoDeduplicator, INFO_SEQUENCE_HEADER, readInfoSequence } from '../../core/channels/info-sequence';
import { InfoSender, type InfoOutcome } from '../../core/channels/info-sender';
import { MIME_SESSION_INVITE } from '../../core/channels/session-invite';
import { buildSessionInvite } from './session-invite-builder';
import { makeInitialInvite } from '../../core/sip/outgoing-invite';
import { systemClock as labClock } from '../../main/adapters/node-clock';

/**
 * What {@link ConversationContextChannel.establish} sends, after UCMA's
 * ConversationContextChannelEstablishOptions (protocol-notes §1.4, UCMA-OPTS).
 */
export type EstablishOptions = {
  readonly applicationName?: string;
  readonly toast?: string;
  /** `installLink`: shown by the client when the application is not installed. */
  readonly applicationInstallerPath?: string;
  readonly simpleLink?: string;
  /** Groups the channel with a conversation the agent already has (`Ms-Conversation-ID`). */
  readonly remoteConversationId?: string;
  /** The initial context, base64-encoded on the wire. */
  readonly contextualData?: string | Uint8Array;
};

/** Outcome of {@link ConversationContextChannel.establish}. */
export type EstablishOutcome = { readonly ok: boolean; readonly status: number; readonly reason: string; readonly warning?: string };

/** One INFO the application received. */
export type ReceivedData = { readonly contentType: string; readonly body: string; readonly seq: number | undefined };

/**
 * The lab's server-side context channel, modelled on UCMA's `ConversationContextChannel`:
 * constructed with a conversation and a remote endpoint, `establish(appId, options)` opens the
 * channel (INVITE `application/ms-session-invite+xml`), `sendData` sends INFO, data-received
 * and state-changed events report the agent's side, `terminate()` sends BYE.
 *
 * @remarks Its states are the same six as the agent's ({@link ChannelState}), through the same
 * guarded transition. It validates the same limits the agent enforces before sending (a body
 * the agent would refuse is never sent). While Recovering (an INFO got no answer because the
 * path broke) it holds data; the agent's target-refresh re-INVITE brings it back and the held
 * INFO goes again, which the agent deduplicates by sequence number.
 */
export class ConversationContextChannel {
  private current = ChannelState.Idle;
  private session: Session | undefined;
  private sender: InfoSender | undefined;
  private readonly dedup = new InfoDeduplicator();
  private readonly dataListeners = new Set<(data: ReceivedData) => void>();
  private readonly stateListeners = new Set<(state: ChannelState) => void>();
  /** Every INFO received, in order (tests check for loss and duplicates). */
  readonly received: ReceivedData[] = [];

  constructor(
    private readonly ua: UserAgent,
    readonly conversation: { readonly id: string },
    readonly remoteEndpoint: string,
  ) {}

  get state(): ChannelState {
    return this.current;
  }

  onDataReceived(listener: (data: ReceivedData) => void): () => void {
    this.dataListeners.add(listener);
    return () => this.dataListeners.delete(listener);
  }

  onStateChanged(listener: (state: ChannelState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Opens the channel; resolves with the agent's answer (200, 400, 403, 488, 603…). */
  establish(appId: string, options: EstablishOptions = {}): Promise<EstablishOutcome> {
    const built = buildSessionInvite({
      appId,
      ...(options.contextualData !== undefined && { data: options.contextualData }),
      ...(options.applicationName !== undefined && { name: options.applicationName }),
      ...(options.toast !== undefined && { customToast: options.toast }),
      ...(options.simpleLink !== undefined && { simpleLink: options.simpleLink }),
      ...(options.applicationInstallerPath !== undefined && { installLink: options.applicationInstallerPath }),
    });
    if (!built.ok) {
      return Promise.reject(new Error(`not sent: ${built.message}`));
    }
    const target = UserAgent.makeURI(this.remoteEndpoint);
    if (!target) {
      return Promise.reject(new Error(`not a SIP URI: ${this.remoteEndpoint}`));
    }
    this.move(ChannelState.Establishing);
    const conversationId = options.remoteConversationId ?? this.conversation.id;
    const request = makeInitialInvite(this.ua, target, [], [`Ms-Conversation-ID: ${conversationId}`], {
      contentDisposition: 'render',
      contentType: MIME_SESSION_INVITE,
      content: built.body,
    });
    return new Promise((resolve) => {
      this.ua.userAgentCore.invite(request, {
        onAccept: (response) => {
          response.ack();
          this.attach(response.session);
          this.move(ChannelState.Established);
          resolve({ ok: true, status: 200, reason: response.message.reasonPhrase ?? 'OK' });
        },
        onReject: (response) => {
          this.move(ChannelState.Terminated);
          const warning = response.message.getHeader('warning');
          resolve({
            ok: false,
            status: response.message.statusCode ?? 0,
            reason: response.message.reasonPhrase ?? '',
            ...(warning !== undefined && { warning }),
          });
        },
      });
    });
  }

  /** Sends data to the agent's pane (INFO); resolves once the agent answered it. */
  sendData(contentType: string, body: string): Promise<InfoOutcome> {
    if (!this.sender) {
      return Promise.resolve({ seq: 0, ok: false, status: 0, reason: `channel is ${this.current}` });
    }
    return this.sender.send(contentType, body);
  }

  /** Ends the channel (BYE). */
  terminate(): void {
    if (this.current !== ChannelState.Established && this.current !== ChannelState.Recovering) {
      return;
    }
    this.move(ChannelState.Terminating);
    this.session?.bye();
    this.sender?.close('terminated');
    this.move(ChannelState.Terminated);
  }

  private attach(session: Session): void {
    this.session = session;
    this.sender = new InfoSender(session, labClock, {
      // The agent says the dialog is gone (481): the channel is over on this side too.
      onDialogGone: () => {
        if (this.current !== ChannelState.Terminating && this.current !== ChannelState.Terminated) {
          this.sender?.close('dialog gone');
          this.move(ChannelState.Terminated);
        }
      },
      // A server application queues as much as it likes (UCMA has no such cap); the agent's panes do not.
    }, { maxQueued: Number.POSITIVE_INFINITY, maxQueuedChars: Number.POSITIVE_INFINITY });
    session.delegate = {
      onInfo: (info) => {
        const message = info.message;
        const seq = readInfoSequence(message.getHeader(INFO_SEQUENCE_HEADER));
        if (this.dedup.accept(seq)) {
          const data = { contentType: message.getHeader('content-type') ?? 'application/octet-stream', body: message.body ?? '', seq };
          this.received.push(data);
          this.dataListeners.forEach((l) => l(data));
        }
        info.accept();
      },
      // The agent's target refresh after it reconnected: the path is back.
      onInvite: (reinvite) => {
        reinvite.accept({
          statusCode: 200,
          extraHeaders: [`Contact: ${this.ua.contact.toString()}`],
          body: { contentDisposition: 'render', contentType: MIME_SESSION_INVITE, content: '' },
        });
        if (this.current === ChannelState.Recovering) {
          this.move(ChannelState.Established);
        }
        this.sender?.resume();
      },
      onBye: (bye) => {
        bye.accept();
        this.sender?.close('agent sent BYE');
        if (this.current !== ChannelState.Terminated) {
          this.move(ChannelState.Terminated);
        }
      },
    };
  }

  private move(next: ChannelState): void {
    this.current = transitionChannel(this.current, next);
    this.stateListeners.forEach((l) => l(next));
  }
}
