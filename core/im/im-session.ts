/**
 * One IM dialog: a two-party session or our dialog with a conference's IM MCU.
 * @packageDocumentation
 */
import type { Clock, TimerHandle } from '../ports/clock';
import type { Logger } from '../ports/logger';
import { mediaTypeOf } from '../sip/invite-router';
import { imTextOf, IM_ACCEPT_TYPES } from './im-content';
import { buildKeyboardActivity, MIME_IS_COMPOSING, MIME_KEYBOARD_ACTIVITY, MIME_MS_IMDN, parseDeliveryReport, parseTypingNotice, type UndeliveredRecipient } from './im-notices';

/** A final response to a request we sent in the dialog; status 0 when it was not sent. @public */
export type ImResponse = { readonly status: number; readonly reason: string; readonly messageId?: string };

/**
 * The narrow I/O of an IM dialog: send a request in it, end it. The sip.js adapter wraps a core
 * `Session`; unit tests use a fake.
 * @public
 */
export type ImDialogPort = {
  request(method: 'MESSAGE' | 'INFO', contentType: string, body: string): Promise<ImResponse>;
  bye(): void;
};

/** A request that arrived in the dialog, as the session needs it. @public */
export type ImIncoming = {
  readonly contentType: string;
  readonly body: string;
  /** `Ms-Sender` (conference IM: the author), already reduced to a URI; else undefined. */
  readonly sender?: string;
};

/** How to answer an incoming request. @public */
export type ImAnswer = { readonly status: number; readonly reason: string; readonly extraHeaders?: readonly string[] };

/** What an IM dialog reports to its owner. @public */
export type ImReport =
  | { readonly kind: 'message'; readonly from: string; readonly contentType: string; readonly text: string }
  | { readonly kind: 'delivery'; readonly messageId: string; readonly state: 'sent' | 'delivered' | 'failed'; readonly reason?: string; readonly failed?: readonly UndeliveredRecipient[] }
  | { readonly kind: 'typing'; readonly from: string; readonly typing: boolean }
  | { readonly kind: 'dead'; readonly status: number };

/** Options of {@link ImSession}. @public */
export type ImSessionOptions = {
  readonly port: ImDialogPort;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The peer (two-party) or the IM MCU (conference): the author when `Ms-Sender` is absent. */
  readonly peer: string;
  /** Conference IM: no typing notices are sent (open question 22). */
  readonly conference: boolean;
  readonly report: (report: ImReport) => void;
  /** Start held: queue messages until {@link ImSession.release} (before the INVITE's 200). */
  readonly held?: boolean;
};

type Outgoing = { readonly messageId: string; readonly contentType: string; readonly body: string };

/** Q26: a conference message without a failure report this long after its 202 counts as delivered. */
const DELIVERY_VERDICT_MS = 10_000;
/** Lync repeats "typing" every 3–5 s while keys are pressed (im-presence §2.4). */
const TYPING_REPEAT_MS = 4_000;
/** A peer's "typing" fades this long after its last notice (im-presence §2.4, [INF]). */
const TYPING_FADE_MS = 10_000;
/** Answers meaning the dialog is gone (im-presence §1.3: pidgin-sipe BYEs and reports the rest undelivered). */
const DIALOG_DEAD = new Set([408, 480, 481]);
/** Delivery reports kept while their 202 is on its way. */
const MAX_EARLY_REPORTS = 32;
/** Messages waiting to be sent in one dialog; more are refused at once. */
const MAX_QUEUED = 256;

/**
 * The messages of one IM dialog, both ways.
 *
 * @remarks
 * - Sending (im-presence §1.3, §2.3): MESSAGE in the dialog, one at a time so CSeq order is
 *   delivery order; `text/plain; charset=UTF-8` unless told otherwise. 200 means delivered;
 *   202 with `Message-Id` (the IM MCU) means "sent", and delivered 10 s later unless a delivery
 *   report names failed recipients (open question 26); 300 and above, failed; 408, 480 or 481
 *   also mean the dialog is gone: everything still queued fails and the owner ends the dialog.
 * - Receiving: text via {@link imTextOf} (415 with `Accept` otherwise), authored by `Ms-Sender`
 *   when the MCU relays it (im-presence §1.4), else by the peer; typing as Lync INFO or RFC 3994
 *   MESSAGE; Lync delivery reports.
 * - Typing out: `KeyboardActivity` INFO in two-party sessions only, at most every 4 s.
 * @public
 */
