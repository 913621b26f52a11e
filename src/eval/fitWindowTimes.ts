/** One timed window: its tokens and the seconds the backend took to score it. */
export interface WindowTiming {
  tokens: number;
  seconds: number;
}

/** Seconds to score a window of n tokens: a·n + b·n² (the per-token cost grows with the context a token attends to). */
export interface WindowTimeModel {
  a: number;
  b: number;
}

/**
 * Least-squares fit of seconds = a·n + b·n² (no intercept; a, b ≥ 0) to measured windows. With one window length, or
 * when the fit would make either term negative, falls back to a single rate (b = 0): tokens/s at the lengths seen.
 */
export function fitWindowTimes(timings: readonly WindowTiming[]): WindowTimeModel {
  let s2 = 0,
    s3 = 0,
    s4 = 0,
    t1 = 0,
    t2 = 0;
  for (const { tokens: n, seconds: t } of timings) {
    s2 += n * n;
    s3 += n ** 3;
    s4 += n ** 4;
    t1 += n * t;
    t2 += n * n * t;
  }
  const linear = { a: s2 > 0 ? t1 / s2 : 0, b: 0 };
  const det = s2 * s4 - s3 * s3;
  if (new Set(timings.map((x) => x.tokens)).size < 2 || Math.abs(det) < 1e-12 * s2 * s4) return linear;
  const a = (t1 * s4 - t2 * s3) / det;
  const b = (s2 * t2 - s3 * t1) / det;
  return a >= 0 && b >= 0 ? { a, b } : linear;
}

/** Seconds for windows with Σn = sumTokens and Σn² = sumSquares under the model. */
export const estimateSeconds = (m: WindowTimeModel, sumTokens: number, sumSquares: number): number => m.a * sumTokens + m.b * sumSquares;
