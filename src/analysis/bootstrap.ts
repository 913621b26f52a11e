import { createRandom } from '../util/createRandom.js';
import { cohensD, type Moments } from './cohensD.js';

/** One study of a paired comparison: per participant (in both runs), the moments of a's and b's response NLLs. */
export interface PairedStudy {
  study: string;
  a: Moments[];
  b: Moments[];
}

export interface Interval {
  estimate: number;
  low: number;
  high: number;
}

function studyD(s: PairedStudy, pick: Uint32Array | undefined): number {
  const A: Moments = { n: 0, sum: 0, sumSq: 0 };
  const B: Moments = { n: 0, sum: 0, sumSq: 0 };
  const count = pick ? pick.length : s.a.length;
  for (let k = 0; k < count; k++) {
    const i = pick ? (pick[k] as number) : k;
    const x = s.a[i]!;
    const y = s.b[i]!;
    A.n += x.n; A.sum += x.sum; A.sumSq += x.sumSq;
    B.n += y.n; B.sum += y.sum; B.sumSq += y.sumSq;
  }
  return cohensD(A, B);
}

/** Per-study d and their mean (each study weighs the same). */
export function meanStudyD(studies: readonly PairedStudy[]): { perStudy: number[]; mean: number } {
  const perStudy = studies.map((s) => studyD(s, undefined));
  const valid = perStudy.filter(Number.isFinite);
  return { perStudy, mean: valid.reduce((a, b) => a + b, 0) / valid.length };
}

function percentile(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

/**
 * Percentile bootstrap of the mean over studies of per-study Cohen's d, resampling at two levels: studies with
 * replacement, then participants with replacement within each drawn study, keeping each participant's two runs
 * together (the design is paired). Returns the estimate, the 2.5 and 97.5 percentiles, and the draws.
 */
export function bootstrapMeanD(studies: readonly PairedStudy[], reps: number, seed: number): Interval & { draws: Float64Array } {
  const estimate = meanStudyD(studies).mean;
  const rand = createRandom(seed);
  const draws = new Float64Array(reps);
  const picks = studies.map((s) => new Uint32Array(s.a.length));
  for (let r = 0; r < reps; r++) {
    let total = 0;
    let used = 0;
    for (let k = 0; k < studies.length; k++) {
      const si = Math.floor(rand() * studies.length);
      const s = studies[si]!;
      const pick = picks[si]!;
      for (let j = 0; j < pick.length; j++) pick[j] = Math.floor(rand() * pick.length);
      const d = studyD(s, pick);
      if (Number.isFinite(d)) { total += d; used++; }
    }
    draws[r] = used ? total / used : Number.NaN;
  }
  const sorted = Float64Array.from(draws.filter(Number.isFinite)).sort();
  return { estimate, low: percentile(sorted, 0.025), high: percentile(sorted, 0.975), draws };
}

/** Interval of a mean of several bootstrapped quantities (their draws averaged index by index). */
export function averageIntervals(items: readonly (Interval & { draws: Float64Array })[]): Interval | undefined {
  if (items.length === 0) return undefined;
  const reps = items[0]!.draws.length;
  const draws = new Float64Array(reps);
  for (let r = 0; r < reps; r++) draws[r] = items.reduce((s, it) => s + (it.draws[r] as number), 0) / items.length;
  const sorted = Float64Array.from(draws.filter(Number.isFinite)).sort();
  return { estimate: items.reduce((s, it) => s + it.estimate, 0) / items.length, low: percentile(sorted, 0.025), high: percentile(sorted, 0.975) };
}