export class ImSession {
  private readonly queue: Outgoing[] = [];
  private sending = false;
  private closed = false;
  private held: boolean;
  private readonly verdicts = new Map<string, { messageId: string; timer: TimerHandle }>();
  /**
   * Reports that came before their 202: the report and the response travel separately (a
   * BENOTIFY is a new request), so a proxy may deliver them in either order.
   */
  private readonly early = new Map<string, readonly UndeliveredRecipient[]>();
  private readonly typingFades = new Map<string, TimerHandle>();
  private lastTypingSent: number | undefined;
  private readonly log: Logger;

  constructor(private readonly options: ImSessionOptions) {
    this.log = options.logger.child('im');
    this.held = options.held ?? false;
  }

  /**
   * Holds what is queued (the dialog is not up yet, or its connection is being recovered):
   * nothing is sent, nothing fails, until {@link ImSession.release}. pidgin-sipe likewise
   * queues until the INVITE's 200 (im-presence §1.3).
   */
  hold(): void {
    this.held = true;
  }

  /** Sends what was held, in order. */
  release(): void {
    this.held = false;
    void this.pump();
  }

  /**
   * Queues a message.
   * @returns false when the session is closed or its queue is full (nothing was queued)
   */
  send(messageId: string, text: string, contentType = 'text/plain; charset=UTF-8'): boolean {
    if (this.closed || this.queue.length >= MAX_QUEUED) {
      return false;
    }
    this.queue.push({ messageId, contentType, body: text });
    this.lastTypingSent = undefined;
    void this.pump();
    return true;
  }

  /** The agent is typing (or stopped): a notice to a two-party peer, throttled. */
  typing(active: boolean): void {
    if (this.closed || this.held || this.options.conference) {
      return;
    }
    const now = this.options.clock.monotonic();
    if (active && this.lastTypingSent !== undefined && now - this.lastTypingSent < TYPING_REPEAT_MS) {
      return;
    }
    this.lastTypingSent = active ? now : undefined;
    void this.options.port.request('INFO', MIME_KEYBOARD_ACTIVITY, buildKeyboardActivity(active)).then((r) => this.checkAlive(r.status));
  }

  /** A MESSAGE arrived in the dialog. */
  receiveMessage(incoming: ImIncoming): ImAnswer {
    const type = mediaTypeOf(incoming.contentType);
    const from = incoming.sender ?? this.options.peer;
    if (type === MIME_IS_COMPOSING) {
      this.peerTyping(from, parseTypingNotice(incoming.body));
      return { status: 200, reason: 'OK' };
    }
    if (type === MIME_MS_IMDN) {
      this.deliveryReport(incoming.body);
      return { status: 200, reason: 'OK' };
    }
    const text = imTextOf(incoming.contentType, incoming.body);
    if (!text.ok) {
      this.log.info('refusing a message we cannot show', { from, reason: text.reason });
      return { status: 415, reason: 'Unsupported Media Type', extraHeaders: [`Accept: ${IM_ACCEPT_TYPES.join(', ')}`] };
    }
    this.peerTyping(from, 'idle');
    this.options.report({ kind: 'message', from, contentType: text.contentType, text: text.text });
    return { status: 200, reason: 'OK' };
  }

  /** An INFO arrived in the dialog: typing, or traffic we accept and ignore (im-presence §2.5). */
  receiveInfo(incoming: ImIncoming): ImAnswer {
    const typing = parseTypingNotice(incoming.body);
    if (typing !== undefined) {
      this.peerTyping(incoming.sender ?? this.options.peer, typing);
    }
    return { status: 200, reason: 'OK' };
  }

