import type { UserAgent } from 'sip.js';
import type { IncomingResponse } from 'sip.js/lib/core/index.js';
import { buildPresenceDocument, MIME_PIDF } from './pidf';
import type { PublishRequest, PublishResponse, PublishSender } from './presence-publication';

/**
 * Sends our PUBLISHes through sip.js's core layer, which adds digest authentication and turns a
 * lost transport or Timer F into a final response (503, 408) so no request hangs.
 * @remarks RFC 3903 §4: to our own AOR, `Event: presence`, `Expires`, `SIP-If-Match` when we
 * hold an ETag, the PIDF body on initial and modify requests. One Call-ID for the whole
 * publication, with a rising CSeq, so the SIP trace shows it as one conversation of requests
 * (RFC 3903 does not tie PUBLISHes together by Call-ID; the ETag does that).
 * @param deviceId - unique per device, for the tuple and person ids (open question 28)
 * @public
 */
export function sipPublishSender(ua: UserAgent, deviceId: string, callId: string): PublishSender {
  let cseq = 0;
  return (request: PublishRequest) =>
    new Promise<PublishResponse>((resolve) => {
      const core = ua.userAgentCore;
      const aor = core.configuration.aor;
      cseq += 1;
      const headers = [
        'Event: presence',
        `Expires: ${request.expires}`,
        ...(request.etag !== undefined ? [`SIP-If-Match: ${request.etag}`] : []),
      ];
      const body =
        request.state === undefined
          ? undefined
          : { contentDisposition: 'render', contentType: MIME_PIDF, content: buildPresenceDocument({ entity: aor.toString(), deviceId, state: request.state }) };
      const message = core.makeOutgoingRequestMessage('PUBLISH', aor, aor, aor, { callId, cseq }, headers, body);
      const settle = (response: IncomingResponse): void => {
        // A digest challenge makes sip.js resend with CSeq + 1: carry on from there.
        cseq = Math.max(cseq, message.cseq);
        resolve(publishResponseOf(response));
      };
      try {
        core.publish(message, { onAccept: settle, onReject: settle, onRedirect: settle });
      } catch (error) {
        resolve({ status: 0, reason: error instanceof Error ? error.message : String(error) });
      }
    });
}

function publishResponseOf(response: IncomingResponse): PublishResponse {
  const message = response.message;
  const number = (name: string): number | undefined => {
    const value = Number(message.getHeader(name));
    return message.hasHeader(name) && Number.isInteger(value) && value >= 0 ? value : undefined;
  };
  const etag = message.getHeader('SIP-ETag');
  const expires = number('Expires');
  const minExpires = number('Min-Expires');
  return {
    status: message.statusCode ?? 0,
    reason: message.reasonPhrase ?? '',
    ...(etag !== undefined && etag !== '' && { etag }),
    ...(expires !== undefined && { expires }),
    ...(minExpires !== undefined && { minExpires }),
  };
}
