import { CALIBRATION_BINS, type StudyCalibration } from './loadCalibration.js';
import { type ComparisonData, unitKey } from './loadComparison.js';

/** One bin of a reliability diagram: confidence in [low, high), its weight, mean confidence and accuracy. */
export interface ReliabilityBin {
  low: number;
  high: number;
  /** Responses in the bin, and their share with each study weighing the same (the ECE's weight). */
  responses: number;
  weight: number;
  confidence: number | null;
  accuracy: number | null;
}

/** Calibration of a model's choice distributions over some studies (each study weighs the same). */
export interface CalibrationSummary {
  studies: number;
  responses: number;
  /** Mean over studies of: choice-restricted accuracy, predictive entropy (nats), choice NLL, Brier score. */
  accuracy: number | null;
  entropy: number;
  /** The participants' own response entropy on the same responses (nats; see docs/analyses.md). */
  humanEntropy: number;
  choiceNll: number;
  brier: number;
  /** Expected calibration error over CALIBRATION_BINS equal-width bins of confidence (null: no predictions). */
  ece: number | null;
  reliability: ReliabilityBin[];
}

export interface ModelCalibration extends CalibrationSummary {
  model: string;
}

/** A (base, post-trained) pair's calibration, each side over the studies both have. */
export interface PairCalibration {
  base: string;
  post: string;
  type: string;
  baseSide: CalibrationSummary;
  postSide: CalibrationSummary;
}

export interface CalibrationResult {
  models: ModelCalibration[];
  pairs: PairCalibration[];
}

const meanOver = (studies: readonly StudyCalibration[], f: (s: StudyCalibration) => number): number =>
  studies.reduce((a, s) => a + f(s) / s.n, 0) / studies.length;

/**
 * Summary over studies, each weighing the same: means of per-study means, and ECE = Σ_b W_b |acc_b − conf_b| where a
 * prediction of study s weighs w_s = 1 / (S' · n_s) (S' studies with predictions, n_s of them in s), W_b = Σ w over
 * bin b, conf_b and acc_b the w-weighted mean confidence and accuracy in b.
 */
export function summariseCalibration(studies: readonly StudyCalibration[]): CalibrationSummary {
  const predicted = studies.filter((s) => s.bins.some((b) => b.n > 0));
  const total = (s: StudyCalibration): number => s.bins.reduce((a, b) => a + b.n, 0);
  const reliability: ReliabilityBin[] = [];
  let ece = 0;
  for (let b = 0; b < CALIBRATION_BINS; b++) {
    let weight = 0,
      conf = 0,
      acc = 0,
      responses = 0;
    for (const s of predicted) {
      const w = 1 / (predicted.length * total(s));
      const bin = s.bins[b]!;
      responses += bin.n;
      weight += w * bin.n;
      conf += w * bin.confidence;
      acc += w * bin.correct;
    }
    ece += Math.abs(acc - conf);
    reliability.push({
      low: b / CALIBRATION_BINS,
      high: (b + 1) / CALIBRATION_BINS,
      responses,
      weight,
      confidence: weight ? conf / weight : null,
      accuracy: weight ? acc / weight : null,
    });
  }
  return {
    studies: studies.length,
    responses: studies.reduce((a, s) => a + s.n, 0),
    accuracy: predicted.length
      ? predicted.reduce((a, s) => a + s.bins.reduce((k, b) => k + b.correct, 0) / total(s), 0) / predicted.length
      : null,
    entropy: meanOver(studies, (s) => s.entropy),
    humanEntropy: meanOver(studies, (s) => s.humanEntropy),
    choiceNll: meanOver(studies, (s) => s.nll),
    brier: meanOver(studies, (s) => s.brier),
    ece: predicted.length ? ece : null,
    reliability,
  };
}

/**
 * Calibration per model, and per (base, post-trained) pair on the studies both scored with choice distributions (a
 * behavioural fine-tune's pair without its training studies): whether post-training made the model more
 * deterministic than people (entropy), and whether its confidence still matches its accuracy (ECE, Brier).
 */
export function calibration(
  data: ComparisonData,
  byUnit: Map<string, Map<string, StudyCalibration>>,
  trainingStudies?: ReadonlySet<string>,
): CalibrationResult {
  const of = (model: string): Map<string, StudyCalibration> | undefined => {
    const u = data.main.find((x) => x.model === model);
    return u ? byUnit.get(unitKey(u)) : undefined;
  };
  const models: ModelCalibration[] = [];
  for (const u of data.main) {
    const studies = [...(byUnit.get(unitKey(u))?.values() ?? [])];
    if (studies.length) models.push({ model: u.model, ...summariseCalibration(studies) });
  }
  const pairs: PairCalibration[] = [];
  for (const f of data.facts.values()) {
    const a = f.base ? of(f.base) : undefined;
    const b = of(f.model);
    if (f.type === 'base' || !f.base || !a || !b) continue;
    const common = [...a.keys()].filter((s) => b.has(s) && !(f.type === 'behavioural' && trainingStudies?.has(s)));
    if (!common.length) continue;
    pairs.push({
      base: f.base,
      post: f.model,
      type: f.type,
      baseSide: summariseCalibration(common.map((s) => a.get(s)!)),
      postSide: summariseCalibration(common.map((s) => b.get(s)!)),
    });
  }
  return { models: models.sort((x, y) => (x.model < y.model ? -1 : 1)), pairs: pairs.sort((x, y) => (x.post < y.post ? -1 : 1)) };
}
