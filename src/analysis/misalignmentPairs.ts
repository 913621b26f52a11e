import type { ModelScore } from './alignmentScores.js';
import { meanOf, totalMoments } from './alignmentScores.js';
import { averageIntervals, bootstrapMeanD, type Interval, type PairedStudy } from './bootstrap.js';
import { cohensD, mean } from './cohensD.js';
import { type GenerationPostType, generationPostType } from './generationPostType.js';
import { type ComparisonData, comparisonId } from './loadComparison.js';

export interface PairResult {
  base: string;
  post: string;
  family: string;
  generation: string;
  type: string;
  studies: number;
  /** Mean over studies of Cohen's d (post vs base); positive = post-trained less human-like. */
  d: Interval;
  /** Standard error of that mean over studies: SD of the per-study d (n − 1) / √studies (null under 2 studies). */
  sem: number | null;
  /** Mean over the pair's studies of each model's mean response NLL (the studies of the pair only). */
  meanNllBase: number;
  meanNllPost: number;
  /**
   * A behavioural fine-tune (Centaur) is compared on held-out studies only: those not in `--exclude-studies`.
   * heldOut: a list was given; excludedStudies: studies both scored that the list left out.
   */
  heldOut: boolean;
  excludedStudies: number;
  /** Share of studies where the base model has the lower mean NLL. */
  baseWins: number;
  /** Mean of (NLL_post − NLL_base) over the responses both scored. */
  pairedDifference: number;
  pairedResponses: number;
  /** Responses only the base (resp. post-trained) run scored, left out of the comparison; studies only one scored. */
  droppedBase: number;
  droppedPost: number;
  studiesOnlyOne: number;
  /**
   * Studies both scored where fewer than two participants were scored by both runs (e.g. a study of 10–19 participants
   * has one in the test split): left out of d and of every number of the pair (not of the alignment score), named here.
   */
  studiesTooFew: string[];
  perStudy: { study: string; domain: string | null; d: number }[];
}

export type PairWithDraws = PairResult & { draws: Float64Array };

export interface BootstrapOptions {
  reps: number;
  seed: number;
}

/** Bootstrap interval of a paired comparison (null when it has no study). */
export function pairedInterval(studies: PairedStudy[], boot: BootstrapOptions): (Interval & { draws: Float64Array }) | null {
  return studies.length ? bootstrapMeanD(studies, boot.reps, boot.seed) : null;
}

/** Standard error of the mean of xs (sample SD / √n), as the reference's pandas `.sem()`; null under 2 values. */
export function standardError(xs: readonly number[]): number | null {
  const v = xs.filter(Number.isFinite);
  if (v.length < 2) return null;
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, x) => a + (x - m) ** 2, 0) / (v.length - 1) / v.length);
}

/**
 * Post-training misalignment per (base, post-trained) pair: Cohen's d per study, its mean, its SEM over studies, a
 * bootstrap interval. A behavioural fine-tune's pair leaves out the studies it was trained on (`trainingStudies`).
 */
