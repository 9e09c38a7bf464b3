import type { UserAgent } from 'sip.js';
import type { Body, IncomingRequestMessage, IncomingResponse, OutgoingInviteRequest, Session, SessionDelegate, URI } from 'sip.js/lib/core/index.js';
import type { Clock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import type { FaultBoundary } from './fault-boundary';
import { makeInitialInvite } from './outgoing-invite';
import { byeQuietly } from './session-end';
import { refreshTarget, type RefreshOutcome } from './target-refresh';

/** The in-dialog requests a dialog takes besides BYE (INFO is accepted unless replaced). */
export type DialogRequestHandlers = Omit<SessionDelegate, 'onBye'>;

/** What an {@link OutgoingDialog} runs on. */
export type OutgoingDialogDeps = {
  readonly ua: UserAgent;
  readonly clock: Clock;
  readonly faults: FaultBoundary;
  /** The owner's logger: the BYE and the target refresh log under it. */
  readonly log: Logger;
};

/** How the owner of an {@link OutgoingDialog} hears of it. */
export type OutgoingDialogHooks = {
  /** Called with the Call-ID of the initial INVITE once it is built, before it is sent. */
  readonly onDialog: (callId: string) => void;
  /** Called once when the peer ends the dialog with a BYE (already answered 200 and marked ended). */
  readonly onRemoteBye: (bye: IncomingRequestMessage) => void;
  /** The dialog's other in-dialog requests; without `onInvite`, sip.js answers a re-INVITE 488. */
  readonly requests?: DialogRequestHandlers;
};

/** The initial INVITE of an {@link OutgoingDialog}: option tags for `Supported`, extra headers, body. */
export type InitialInvite = {
  readonly optionTags: readonly string[];
  readonly extraHeaders: readonly string[];
  readonly body: Body;
};

/**
 * How the owner turns the final answer to its INVITE into its own result. Each runs inside the
 * INVITE's fault boundary, synchronously with the answer, so a BYE cannot come between.
 */
export type InviteAnswerHandlers<R> = {
  /** A 2xx, acknowledged; the dialog is up and watched. */
  readonly accepted: (response: IncomingResponse) => R;
  /** A final refusal (its status, and the reason from {@link rejectionReason}), or the INVITE not sent at all (0). */
  readonly refused: (status: number, reason: string) => R;
  /** A 2xx that came after we left ({@link OutgoingDialog.end}): the dialog it made is already BYEd. */
  readonly left: () => R;
  /** A provisional answer (180 Ringing, 183…), before the final one. */
  readonly progress?: (status: number) => void;
};

/**
 * A dialog the agent opens itself through sip.js's core layer (`userAgentCore.invite`): the
 * initial INVITE and its answer, the dialog's BYE either way, and the re-INVITE that refreshes
 * its target after a reconnection. The focus dialog, the A/V MCU call and (next) conference IM
 * are each one of these plus what their protocol adds.
 *
 * @remarks
 * - The core layer, not sip.js's `Inviter`: the `Inviter` negotiates SDP of its own and BYEs a
 *   dialog whose body is not SDP (a C3P join, protocol-notes §1.2).
 * - Every callback handed to sip.js runs in the fault boundary of the dialog's Call-ID
 *   ({@link FaultBoundary.guard}), so a throw ends this dialog only.
 * - Leaving while the INVITE is pending: the 2xx that comes later made a dialog nothing else
 *   would end, so it is acknowledged and BYEd at once (RFC 3261 §15).
 * - A BYE from the peer is answered 200 and reported once; our own {@link OutgoingDialog.end}
 *   sends BYE once.
 * - INFO in the dialog is accepted (the focus may send C3P notifications, open question 4).
 * @public
 */
export class OutgoingDialog {
  private current: Session | undefined;
  private id: string | undefined;
  private over = false;
  private pending: OutgoingInviteRequest | undefined;

  /**
   * @param label - names the dialog in fault reports: `<label> join …` for the INVITE,
   * `<label> …` for the dialog's requests (e.g. `focus`, `MCU`)
   */
  constructor(
    private readonly deps: OutgoingDialogDeps,
    private readonly label: string,
    private readonly hooks: OutgoingDialogHooks,
  ) {}

  /** The dialog, once a 2xx made it. */
  get session(): Session | undefined {
    return this.current;
  }

  /** Call-ID of the initial INVITE, once it is built. */
  get callId(): string | undefined {
    return this.id;
  }

  /** Ended by either side (or left before it was answered). */
  get ended(): boolean {
    return this.over;
  }

  /** Our Contact now: a new connection has a new one, and a re-INVITE or its 2xx must carry it (RFC 3261 §12.2). */
  contact(): string {
    return this.deps.ua.userAgentCore.configuration.contact.toString();
  }

  /** Sends the initial INVITE to `target` and resolves with the owner's reading of the final answer. */
  invite<R>(target: URI, invite: InitialInvite, answer: InviteAnswerHandlers<R>): Promise<R> {
    const { ua, faults } = this.deps;
    const request = makeInitialInvite(ua, target, invite.optionTags, invite.extraHeaders, invite.body);
    this.id = request.callId;
    this.hooks.onDialog(request.callId);
    return new Promise<R>((resolve) => {
      const delegate = faults.guard(request.callId, `${this.label} join`, {
        onAccept: (response: IncomingResponse & { ack: () => void; session: Session }) => {
          response.ack();
          this.current = response.session;
          this.watch(response.session);
          if (this.over) {
            // We left while the INVITE was pending: end the dialog this 2xx just made.
            byeQuietly(response.session, this.deps.log);
            resolve(answer.left());
            return;
          }
          resolve(answer.accepted(response));
        },
        onReject: (response: IncomingResponse) => resolve(answer.refused(response.message.statusCode ?? 0, rejectionReason(response))),
        onProgress: (response: IncomingResponse) => answer.progress?.(response.message.statusCode ?? 0),
      });
      try {
        this.pending = ua.userAgentCore.invite(request, delegate);
      } catch (error) {
        resolve(answer.refused(0, `INVITE not sent: ${String(error)}`));
      }
    });
  }

  /**
   * Ends the dialog from our side: BYE once (or, with the INVITE still pending, the BYE of
   * whatever 2xx comes later).
   * @returns false when it had already ended
   */
  end(): boolean {
    if (this.over) {
      return false;
    }
    this.over = true;
    byeQuietly(this.current, this.deps.log);
    return true;
  }

  /**
   * Gives up our INVITE before its final answer with a CANCEL (RFC 3261 §9.1), and ends the
   * dialog as {@link OutgoingDialog.end} does should a 2xx cross the CANCEL.
   * @returns false when the dialog is up already or over (use {@link OutgoingDialog.end})
   */
  cancel(): boolean {
    if (this.over || this.current || !this.pending) {
      return false;
    }
    this.over = true;
    try {
      this.pending.cancel();
    } catch (error) {
      this.deps.log.debug('CANCEL not sent', { error: String(error) });
    }
    return true;
  }

  /**
   * After a reconnection: a re-INVITE with our new Contact ({@link refreshTarget}, RFC 3261
   * §12.2), carrying `body` (the dialog's empty body or an SDP offer).
   * @returns `gone` without a live dialog to refresh
   */
  refreshTarget(refresh: { readonly body: Body; readonly extraHeaders?: readonly string[]; readonly onAccepted?: (response: IncomingResponse) => void }): Promise<RefreshOutcome> {
    const session = this.current;
    if (!session || this.over || this.id === undefined) {
      return Promise.resolve('gone');
    }
    const { clock, faults, log } = this.deps;
    return refreshTarget({
      session,
      callId: this.id,
      contact: () => this.contact(),
      body: refresh.body,
      ...(refresh.extraHeaders !== undefined && { extraHeaders: refresh.extraHeaders }),
      ...(refresh.onAccepted !== undefined && { onAccepted: refresh.onAccepted }),
      ownsCallId: true,
      clock,
      faults,
      logger: log,
    }).outcome;
  }

  private watch(session: Session): void {
    session.delegate = this.deps.faults.guard(this.id, this.label, {
      onBye: (bye) => {
        bye.accept();
        if (!this.over) {
          this.over = true;
          this.hooks.onRemoteBye(bye.message);
        }
      },
      onInfo: (info) => info.accept(),
      ...this.hooks.requests,
    } satisfies SessionDelegate);
  }
}

/**
 * The human reason of a rejection: ms-diagnostics `reason="…"` ([MS-OCER] 8.4), else the phrase.
 * @public
 */
export function rejectionReason(response: IncomingResponse): string {
  const status = response.message.statusCode ?? 0;
  const phrase = response.message.reasonPhrase ?? '';
  const diagnostics = response.message.getHeader('ms-diagnostics');
  const reason = diagnostics ? /reason="([^"]*)"/i.exec(diagnostics)?.[1] : undefined;
  const code = diagnostics ? /^(\d+)/.exec(diagnostics.trim())?.[1] : undefined;
  return reason ? `${status} ${phrase}: ${reason}${code ? ` (ms-diagnostics ${code})` : ''}` : `${status} ${phrase}`;
}
