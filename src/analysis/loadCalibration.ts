import { calibrationSql } from '../store/queries.js';
import type { ResultsStore } from '../store/ResultsStore.js';
import { type ComparisonData, unitKey } from './loadComparison.js';

/** Number of equal-width confidence bins of the expected calibration error and the reliability diagram. */
export const CALIBRATION_BINS = 10;

/** One confidence bin of a study: responses with a prediction, how many were right, their summed confidence. */
export interface BinSums {
  n: number;
  correct: number;
  confidence: number;
}

/** Sums over a study's responses with a choice distribution (see calibrationSql). */
export interface StudyCalibration {
  n: number;
  entropy: number;
  nll: number;
  brier: number;
  /** Σ over responses of the participants' own response entropy (of the response's group). */
  humanEntropy: number;
  bins: BinSums[];
}

/** unit → study → sums, for the compared units (each study from the unit's run for it). One scan of the runs' rows. */
export async function loadCalibration(store: ResultsStore, data: ComparisonData): Promise<Map<string, Map<string, StudyCalibration>>> {
  const runIds = [...new Set(data.main.flatMap((u) => [...u.studies.values()].map((r) => r.runId)))];
  const byRun = new Map<string, Map<string, StudyCalibration>>();
  if (runIds.length) {
    const rows = await store.query<{
      run_id: string;
      study: string;
      bin: number;
      n: number;
      h: number;
      nll: number;
      brier: number;
      n_ok: number;
      k: number;
      conf: number;
      hh: number;
    }>(calibrationSql(runIds));
    for (const r of rows) {
      const studies = byRun.get(r.run_id) ?? new Map<string, StudyCalibration>();
      byRun.set(r.run_id, studies);
      const s = studies.get(r.study) ?? {
        n: 0,
        entropy: 0,
        nll: 0,
        brier: 0,
        humanEntropy: Number(r.hh),
        bins: Array.from({ length: CALIBRATION_BINS }, () => ({ n: 0, correct: 0, confidence: 0 })),
      };
      studies.set(r.study, s);
      s.n += Number(r.n);
      s.entropy += Number(r.h);
      s.nll += Number(r.nll);
      s.brier += Number(r.brier);
      const bin = s.bins[Number(r.bin)]!;
      bin.n += Number(r.n_ok);
      bin.correct += Number(r.k);
      bin.confidence += Number(r.conf);
    }
  }
  const out = new Map<string, Map<string, StudyCalibration>>();
  for (const u of data.main) {
    const studies = new Map<string, StudyCalibration>();
    for (const [study, run] of [...u.studies].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const s = byRun.get(run.runId)?.get(study);
      if (s) studies.set(study, s);
    }
    out.set(unitKey(u), studies);
  }
  return out;
}
