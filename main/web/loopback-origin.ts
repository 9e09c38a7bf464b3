/**
 * The names the browser host answers to: 127.0.0.1 and localhost on its port, and nothing
 * else, so a page on another name that resolves to 127.0.0.1 (DNS rebinding) gets nothing.
 */
export type LoopbackOrigin = {
  readonly port: number;
  /** Whether a `Host` header names this host. */
  readonly isOwnHost: (host: string | undefined) => boolean;
  /** Whether an `Origin` header is a page of this host. */
  readonly isOwnOrigin: (origin: string) => boolean;
};

/** The {@link LoopbackOrigin} of a host listening on 127.0.0.1:`port`. */
export function loopbackOrigin(port: number): LoopbackOrigin {
  const hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const origins = new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
  return {
    port,
    isOwnHost: (host) => hosts.has(host ?? ''),
    isOwnOrigin: (origin) => origins.has(origin),
  };
}
