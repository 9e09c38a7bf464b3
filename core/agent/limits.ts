/**
 * Every cap on what a remote peer can make the agent hold, in one table (the README's
 * "Limits" table mirrors it). A peer controls how many requests it sends and how big they are;
 * the agent decides how many it keeps. Each cap has a defined outcome when hit: a precise SIP
 * status to the peer, a log line, and where a person is involved a message.
 * @packageDocumentation
 */

/**
 * The caps, with the outcome when each is hit.
 * @remarks
 * - Ringing and rate: RFC 3261 §21.4.24 (486 Busy Here: "not willing or able to take
 *   additional calls") and §21.5.4 with §20.33 (503 with Retry-After: overloaded, try later).
 * - INFO size: protocol notes open question 12 (the Lync API allows 64,000 characters of
 *   context data per INFO; larger gets 413, RFC 3261 §21.4.11).
 * - SIP message size: the start line and the header section are capped before sip.js's
 *   grammar reads them (a few microseconds per character); a request over a cap gets 414
 *   Request-URI Too Long (RFC 3261 §21.4.12) for its request line, 513 Message Too Large
 *   (§21.5.7) for a header field or the section, answered statelessly (§8.2.7); a response
 *   over a cap is dropped. Both are logged (core/sip/message-size.ts).
 * - Roster: Skype for Business meetings hold at most 1,000 people (250 by default); entries past
 *   the cap are ignored and logged once per document.
 * @public
 */
export const LIMITS = {
  /** Invitations and channel requests ringing at once from one sender; more get 486. */
  ringingPerSender: 5,
  /** Invitations and channel requests ringing at once in all; more get 486. */
  ringingTotal: 20,
  /** New out-of-dialog INVITEs and MESSAGEs one sender may send per window; more get 503. */
  requestsPerSender: 10,
  /** The rate window, and the Retry-After given with a 503. */
  rateWindowMs: 10_000,
  /** Senders tracked for the rate at once; a request from one more sender gets 503. */
  trackedSenders: 1024,
  /** Context channels open at once; a channel request past it gets 486. */
  openChannels: 64,
  /** Conferences joined at once; an invitation past it gets 486. */
  conferences: 8,
  /** Participants kept per roster; more are ignored. */
  rosterUsers: 1000,
  /** Body of one INFO delivered to a pane, in UTF-16 code units; larger gets 413. */
  infoBodyChars: 64_000,
  /** Start line of an incoming SIP message, in UTF-16 code units; a longer request line gets 414. */
  sipStartLineChars: 2048,
  /** One header field of an incoming SIP message (folded lines together); longer gets 513. */
  sipHeaderLineChars: 4096,
  /** Header section of an incoming SIP message (start line to the empty line); longer gets 513. */
  sipHeaderSectionChars: 8192,
  /**
   * One WebSocket frame from the proxy, in bytes: a larger one closes the connection (1009), which
   * then re-opens as after any loss. The largest body we take (`infoBodyChars`) fits many times.
   */
  sipFrameBytes: 1_048_576,
  /** INFOs queued per channel, in flight included; a pane send past it is refused `busy`. */
  channelSendQueue: 64,
  /** Characters of INFO bodies queued per channel; a pane send past it is refused `busy`. */
  channelSendChars: 1_048_576,
  /**
   * Conversation windows open at once (Electron); past it a conversation stays in the main
   * window's list and the agent is told to close one.
   */
  conversationWindows: 12,
  /** Two-party IM sessions at once; an IM INVITE past it gets 486. */
  imConversations: 64,
  /** Contacts whose presence one agent watches at once; a `watch` past it is refused. */
  watchedContacts: 100,
} as const;

/** The type of {@link LIMITS}, for options that override a cap in tests. @public */
export type Limits = { readonly [K in keyof typeof LIMITS]: number };
