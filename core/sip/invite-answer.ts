import type { IncomingInviteRequest, ResponseOptions, Session } from 'sip.js/lib/core/index.js';
import type { Logger } from '../ports/logger';

/**
 * The answers to one incoming INVITE: any number of provisional responses, then exactly one
 * final response.
 *
 * @remarks
 * RFC 3261 §13.3.1 and §17.2.1: a UAS sends one final response per INVITE transaction; sip.js
 * enforces it by throwing when a second one is attempted (a CANCEL answered 487 and then a
 * timeout answering 480, say). Every INVITE our features take goes through this class, which
 * remembers the final answer and turns a second one into a logged no-op, so no ordering of
 * remote events (CANCEL, timeout, the agent's click, transport loss) can throw out of a handler.
 * A final answer that sip.js still refuses (its transaction already ended) is logged and
 * counted as given: the peer has, or will get, its answer from the transaction layer.
 * @public
 */
export class InviteAnswer {
  private finalStatus: number | undefined;

  constructor(
    readonly request: IncomingInviteRequest,
    private readonly log: Logger,
  ) {}

  /** The Call-ID of the INVITE. */
  get callId(): string {
    return this.request.message.callId;
  }

  /** Whether a final response has been sent (or the transaction is over). */
  get answered(): boolean {
    return this.finalStatus !== undefined;
  }

  /** The final status sent, if any. */
  get status(): number | undefined {
    return this.finalStatus;
  }

  /** Sends a provisional response (180 by default) unless the INVITE is already answered. */
  progress(statusCode = 180, reasonPhrase = 'Ringing'): void {
    if (this.answered) {
      return;
    }
    try {
      this.request.progress({ statusCode, reasonPhrase });
    } catch (error) {
      this.log.debug('provisional response not sent', { callId: this.callId, statusCode, error: String(error) });
    }
  }

  /**
   * Sends the 2xx and returns the dialog's session.
   * @returns undefined when the INVITE already has its final answer, or sip.js refused.
   */
  accept(options: ResponseOptions): Session | undefined {
    if (this.answered) {
      this.log.debug('INVITE already answered; not accepting', { callId: this.callId, status: this.finalStatus });
      return undefined;
    }
    this.finalStatus = options.statusCode;
    try {
      return this.request.accept(options).session;
    } catch (error) {
      this.log.warn('INVITE could not be accepted (transaction over)', { callId: this.callId, error: String(error) });
      return undefined;
    }
  }

  /**
   * Sends a final non-2xx answer.
   * @returns false when the INVITE already had its final answer.
   */
  reject(statusCode: number, reasonPhrase: string, extraHeaders: readonly string[] = []): boolean {
    if (this.answered) {
      this.log.debug('INVITE already answered; not rejecting again', { callId: this.callId, status: this.finalStatus, wanted: statusCode });
      return false;
    }
    this.finalStatus = statusCode;
    try {
      this.request.reject({ statusCode, reasonPhrase, extraHeaders: [...extraHeaders] });
    } catch (error) {
      this.log.warn('INVITE could not be rejected (transaction over)', { callId: this.callId, statusCode, error: String(error) });
    }
    return true;
  }
}
