/**
 * Callbacks a {@link SignalingSocket} reports to. Exactly one of `onOpen` or `onClose` follows
 * creation; `onClose` is always the last call.
 * @public
 */
export interface SignalingSocketHandlers {
  onOpen(): void;
  onMessage(data: string): void;
  /** WebSocket pong (RFC 6455 §5.5.3) answering {@link SignalingSocket.ping}. */
  onPong(): void;
  onClose(code: number, reason: string): void;
  onError(error: Error): void;
}

/**
 * One WebSocket connection carrying SIP (RFC 7118), as the engine needs it.
 * @remarks This is the transport port: Node hosts implement it with the `ws` package, tests
 * with an in-memory fake. `ping` exists because a silent peer (a stopped proxy, a dead NAT
 * binding) keeps a TCP connection open; only an unanswered ping reveals it.
 * @public
 */
export interface SignalingSocket {
  send(data: string): void;
  /** Sends a WebSocket ping frame; the peer must answer with a pong (RFC 6455 §5.5.2). */
  ping(): void;
  /** Closes gracefully; `terminate` drops the connection without a closing handshake. */
  close(code?: number, reason?: string): void;
  terminate(): void;
}

/** Opens a socket to `url` with the `sip` subprotocol (RFC 7118 §4). */
export type SignalingSocketFactory = (
  url: string,
  handlers: SignalingSocketHandlers,
) => SignalingSocket;
