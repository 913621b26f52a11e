import { type Moments, mean } from './cohensD.js';
import { type ComparisonData, type ParticipantStats, unitKey } from './loadComparison.js';
import type { ModelFacts } from './modelTable.js';

export interface ModelScore {
  model: string;
  /** The runs its studies come from (several when its studies were scored by separate jobs). */
  runIds: string[];
  facts: ModelFacts | null;
  studies: number;
  /** Mean over studies of the mean response NLL (each study weighs the same); null when no response was scored. */
  score: number | null;
  /** Mean over studies of full-vocabulary / choice-restricted accuracy on discrete responses. */
  accuracy: number | null;
  accuracyRestricted: number | null;
  /** Share of the compared studies' responses the model's runs skipped (too long, unalignable...): shown beside the score. */
  skippedShare: number;
}

export interface StudyScore {
  model: string;
  study: string;
  domain: string | null;
  responses: number;
  meanNll: number;
}

/** Sum of moments. */
export const totalMoments = (ms: Iterable<Moments>): Moments => {
  const t = { n: 0, sum: 0, sumSq: 0 };
  for (const m of ms) {
    t.n += m.n;
    t.sum += m.sum;
    t.sumSq += m.sumSq;
  }
  return t;
};

/** Mean of the finite values, or null. */
export const meanOf = (xs: readonly (number | null)[]): number | null => {
  const v = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
};

function accuracyOf(ps: Iterable<ParticipantStats>, restricted: boolean): number | null {
  let n = 0,
    k = 0;
  for (const p of ps) {
    n += restricted ? p.accRN : p.accN;
    k += restricted ? p.accRK : p.accK;
  }
  return n ? k / n : null;
}

/**
 * The alignment score of each model (the paper's Fig. 2 quantity): per study the mean NLL over all its responses,
 * then the mean over studies. Accuracy likewise, per study then over studies. Sorted best (lowest) first; a model
 * without any scored response has no score (null) and comes last.
 */
export function alignmentScores(data: ComparisonData): { models: ModelScore[]; perStudy: StudyScore[] } {
  const perStudy: StudyScore[] = [];
  const models = data.main.map((u) => {
    const studies = data.byUnit.get(unitKey(u)) ?? new Map<string, Map<string, ParticipantStats>>();
    const means: number[] = [];
    const acc: (number | null)[] = [];
    const accR: (number | null)[] = [];
    for (const [study, ps] of studies) {
      const t = totalMoments(ps.values());
      perStudy.push({ model: u.model, study, domain: data.domainOf(study), responses: t.n, meanNll: mean(t) });
      means.push(mean(t));
      acc.push(accuracyOf(ps.values(), false));
      accR.push(accuracyOf(ps.values(), true));
    }
    let skipped = 0;
    let total = 0;
    for (const [study, run] of u.studies) {
      const s = data.skipped.get(run.runId)?.get(study);
      skipped += s?.skipped ?? 0;
      total += s?.total ?? 0;
    }
    return {
      skippedShare: total ? skipped / total : 0,
      model: u.model,
      runIds: [...new Set([...u.studies.values()].map((r) => r.runId))].sort(),
      facts: data.facts.get(u.model) ?? null,
      studies: means.length,
      // No study with a scored response (every participant skipped): no score, not a perfect 0.
      score: means.length ? means.reduce((x, y) => x + y, 0) / means.length : null,
      accuracy: meanOf(acc),
      accuracyRestricted: meanOf(accR),
    };
  });
  const order = (x: number | null): number => x ?? Number.POSITIVE_INFINITY;
  return { models: models.sort((a, b) => order(a.score) - order(b.score) || (a.model < b.model ? -1 : 1)), perStudy };
}
