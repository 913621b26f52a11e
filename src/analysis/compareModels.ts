import type { ResultsStore } from '../store/ResultsStore.js';
import { alignmentScores, type ModelScore, type StudyScore } from './alignmentScores.js';
import type { Interval } from './bootstrap.js';
import { domainMatrix, type DomainMatrix } from './domainMatrix.js';
import { loadComparison, type CompareOptions } from './loadComparison.js';
import { misalignmentByGeneration, misalignmentByType, misalignmentPairs, type PairResult } from './misalignmentPairs.js';
import { personaBenefit, type PersonaResult } from './personaBenefit.js';

export type { CompareOptions } from './loadComparison.js';
export type { ModelScore } from './alignmentScores.js';
export type { PairResult } from './misalignmentPairs.js';
export type { PersonaResult } from './personaBenefit.js';

export interface CompareResult {
  format: string;
  runs: { runId: string; model: string; format: string; policy: string; status: string }[];
  unclassified: string[];
  models: ModelScore[];
  perStudy: StudyScore[];
  pairs: PairResult[];
  byType: { type: string; pairs: number; d: Interval }[];
  byGeneration: { family: string; generation: string; baseModels: string[]; baseScore: number | null; pairs: number; d: Interval | null }[];
  domains: DomainMatrix | null;
  persona: PersonaResult[];
}

/**
 * The paper's analyses from stored runs (no model is called): load once, then alignment scores, post-training
 * misalignment per (base, post-trained) pair with bootstrap intervals, by type, generation and domain, persona
 * benefit against the shuffled control, and accuracy. The same store and seed give bit-identical results.
 */
export async function compareModels(store: ResultsStore, o: CompareOptions = {}): Promise<CompareResult> {
  const data = await loadComparison(store, o);
  const boot = { reps: o.bootstrap ?? 1000, seed: o.seed ?? 0 };
  const { models, perStudy } = alignmentScores(data);
  const withDraws = misalignmentPairs(data, boot);
  return {
    format: data.format,
    runs: data.runs.map((r) => ({ runId: r.runId, model: r.model, format: r.promptFormat, policy: r.contextPolicy, status: r.status })),
    unclassified: data.unclassified,
    models,
    perStudy,
    pairs: withDraws.map(({ draws: _draws, ...p }) => p),
    byType: misalignmentByType(withDraws),
    byGeneration: misalignmentByGeneration(data, models, withDraws),
    domains: o.domains ? domainMatrix(withDraws) : null,
    persona: personaBenefit(data, boot),
  };
}
