import { DtlsClient } from 'werift';
import type { RTCDtlsTransport } from 'werift';

/** Most DTLS records kept for a DTLS server that does not exist yet (a ClientHello flight is 1 to 3). */
const MAX_EARLY_RECORDS = 8;

/**
 * DTLS records start with a content type from 20 to 63 (RFC 7983 §7, the demultiplexing of
 * STUN, DTLS and SRTP on one port); werift's own `isDtls` test, which this mirrors.
 */
function isDtlsRecord(data: Buffer): boolean {
  const first = data[0];
  return first !== undefined && first > 19 && first < 64;
}

/**
 * Starts werift's DTLS handshake as soon as ICE is up, without werift 0.25's fixed 100 ms wait,
 * and keeps a ClientHello that arrives before our own DTLS server exists. Call it once per
 * transport, before our SDP leaves (no peer can start DTLS before it has it). Returns the
 * unhook, for close.
 *
 * @remarks
 * werift's `RTCDtlsTransport.start()` builds its DTLS client, then sleeps 100 ms before sending
 * the first flight (ClientHello). The wait guards against a race this module closes instead:
 * each side learns that ICE is up on its own (werift polls its check list every 20 ms), and a
 * ClientHello that reaches a werift peer before that peer built its DTLS server is dropped,
 * costing the client's first retransmission (500 ms in werift).
 *
 * Why the wait is not needed: RFC 5763 §5 makes the `a=setup:active` endpoint (the DTLS client,
 * RFC 4145) send the ClientHello once ICE has a working pair, and nothing in RFC 6347 asks it to
 * wait after that; it is the passive side's job to be ready, since an offerer may even get a
 * ClientHello before the answer's SDP (RFC 5763 §5). So:
 * - client: `connect()` is called in the same turn werift built the socket; werift's later call
 *   after its sleep gets the same promise (its error handling still sees a failure);
 * - server: DTLS records that ICE delivers while werift has no DTLS socket yet are kept (up to
 *   {@link MAX_EARLY_RECORDS}) and handed to the socket as soon as it exists, so an early
 *   ClientHello is answered at once instead of after a retransmission. RFC 6347 §4.2.1's
 *   stateless cookie exchange still guards the server, which handles them like any record.
 */
export function startDtlsPromptly(transport: RTCDtlsTransport): () => void {
  const early: Buffer[] = [];
  const ice = transport.iceTransport.connection;
  const buffering = ice.onData.subscribe((data) => {
    if (transport.dtls === undefined && early.length < MAX_EARLY_RECORDS && isDtlsRecord(data)) {
      early.push(data);
    }
  });
  const watching = transport.onStateChange.subscribe((state) => {
    if (state !== 'connecting') {
      return;
    }
    watching.unSubscribe();
    // werift sets `connecting`, then builds the socket in the same synchronous run: a microtask
    // later the socket exists, and its own first flight is still 100 ms away.
    queueMicrotask(() => {
      buffering.unSubscribe();
      const socket = transport.dtls;
      if (socket === undefined) {
        return;
      }
      if (socket instanceof DtlsClient) {
        const started = socket.connect();
        // werift attaches its own handler when it calls connect() after its sleep.
        started.catch(() => undefined);
        socket.connect = () => started;
      }
      // Our subscriber is gone and the socket's is in place: replay what came too soon.
      for (const record of early.splice(0)) {
        ice.onData.execute(record);
      }
    });
  });
  return () => {
    buffering.unSubscribe();
    watching.unSubscribe();
    early.length = 0;
  };
}
