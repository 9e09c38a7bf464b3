/** Parameters of {@link backoffDelay}. */
export type BackoffPolicy = {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
};

/** Reconnect quickly first (a proxy restart takes about a second), never slower than 10 s. */
export const defaultBackoff: BackoffPolicy = { initialMs: 500, maxMs: 10_000, factor: 2 };

/**
 * Delay before reconnect attempt `attempt` (1-based): exponential, capped, with jitter.
 * @remarks Jitter keeps hundreds of agents on one VDI host from reconnecting in lockstep
 * after a proxy restart ("equal jitter": half fixed, half random). RFC 5626 §4.5 asks for the
 * same of flows.
 * @param random - a number in [0, 1), injected for deterministic tests.
 */
export function backoffDelay(attempt: number, random: number, policy: BackoffPolicy = defaultBackoff): number {
  const exponent = Math.max(0, attempt - 1);
  const ceiling = Math.min(policy.maxMs, policy.initialMs * policy.factor ** exponent);
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}
