import { RESPONSE_COUNTS_SQL, STUDY_SUMMARY_SQL } from './queries.js';
import type { ResultsStore } from './ResultsStore.js';

export interface StudySummary {
  study: string;
  participants: number;
  responses: number;
  meanNll: number;
  /**
   * Mean NLL of the uniform baseline (chance) over the same responses: ln |choice set| for a discrete response, ln K
   * (the study's distinct non-discrete responses) for the others; null when K is needed and not known.
   */
  uniformNll: number | null;
  /** 1 − NLL_model / NLL_uniform over the same responses (Centaur's pseudo-R²). */
  pseudoR2: number | null;
  /** Full-vocabulary accuracy on discrete responses, and choice-restricted accuracy. */
  accuracy: number | null;
  accuracyRestricted: number | null;
}

export interface RunStats {
  participantsScored: number;
  participantsSkipped: number;
  participantSkipReasons: Record<string, number>;
  responsesScored: number;
  responsesSkipped: number;
  responseSkipReasons: Record<string, number>;
  /** Responses whose first token also covers text before them / last token text after them. */
  straddleStart: number;
  straddleEnd: number;
  tokensEvaluated: number;
  perStudy: StudySummary[];
}

/**
 * Aggregate a run's stored rows (so a resumed run reports its whole work, not just the last session's).
 * `supportNllByStudy`: ln K per study, the chance NLL of a response that is not discrete.
 */
export async function computeRunStats(
  store: ResultsStore,
  runId: string,
  supportNllByStudy: ReadonlyMap<string, number> = new Map(),
): Promise<RunStats> {
  const [p] = await store.query<Record<string, number>>(
    `SELECT count(*) FILTER (WHERE status = 'scored')::INTEGER AS scored, count(*) FILTER (WHERE status = 'skipped')::INTEGER AS skipped,
            coalesce(sum(tokens), 0)::BIGINT AS tokens FROM participants WHERE run_id = ?`,
    [runId],
  );
  const pReasons = await store.query<{ reason: string; n: number }>(
    `SELECT reason, count(*)::INTEGER AS n FROM participants WHERE run_id = ? AND status = 'skipped' GROUP BY reason ORDER BY n DESC`,
    [runId],
  );
  const [r] = await store.query<Record<string, number>>(RESPONSE_COUNTS_SQL, [runId]);
  const rReasons = await store.query<{ reason: string; n: number }>(
    `SELECT reason, count(*)::INTEGER AS n FROM skipped_responses WHERE run_id = ? GROUP BY reason ORDER BY n DESC`,
    [runId],
  );
  const [skippedWhole] = await store.query<{ n: number }>(
    `SELECT coalesce(sum(n_responses), 0)::INTEGER AS n FROM participants WHERE run_id = ? AND status = 'skipped'`,
    [runId],
  );
  const studies = await store.query<{
    study: string;
    participants: number;
    responses: number;
    mean_nll: number;
    acc: number | null;
    acc_r: number | null;
    chance_discrete: number;
    n_other: number;
  }>(STUDY_SUMMARY_SQL, [runId]);
  const responseSkipReasons = Object.fromEntries(rReasons.map((x) => [x.reason, x.n]));
  const wholeSkipped = skippedWhole?.n ?? 0;
  if (wholeSkipped > 0) responseSkipReasons['participant skipped (see participant reasons)'] = wholeSkipped;
  return {
    participantsScored: p?.['scored'] ?? 0,
    participantsSkipped: p?.['skipped'] ?? 0,
    participantSkipReasons: Object.fromEntries(pReasons.map((x) => [x.reason, x.n])),
    responsesScored: r?.['n'] ?? 0,
    responsesSkipped: Object.values(responseSkipReasons).reduce((a, b) => a + b, 0),
    responseSkipReasons,
    straddleStart: r?.['s1'] ?? 0,
    straddleEnd: r?.['s2'] ?? 0,
    tokensEvaluated: Number(p?.['tokens'] ?? 0),
    perStudy: studies.map((s) => {
      const lnK = supportNllByStudy.get(s.study);
      const u = s.n_other > 0 && lnK === undefined ? null : (s.chance_discrete + s.n_other * (lnK ?? 0)) / s.responses;
      return {
        study: s.study,
        participants: s.participants,
        responses: s.responses,
        meanNll: s.mean_nll,
        uniformNll: u,
        pseudoR2: u && u > 0 ? 1 - s.mean_nll / u : null,
        accuracy: s.acc,
        accuracyRestricted: s.acc_r,
      };
    }),
  };
}