export function misalignmentPairs(data: ComparisonData, boot: BootstrapOptions, trainingStudies?: ReadonlySet<string>): PairWithDraws[] {
  const unitOf = new Map(data.main.map((u) => [u.model, u]));
  const pairs: PairWithDraws[] = [];
  for (const f of data.facts.values()) {
    const baseUnit = f.base ? unitOf.get(f.base) : undefined;
    const postUnit = unitOf.get(f.model);
    if (f.type === 'base' || !f.base || !baseUnit || !postUnit) continue;
    const comparison = data.paired.get(comparisonId(baseUnit, postUnit));
    const all = comparison?.studies ?? [];
    const heldOut = f.type === 'behavioural' && trainingStudies !== undefined;
    const studies = heldOut ? all.filter((s) => !trainingStudies.has(s.study)) : all;
    const interval = pairedInterval(studies, boot);
    if (!interval) continue;
    const a = totalMoments(studies.flatMap((s) => s.a));
    const b = totalMoments(studies.flatMap((s) => s.b));
    const perStudy = studies.map((s) => ({
      study: s.study,
      domain: data.domainOf(s.study),
      d: cohensD(totalMoments(s.a), totalMoments(s.b)),
    }));
    pairs.push({
      base: f.base,
      post: f.model,
      family: f.family,
      generation: f.generation,
      type: f.type,
      studies: studies.length,
      d: { estimate: interval.estimate, low: interval.low, high: interval.high },
      draws: interval.draws,
      sem: standardError(perStudy.map((s) => s.d)),
      meanNllBase: meanOf(studies.map((s) => mean(totalMoments(s.a)))) ?? Number.NaN,
      meanNllPost: meanOf(studies.map((s) => mean(totalMoments(s.b)))) ?? Number.NaN,
      heldOut,
      excludedStudies: all.length - studies.length,
      baseWins: studies.filter((s) => mean(totalMoments(s.a)) < mean(totalMoments(s.b))).length / studies.length,
      pairedDifference: (b.sum - a.sum) / a.n,
      pairedResponses: a.n,
      droppedBase: comparison?.onlyA ?? 0,
      droppedPost: comparison?.onlyB ?? 0,
      studiesOnlyOne: comparison?.studiesOnlyOne ?? 0,
      studiesTooFew: (comparison?.studiesTooFew ?? []).filter((s) => !(heldOut && trainingStudies.has(s))),
      perStudy,
    });
  }
  return pairs.sort((x, y) => (x.post < y.post ? -1 : 1));
}

/** Mean d per post-training type, its interval from the pairs' draws averaged replicate by replicate. */
export function misalignmentByType(pairs: readonly PairWithDraws[]): { type: string; pairs: number; d: Interval }[] {
  return [...new Set(pairs.map((p) => p.type))].sort().map((type) => {
    const ps = pairs.filter((p) => p.type === type);
    return { type, pairs: ps.length, d: averageIntervals(ps.map((p) => ({ ...p.d, draws: p.draws })))! };
  });
}

/** A generation's base models and its general-purpose post-training (generationPostType), with the pairs left out. */
export interface GenerationResult {
  family: string;
  generation: string;
  baseModels: string[];
  baseScore: number | null;
  /** The post-training type whose pairs make the mean (null: the generation has no instruct or reasoning pair). */
  postType: GenerationPostType | null;
  pairs: number;
  d: Interval | null;
  /** The generation's other pairs, per type (in `pairs` and the by-type means, not in this one). */
  leftOut: { type: string; pairs: number }[];
}

/**
 * Base-model score and mean misalignment per (family, generation), over the pairs of the generation's general-purpose
 * post-training only (instruct, else reasoning), as the paper's Fig. 3a groups them.
 */
export function misalignmentByGeneration(
  data: ComparisonData,
  models: readonly ModelScore[],
  pairs: readonly PairWithDraws[],
): GenerationResult[] {
  const generations = new Map<string, { family: string; generation: string }>();
  for (const f of data.facts.values()) generations.set(`${f.family}\u0000${f.generation}`, { family: f.family, generation: f.generation });
  const order = (a: { family: string; generation: string }, b: { family: string; generation: string }): number =>
    a.family.localeCompare(b.family) || Number(a.generation) - Number(b.generation) || a.generation.localeCompare(b.generation);
  return [...generations.values()].sort(order).map((g) => {
    const bases = models.filter((s) => s.facts?.family === g.family && s.facts.generation === g.generation && s.facts.type === 'base');
    const all = pairs.filter((p) => p.family === g.family && p.generation === g.generation);
    const postType = generationPostType(all.map((p) => p.type));
    const ps = all.filter((p) => p.type === postType);
    const others = [...new Set(all.map((p) => p.type))].filter((t) => t !== postType).sort();
    return {
      ...g,
      baseModels: bases.map((b) => b.model),
      baseScore: meanOf(bases.map((b) => b.score)),
      postType,
      pairs: ps.length,
      d: averageIntervals(ps.map((p) => ({ ...p.d, draws: p.draws }))) ?? null,
      leftOut: others.map((type) => ({ type, pairs: all.filter((p) => p.type === type).length })),
    };
  });
}
