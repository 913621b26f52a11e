import type { ResultsStore } from '../store/ResultsStore.js';
import { alignmentScores, type ModelScore, type StudyScore } from './alignmentScores.js';
import type { Interval } from './bootstrap.js';
import { type CalibrationResult, calibration } from './calibration.js';
import { compareConfigSchema } from './compareConfig.js';
import type { ComparisonSet } from './comparisonSets.js';
import { type DomainMatrix, domainMatrix } from './domainMatrix.js';
import { loadCalibration } from './loadCalibration.js';
import { type CompareOptions, definedOnly, loadComparison } from './loadComparison.js';
import {
  type GenerationResult,
  misalignmentByGeneration,
  misalignmentByType,
  misalignmentPairs,
  type PairResult,
} from './misalignmentPairs.js';
import { type PersonaResult, personaBenefit } from './personaBenefit.js';

export type { ModelScore } from './alignmentScores.js';
export type { CalibrationResult } from './calibration.js';
export type { CompareOptions } from './loadComparison.js';
export type { GenerationResult, PairResult } from './misalignmentPairs.js';
export type { PersonaResult } from './personaBenefit.js';

/** A comparison set as reported: what was compared, and what else the store holds. */
export interface SetSummary {
  id: string;
  selection: string;
  policy: string;
  studies: number;
  contextSizes: (number | null)[];
  models: number;
}

export interface CompareResult {
  format: string;
  /** The comparison set analysed (runs of the same data, selection and policy) and the others in the store. */
  set: SetSummary & { superseded: string[] };
  otherSets: SetSummary[];
  /** The runs used, per model and format. */
  runs: { runId: string; model: string; format: string; policy: string; status: string; studies: number }[];
  unclassified: string[];
  models: ModelScore[];
  perStudy: StudyScore[];
  pairs: PairResult[];
  byType: { type: string; pairs: number; d: Interval }[];
  /** Per generation, the mean over the pairs of its general-purpose post-training (instruct, else reasoning). */
  byGeneration: GenerationResult[];
  domains: DomainMatrix | null;
  persona: PersonaResult[];
  /** Calibration of the choice distributions over discrete responses, per model and per pair (record version 3 runs). */
  calibration: CalibrationResult;
  /** Runs not complete whose model the set does not hold (named so that no model silently drops out). */
  notCompared: { runId: string; model: string; format: string; status: string }[];
}

/**
 * The paper's analyses from stored runs (no model is called): load once, then alignment scores, post-training
 * misalignment per (base, post-trained) pair with bootstrap intervals, by type, generation and domain, persona
 * benefit against the shuffled control, and accuracy. The same store and seed give bit-identical results.
 */
export async function compareModels(store: ResultsStore, o: CompareOptions = {}): Promise<CompareResult> {
  const data = await loadComparison(store, o);
  const { bootstrap, seed } = compareConfigSchema.parse(definedOnly(o));
  const boot = { reps: bootstrap, seed };
  const { models, perStudy } = alignmentScores(data);
  const withDraws = misalignmentPairs(data, boot, o.excludeStudies);
  return {
    format: data.format,
    set: { ...summarise(data.set), superseded: data.set.superseded },
    otherSets: data.otherSets.map(summarise),
    runs: runsUsed(data.set),
    unclassified: data.unclassified,
    models,
    perStudy,
    pairs: withDraws.map(({ draws: _draws, ...p }) => p),
    byType: misalignmentByType(withDraws),
    byGeneration: misalignmentByGeneration(data, models, withDraws),
    domains: o.domains ? domainMatrix(withDraws) : null,
    persona: personaBenefit(data, boot),
    calibration: calibration(data, await loadCalibration(store, data), o.excludeStudies),
    notCompared: data.notCompared,
  };
}

const summarise = (s: ComparisonSet): SetSummary => ({
  id: s.id,
  selection: s.selection,
  policy: s.policy,
  studies: s.studyHashes.size,
  contextSizes: s.contextSizes,
  models: s.units.length,
});

/** Each run of the set, with how many of its studies the set uses. */
function runsUsed(set: ComparisonSet): CompareResult['runs'] {
  const out = new Map<string, CompareResult['runs'][number]>();
  for (const u of set.units) {
    for (const r of u.studies.values()) {
      const row = out.get(r.runId) ?? {
        runId: r.runId,
        model: r.model,
        format: r.promptFormat,
        policy: r.contextPolicy,
        status: r.status,
        studies: 0,
      };
      row.studies++;
      out.set(r.runId, row);
    }
  }
  return [...out.values()].sort((a, b) => (a.runId < b.runId ? -1 : 1));
}
