import type { ExtensionPermission, PaneSize } from './extension-manifest';

/**
 * The API an extension pane gets from its host: the TypeScript contract behind the pane SDK,
 * implemented by the Electron preload and the browser host alike.
 *
 * @remarks This is the Lync 2013 contextual-conversation API recast for a web pane
 * (protocol-notes §3, "How the extension gets data" and "How it sends data back",
 * [MSDOC LYNC-HOWTO, LYNC-CONSUME, LYNC-API]):
 * `GetHostingConversation()` is {@link PaneApi.conversation}, `GetApplicationData(appId)` is
 * {@link PaneApi.initialContext}, the `ContextDataReceived` event is {@link PaneApi.onData},
 * and `BeginSendContextData(appId, mimeType, data)` is {@link PaneApi.sendData}. Unlike in Lync,
 * a pane never filters by application id: the host only delivers its own application's
 * traffic. One pane instance serves every channel its application has in the conversation
 * ("multiple requests ... are sent to a single client application instance", [MSDOC UCMA-CCC]),
 * so data is tagged with the channel it came on.
 * @public
 */
export interface PaneApi {
  /** This pane's application GUID, in the canonical braced upper-case form. */
  readonly appId: string;

  /** The size the manifest asked for (`small` 300×200, `medium` 400×600, `large` 800×600). */
  readonly size: PaneSize;

  /** The host services granted by the manifest's `permissions`; anything else is refused. */
  readonly permissions: readonly ExtensionPermission[];

  /**
   * The context the pane was opened with: the `data` of the channel INVITE that launched it,
   * already base64-decoded (protocol-notes §1.4).
   * @remarks Initial context is cached for the conversation, so a pane opened later (or
   * reloaded) still gets it [MSDOC LYNC10-LIMITS]; it is at most 4 KB on the wire (§4).
   */
  readonly initialContext: PaneInitialContext;

  /**
   * The conversation hosting the pane, as it is now. Re-read it after a
   * `conversation` state change: participants come and go.
   */
  readonly conversation: PaneConversation;

  /** The channel state as it is now; changes are reported by {@link PaneApi.onStateChange}. */
  readonly state: PaneState;

  /**
   * Subscribes to context data sent by the server application (SIP INFO on the channel).
   * @remarks Each message is delivered once, in arrival order; the host answers the INFO
   * 200 only after handing the body to the pane, so the sender's completion means
   * "delivered" (protocol-notes §5.11). Context data is not cached: messages sent before
   * the pane subscribed are not replayed [MSDOC LYNC10-LIMITS].
   * @returns A function that ends the subscription.
   */
  onData(listener: (data: PaneContextData) => void): PaneUnsubscribe;

  /**
   * Sends context data to the server application, as a SIP INFO on the channel.
   * @param contentType - A MIME type (RFC 1341 syntax), e.g. `application/vnd.example+json`
   * [MSDOC LYNC-API hh347665].
   * @param body - The payload, at most 64,000 characters (the Lync API limit, §4 and §5.12).
   * @param options - Which channel to send on; by default the channel the latest data came
   * from, else the channel that opened the pane.
   * @returns The outcome. It never rejects: whatever the far end, the network or the pane
   * did wrong comes back as a {@link PaneSendOutcome} the pane can show.
   */
  sendData(contentType: string, body: string, options?: PaneSendOptions): Promise<PaneSendOutcome>;

  /**
   * Subscribes to changes of the channel state and of the conversation.
   * @returns A function that ends the subscription.
   */
  onStateChange(listener: (change: PaneStateChange) => void): PaneUnsubscribe;

  /**
   * Closes the pane and ends its channels: the host sends BYE on each (protocol-notes §1.4,
   * "Closing the extension pane should BYE the channel"). Resolves once the pane is closed;
   * calling it again does nothing.
   */
  close(): Promise<void>;
}

/** Ends a subscription made with {@link PaneApi.onData} or {@link PaneApi.onStateChange}. @public */
export type PaneUnsubscribe = () => void;

/**
 * The context a pane was opened with.
 * @public
 */
export type PaneInitialContext = {
  /** The channel (one INVITE dialog) that opened the pane; stable for its lifetime. */
  readonly channelId: string;
  /**
   * The INVITE's `data` property, base64-decoded, or undefined when it carried none. When the
   * value was not valid base64 it is passed through as sent (Microsoft's sample sends it
   * un-encoded, protocol-notes §1.4).
   */
  readonly data: string | undefined;
  /** The INVITE's `simpleLink`: a URL the server application shows with the context. */
  readonly simpleLink: string | undefined;
};

