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

/** A study's participants packed as [n_a, Σa, Σa², n_b, Σb, Σb²] rows: the bootstrap's inner loop reads only this. */
const STRIDE = 6;
function pack(s: PairedStudy): Float64Array {
  const out = new Float64Array(s.a.length * STRIDE);
  s.a.forEach((x, i) => {
    const y = s.b[i]!;
    out.set([x.n, x.sum, x.sumSq, y.n, y.sum, y.sumSq], i * STRIDE);
  });
  return out;
}

/** d of a study from packed rows, over all its participants. */
function packedD(rows: Float64Array, count: number): number {
  let an = 0,
    as = 0,
    ass = 0,
    bn = 0,
    bs = 0,
    bss = 0;
  for (let o = 0; o < count * STRIDE; o += STRIDE) {
    an += rows[o]!;
    as += rows[o + 1]!;
    ass += rows[o + 2]!;
    bn += rows[o + 3]!;
    bs += rows[o + 4]!;
    bss += rows[o + 5]!;
  }
  return cohensD({ n: an, sum: as, sumSq: ass }, { n: bn, sum: bs, sumSq: bss });
}

/**
 * d of a study over `count` participants drawn with replacement. The hot loop of the bootstrap (about 10^8 draws
 * for 50 pairs): mulberry32 is inlined here (the same generator as util/createRandom, whose state it advances).
 */
function resampledD(rows: Float64Array, count: number, state: Uint32Array): number {
  let an = 0,
    as = 0,
    ass = 0,
    bn = 0,
    bs = 0,
    bss = 0;
  let a = state[0]!;
  for (let k = 0; k < count; k++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    const o = Math.floor(u * count) * STRIDE;
    an += rows[o]!;
    as += rows[o + 1]!;
    ass += rows[o + 2]!;
    bn += rows[o + 3]!;
    bs += rows[o + 4]!;
    bss += rows[o + 5]!;
  }
  state[0] = a;
  return cohensD({ n: an, sum: as, sumSq: ass }, { n: bn, sum: bs, sumSq: bss });
}

/** Per-study d and their mean (each study weighs the same). */
export function meanStudyD(studies: readonly PairedStudy[]): { perStudy: number[]; mean: number } {
  const perStudy = studies.map((s) => packedD(pack(s), s.a.length));
  const valid = perStudy.filter(Number.isFinite);
  return { perStudy, mean: valid.reduce((a, b) => a + b, 0) / valid.length };
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

/**
 * Percentile bootstrap of the mean over studies of per-study Cohen's d, resampling at two levels: studies with
 * replacement, then participants with replacement within each drawn study, keeping each participant's two runs
 * together (the design is paired). Returns the estimate, the 2.5 and 97.5 percentiles, and the draws. The same
 * studies (in the same order) and seed give the same draws, bit for bit. `reps` 0 gives no interval (NaN bounds).
 */
export function bootstrapMeanD(studies: readonly PairedStudy[], reps: number, seed: number): Interval & { draws: Float64Array } {
  const estimate = meanStudyD(studies).mean;
  const state = Uint32Array.of(seed >>> 0);
  const rand = createRandom(state);
  const draws = new Float64Array(reps);
  const packed = studies.map(pack);
  for (let r = 0; r < reps; r++) {
    let total = 0;
    let used = 0;
    for (let k = 0; k < studies.length; k++) {
      const si = Math.floor(rand() * studies.length);
      const d = resampledD(packed[si]!, studies[si]!.a.length, state);
      if (Number.isFinite(d)) {
        total += d;
        used++;
      }
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
  return {
    estimate: items.reduce((s, it) => s + it.estimate, 0) / items.length,
    low: percentile(sorted, 0.025),
    high: percentile(sorted, 0.975),
  };
}
