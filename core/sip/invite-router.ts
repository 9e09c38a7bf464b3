import type { IncomingInviteRequest } from 'sip.js/lib/core/index.js';
import type { Logger } from '../ports/logger';

/** Handles INVITEs of one content type through sip.js's core layer. */
export type InviteHandler = (request: IncomingInviteRequest) => void;

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
 * @public
 */
export class InviteRouter {
  private readonly handlers = new Map<string, InviteHandler>();

  constructor(private readonly log: Logger) {}

  /** Routes INVITEs whose media type is `mediaType` to `handler`. */
  handle(mediaType: string, handler: InviteHandler): void {
    this.handlers.set(mediaType.toLowerCase(), handler);
  }

  /** Media types with a handler, for `Accept` headers. */
  accepted(): string[] {
    return [...this.handlers.keys()];
  }

  /** Entry point wired to `userAgentCore.delegate.onInvite`. */
  route(request: IncomingInviteRequest): void {
    const type = mediaTypeOf(request.message.getHeader('content-type'));
    const handler = this.handlers.get(type);
    if (handler) {
      try {
        handler(request);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.log.error('INVITE handler failed', { contentType: type, error: message });
        request.reject({ statusCode: 500, reasonPhrase: 'Server Internal Error' });
      }
      return;
    }
    const accept = this.accepted().join(', ') || 'application/sdp';
    this.log.warn('refusing INVITE with unsupported body', {
      contentType: type || '(none)',
      callId: request.message.callId,
    });
    request.reject({
      statusCode: 415,
      reasonPhrase: 'Unsupported Media Type',
      extraHeaders: [`Accept: ${accept}`],
    });
  }
}
