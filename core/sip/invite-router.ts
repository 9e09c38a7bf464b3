import type { IncomingInviteRequest } from 'sip.js/lib/core/index.js';
import type { Logger } from '../ports/logger';
import { SDP_CONTENT_TYPE } from '../ports/media';
import type { FaultBoundary } from './fault-boundary';
import { InviteAnswer } from './invite-answer';
import { refusalHeaders, type RequestAdmission } from './request-admission';

/** Handles INVITEs of one content type through sip.js's core layer, answering through `answer`. */
export type InviteHandler = (answer: InviteAnswer) => void;

/** Whether a handler takes this INVITE (for a media type several features share: SDP for IM and calls). */
export type InviteClaim = (request: IncomingInviteRequest) => boolean;

/** Media type without parameters, lower case (RFC 7231 §3.1.1.1 media types are case-insensitive). */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/**
 * Dispatches incoming INVITEs by body media type.
 *
 * @remarks
 * Non-SDP INVITEs (conference invitations, context channels) must not reach sip.js's
 * `Invitation`, which assumes SDP and BYEs such dialogs with cause 488 (lab-notes.md); they go
 * to handlers that answer through the core layer instead. An INVITE whose type nobody handles
 * is refused with 415 and an `Accept` header listing what is handled (RFC 3261 §21.4.13).
 * Before any of that, each INVITE counts against its sender's rate ({@link RequestAdmission}:
 * 503 with Retry-After past it). A handler that throws has its dialog torn down by the
 * {@link FaultBoundary}, and the INVITE gets 500 if it had no final answer yet.
 * @public
 */
export class InviteRouter {
  private readonly handlers = new Map<string, { readonly handler: InviteHandler; readonly claims: InviteClaim | undefined }[]>();

  constructor(
    private readonly log: Logger,
    private readonly admission: RequestAdmission,
    private readonly faults: FaultBoundary,
  ) {}

  /**
   * Routes INVITEs whose media type is `mediaType` to `handler`; with `claims`, only those it
   * claims. Handlers of one type are asked in the order they were added; an INVITE of a handled
   * type that none claims gets 488 (RFC 3261 §21.4.26: nothing here takes that session).
   */
  handle(mediaType: string, handler: InviteHandler, claims?: InviteClaim): void {
    const key = mediaType.toLowerCase();
    this.handlers.set(key, [...(this.handlers.get(key) ?? []), { handler, claims }]);
  }

  /** Media types with a handler, for `Accept` headers. */
  accepted(): string[] {
    return [...this.handlers.keys()];
  }

  /** Entry point wired to `userAgentCore.delegate.onInvite`. */
  route(request: IncomingInviteRequest): void {
    const answer = new InviteAnswer(request, this.log);
    const from = request.message.from.uri.toString();
    const admitted = this.admission.arrive(from);
    if (!admitted.ok) {
      this.log.warn('refusing INVITE: sender over its rate', { from, callId: answer.callId, status: admitted.status, reason: admitted.reason });
      answer.reject(admitted.status, admitted.reasonPhrase, refusalHeaders(admitted));
      return;
    }
    const type = mediaTypeOf(request.message.getHeader('content-type'));
    const candidates = this.handlers.get(type);
    const handler = candidates?.find((c) => c.claims === undefined || c.claims(request))?.handler;
    if (candidates && !handler) {
      this.log.warn('refusing INVITE no feature takes', { contentType: type, callId: answer.callId });
      answer.reject(488, 'Not Acceptable Here', [`Warning: 399 switchboard "no session of this kind is taken here"`]);
      return;
    }
    if (handler) {
      const before = this.faults.faults;
      this.faults.run(answer.callId, `INVITE handler (${type})`, () => handler(answer));
      // A handler that threw before answering leaves the INVITE to us (RFC 3261 §21.5.1).
      if (!answer.answered && this.faults.faults > before) {
        answer.reject(500, 'Server Internal Error');
      }
      return;
    }
    const accept = this.accepted().join(', ') || SDP_CONTENT_TYPE;
    this.log.warn('refusing INVITE with unsupported body', { contentType: type || '(none)', callId: answer.callId });
    answer.reject(415, 'Unsupported Media Type', [`Accept: ${accept}`]);
  }
}
