/** Sufficient statistics of a set of response NLLs. */
export interface Moments {
  n: number;
  sum: number;
  sumSq: number;
}

export function mean(m: Moments): number {
  return m.sum / m.n;
}

/** Sample variance (n − 1 in the denominator). */
export function sampleVariance(m: Moments): number {
  if (m.n < 2) return Number.NaN;
  const mu = m.sum / m.n;
  return Math.max(0, (m.sumSq - m.n * mu * mu) / (m.n - 1));
}

/**
 * Cohen's d as in the paper: (mean_b − mean_a) / sqrt((sd_a² + sd_b²) / 2), with sample SDs. Positive when b has
 * the higher NLL (for a = base, b = post-trained: the post-trained model is less human-like).
 */
export function cohensD(a: Moments, b: Moments): number {
  const pooled = Math.sqrt((sampleVariance(a) + sampleVariance(b)) / 2);
  return (mean(b) - mean(a)) / pooled;
}
