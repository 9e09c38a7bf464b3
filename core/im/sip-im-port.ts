import type { IncomingRequest, IncomingResponse, Session } from 'sip.js/lib/core/index.js';
import type { DialogRequestHandlers } from '../sip/outgoing-dialog';
import type { ImAnswer, ImDialogPort, ImIncoming, ImResponse, ImSession } from './im-session';

/**
 * An {@link ImDialogPort} over a sip.js core `Session`: MESSAGE and INFO in the dialog, each
 * resolving with its final response (sip.js turns a lost transport or Timer F into 503 or 408,
 * so none hangs). `session` is read at each send: a recovered dialog may have a new one.
 * @public
 */
export function sessionImPort(session: () => Session | undefined, bye: () => void): ImDialogPort {
  return {
    request: (method, contentType, body) =>
      new Promise<ImResponse>((resolve) => {
        const current = session();
        if (!current) {
          resolve({ status: 0, reason: 'no IM dialog' });
          return;
        }
        const settle = (response: IncomingResponse): void => {
          const messageId = response.message.getHeader('message-id')?.trim();
          resolve({ status: response.message.statusCode ?? 0, reason: response.message.reasonPhrase ?? '', ...(messageId !== undefined && messageId !== '' && { messageId }) });
        };
        const options = { body: { contentDisposition: 'render', contentType, content: body } };
        try {
          if (method === 'MESSAGE') {
            current.message({ onAccept: settle, onReject: settle }, options);
          } else {
            current.info({ onAccept: settle, onReject: settle }, options);
          }
        } catch (error) {
          resolve({ status: 0, reason: error instanceof Error ? error.message : String(error) });
        }
      }),
    bye,
  };
}

/**
 * The in-dialog requests of an IM dialog, handed to its {@link ImSession}: MESSAGE (text,
 * typing, delivery reports), INFO (typing, conversation info) and NOTIFY (a delivery report sent
 * as NOTIFY rather than BENOTIFY).
 * @remarks The author of a message the IM MCU relays is in `Ms-Sender` (im-presence §1.4), a
 * name-addr; its URI is taken, without display name or parameters.
 * @public
 */
export function imRequestHandlers(session: () => ImSession | undefined): DialogRequestHandlers {
  const answer = (request: IncomingRequest, handle: (im: ImSession, incoming: ImIncoming) => ImAnswer): void => {
    const im = session();
    const result = im ? handle(im, incomingOf(request)) : { status: 481, reason: 'Call/Transaction Does Not Exist' };
    const options = { statusCode: result.status, reasonPhrase: result.reason, ...(result.extraHeaders !== undefined && { extraHeaders: [...result.extraHeaders] }) };
    if (result.status >= 200 && result.status < 300) {
      request.accept(options);
    } else {
      request.reject(options);
    }
  };
  return {
    onMessage: (request) => answer(request, (im, incoming) => im.receiveMessage(incoming)),
    onInfo: (request) => answer(request, (im, incoming) => im.receiveInfo(incoming)),
    onNotify: (request) =>
      answer(request, (im, incoming) => {
        im.deliveryReport(incoming.body);
        return { status: 200, reason: 'OK' };
      }),
  };
}

function incomingOf(request: IncomingRequest): ImIncoming {
  const message = request.message;
  const sender = senderUri(message.getHeader('ms-sender'));
  return { contentType: message.getHeader('content-type') ?? '', body: message.body ?? '', ...(sender !== undefined && { sender }) };
}

/** The URI of an `Ms-Sender` name-addr (`"Name" <sip:a@b;opaque=x>` → `sip:a@b`). @public */
export function senderUri(header: string | undefined): string | undefined {
  if (header === undefined || header.length > 1024) {
    return undefined;
  }
  const open = header.indexOf('<');
  const close = open === -1 ? -1 : header.indexOf('>', open);
  const inBrackets = open !== -1 && close !== -1 ? header.slice(open + 1, close) : header.trim();
  const uri = /^(sips?:[^;?\s]+)/i.exec(inBrackets.trim())?.[1];
  return uri === undefined || uri.length > 512 ? undefined : uri;
}