/**
 * One context message from the server application.
 * @public
 */
export type PaneContextData = {
  /** The channel it arrived on; pass it to {@link PaneApi.sendData} to reply on the same one. */
  readonly channelId: string;
  /** The INFO's `Content-Type`, e.g. `application/vnd.example.ticket+json`. */
  readonly contentType: string;
  /** The INFO body as text. */
  readonly body: string;
  /** Arrival time, milliseconds since the epoch. */
  readonly receivedAt: number;
};

/** Options of {@link PaneApi.sendData}. @public */
export type PaneSendOptions = {
  /** The channel to send on; see {@link PaneApi.sendData} for the default. */
  readonly channelId?: string;
};

/**
 * What became of a {@link PaneApi.sendData} call.
 * @remarks `rejected` carries the SIP status the server application answered (e.g. 415 for
 * a content type it does not take, 413 when the body is too large for it).
 * @public
 */
export type PaneSendOutcome =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /**
       * - `rejected`: the far end answered the INFO with an error status;
       * - `timeout`: no final answer in time (the INFO transaction timed out);
       * - `closed`: the channel ended, or no channel of this pane is open;
       * - `too-large`: the body exceeds 64,000 characters and was not sent;
       * - `bad-content-type`: `contentType` is not a MIME type and was not sent;
       * - `offline`: the agent's signaling link is down;
       * - `busy`: 64 sends of this channel are still waiting (a long outage, a slow server
       *   application); nothing was queued: wait for earlier outcomes, then send again.
       */
      readonly reason: 'rejected' | 'timeout' | 'closed' | 'too-large' | 'bad-content-type' | 'offline' | 'busy';
      /** The SIP status code, for `rejected`. */
      readonly status?: number;
      /** One readable line for the agent. */
      readonly message: string;
    };

/**
 * The state of a pane's channels.
 * @remarks
 * ```
 *   open ──(link lost)──▶ interrupted ──(link back)──▶ open
 *     │                        │
 *     └────────(BYE, conversation ended, close(), failure)────────▶ closed
 * ```
 * `open`: at least one channel is established and data flows. `interrupted`: the agent's
 * signaling link is down; sends resolve `offline`. `closed` is final: every channel ended
 * (protocol-notes §1.4, "Termination / BYE").
 * @public
 */
export type PaneState = 'open' | 'interrupted' | 'closed';

/**
 * Why a pane's channels ended.
 * - `bye`: the server application sent BYE;
 * - `conversation-ended`: the conversation's last call or conference ended;
 * - `closed-by-pane`: the pane called {@link PaneApi.close};
 * - `closed-by-agent`: the agent closed the pane or its conversation window;
 * - `failed`: a fatal error on the channel.
 * @public
 */
export type PaneCloseReason = 'bye' | 'conversation-ended' | 'closed-by-pane' | 'closed-by-agent' | 'failed';

/**
 * A change reported by {@link PaneApi.onStateChange}.
 * @public
 */
export type PaneStateChange =
  | { readonly kind: 'state'; readonly state: 'open' | 'interrupted' }
  | { readonly kind: 'state'; readonly state: 'closed'; readonly reason: PaneCloseReason }
  /** A channel of this application joined or left the pane (another server application). */
  | { readonly kind: 'channels'; readonly channelIds: readonly string[] }
  /** The subject or the participants changed; {@link PaneApi.conversation} has the new value. */
  | { readonly kind: 'conversation'; readonly conversation: PaneConversation };

/**
 * The conversation hosting a pane (Lync's `GetHostingConversation()`).
 * @public
 */
export type PaneConversation = {
  /** The conversation id (the `Ms-Conversation-ID` the channel is bound to, protocol-notes §5.9). */
  readonly id: string;
  /** The conversation or conference subject, or undefined when it has none. */
  readonly subject: string | undefined;
  /** Everyone in the conversation, the agent included (`self`). */
  readonly participants: readonly PaneParticipant[];
};

/**
 * One participant of a {@link PaneConversation}.
 * @public
 */
export type PaneParticipant = {
  /** The participant's SIP URI, e.g. `sip:customer@example.org`. */
  readonly uri: string;
  /** The display name, or undefined when none is known. */
  readonly displayName: string | undefined;
  /** True for the agent running this pane. */
  readonly self: boolean;
};
