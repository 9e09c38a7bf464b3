/**
 * The `p`-th percentile (0 < p <= 100) of `samples` by the nearest-rank method: the smallest
 * sample with at least p % of the samples at or below it. No interpolation, so every figure is
 * a time that was actually measured; with 50 samples p95 is the 48th smallest.
 * @returns NaN for no samples.
 */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) {
    return Number.NaN;
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}

/** The median; for an even count the mean of the two middle samples. */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) {
    return Number.NaN;
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const upper = sorted[mid] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] ?? Number.NaN) + upper) / 2;
}

/** Milliseconds with one decimal, or `-` when there is no figure. */
export function ms(value: number): string {
  return Number.isFinite(value) ? value.toFixed(1) : '-';
}

/** Bytes as MiB with no decimals. */
export function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(0);
}