  /** A delivery report (BENOTIFY or NOTIFY `application/ms-imdn+xml`) for one of our messages. */
  deliveryReport(body: string): void {
    const parsed = parseDeliveryReport(body);
    if (!parsed.ok) {
      this.log.warn('ignoring unreadable delivery report', { error: parsed.error });
      return;
    }
    const verdict = this.verdicts.get(parsed.report.messageId);
    if (!verdict) {
      if (parsed.report.failed.length > 0 && this.early.size < MAX_EARLY_REPORTS) {
        this.early.set(parsed.report.messageId, parsed.report.failed);
      }
      return;
    }
    if (parsed.report.failed.length > 0) {
      this.options.clock.clearTimeout(verdict.timer);
      this.verdicts.delete(parsed.report.messageId);
      this.options.report({ kind: 'delivery', messageId: verdict.messageId, state: 'failed', failed: parsed.report.failed });
    }
  }

  /** The dialog ended (either side): everything still queued fails; nothing more is sent. */
  close(reason: string): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    for (const pending of this.queue.splice(0)) {
      this.options.report({ kind: 'delivery', messageId: pending.messageId, state: 'failed', reason });
    }
    for (const timer of [...this.typingFades.values(), ...[...this.verdicts.values()].map((v) => v.timer)]) {
      this.options.clock.clearTimeout(timer);
    }
    this.typingFades.clear();
    this.verdicts.clear();
  }

  private async pump(): Promise<void> {
    if (this.sending) {
      return;
    }
    this.sending = true;
    try {
      for (let next = this.held ? undefined : this.queue.shift(); next !== undefined && !this.closed; next = this.held ? undefined : this.queue.shift()) {
        const response = await this.options.port.request('MESSAGE', next.contentType, next.body);
        this.settle(next, response);
      }
    } finally {
      this.sending = false;
    }
  }

  private settle(message: Outgoing, response: ImResponse): void {
    const { status } = response;
    if (status === 202 && response.messageId !== undefined) {
      this.options.report({ kind: 'delivery', messageId: message.messageId, state: 'sent' });
      const timer = this.options.clock.setTimeout(() => {
        if (this.verdicts.delete(response.messageId ?? '')) {
          this.options.report({ kind: 'delivery', messageId: message.messageId, state: 'delivered' });
        }
      }, DELIVERY_VERDICT_MS);
      this.verdicts.set(response.messageId, { messageId: message.messageId, timer });
      const early = this.early.get(response.messageId);
      if (early !== undefined) {
        this.early.delete(response.messageId);
        this.settleVerdict(response.messageId);
        this.options.report({ kind: 'delivery', messageId: message.messageId, state: 'failed', failed: early });
      }
    } else if (status >= 200 && status < 300) {
      this.options.report({ kind: 'delivery', messageId: message.messageId, state: 'delivered' });
    } else {
      const reason = status === 0 ? response.reason : `${status} ${response.reason}`;
      this.options.report({ kind: 'delivery', messageId: message.messageId, state: 'failed', reason });
      this.checkAlive(status);
    }
  }

  /** Drops the verdict timer of an IM MCU message id (a failure report settled it). */
  private settleVerdict(mcuMessageId: string): void {
    const verdict = this.verdicts.get(mcuMessageId);
    if (verdict) {
      this.options.clock.clearTimeout(verdict.timer);
      this.verdicts.delete(mcuMessageId);
    }
  }

  private checkAlive(status: number): void {
    if (DIALOG_DEAD.has(status) && !this.closed) {
      this.options.report({ kind: 'dead', status });
      this.close(`the dialog is gone (${status})`);
    }
  }

  private peerTyping(from: string, notice: 'typing' | 'idle' | undefined): void {
    if (notice === undefined) {
      return;
    }
    const fade = this.typingFades.get(from);
    this.options.clock.clearTimeout(fade);
    this.typingFades.delete(from);
    if (notice === 'typing') {
      this.typingFades.set(
        from,
        this.options.clock.setTimeout(() => {
          this.typingFades.delete(from);
          this.options.report({ kind: 'typing', from, typing: false });
        }, TYPING_FADE_MS),
      );
    }
    const wasTyping = fade !== undefined;
    if ((notice === 'typing') !== wasTyping) {
      this.options.report({ kind: 'typing', from, typing: notice === 'typing' });
    }
  }
}
