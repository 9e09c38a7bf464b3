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

/** A straight line fitted to points by least squares, and how far the points stray from it. */
export type LineFit = {
  /** Change of y per unit of x. */
  readonly slope: number;
  readonly intercept: number;
  /** Standard deviation of the residuals (y minus the line): the noise around the trend. */
  readonly residualSd: number;
};

/**
 * Ordinary least squares of `ys` on `xs` (same length).
 * @returns NaN figures for fewer than two points or when every x is the same.
 */
export function leastSquares(xs: readonly number[], ys: readonly number[]): LineFit {
  const n = Math.min(xs.length, ys.length);
  const meanX = xs.slice(0, n).reduce((a, b) => a + b, 0) / n;
  const meanY = ys.slice(0, n).reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i += 1) {
    const dx = (xs[i] ?? 0) - meanX;
    sxx += dx * dx;
    sxy += dx * ((ys[i] ?? 0) - meanY);
  }
  if (n < 2 || sxx === 0) {
    return { slope: Number.NaN, intercept: Number.NaN, residualSd: Number.NaN };
  }
  const slope = sxy / sxx;
  const intercept = meanY - slope * meanX;
  let squares = 0;
  for (let i = 0; i < n; i += 1) {
    const residual = (ys[i] ?? 0) - (intercept + slope * (xs[i] ?? 0));
    squares += residual * residual;
  }
  return { slope, intercept, residualSd: n > 2 ? Math.sqrt(squares / (n - 2)) : 0 };
}
