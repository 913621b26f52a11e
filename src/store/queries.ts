import { participantKeySql, studyParticipantKeySql } from '../data/participantKey.js';
import { sqlList, sqlString } from '../util/sqlString.js';

/**
 * The SQL over the results tables, in one place: the run's statistics, the analyses' loader, the report and the
 * export all read `responses` through these. Each returns SQL text; callers run it through ResultsStore.
 */

/**
 * Sums that are the same whatever order DuckDB's threads add the rows in: NLL summed as integers of 1e-9 nats
 * (squares of 1e-6), then scaled back. A floating-point sum differs in its last bits from run to run, and the
 * bootstrap must be bit-identical for the same store and seed. Range: an NLL up to 9.2e9 nats, a square up to 9.2e12.
 */
const exactSum = (expr: string): string => `(sum(round((${expr}) * 1e9)::BIGINT) / 1e9)`;
const exactSumSq = (expr: string): string => `(sum(round((${expr}) * (${expr}) * 1e6)::BIGINT) / 1e6)`;

const accuracy = (column: string): string => `avg(CASE WHEN ${column} THEN 1.0 WHEN NOT ${column} THEN 0.0 END)`;

/** Rows of responses whose participant has no `participants` entry (a run killed between the two writes). */
export const UNFINISHED_WHERE = `run_id = ? AND ${studyParticipantKeySql()} NOT IN (SELECT ${studyParticipantKeySql()} FROM participants WHERE run_id = ?)`;

/** Keys of the participants a run has finished. */
export const FINISHED_PARTICIPANTS_SQL = `SELECT ${studyParticipantKeySql()} AS k FROM participants WHERE run_id = ?`;

/**
 * Per study of one run: participants, responses, mean NLL, accuracies (full vocabulary, choice-restricted), and for
 * chance: the sum of ln |choice set| over discrete responses and the count of the others (chance ln K each).
 */
export const STUDY_SUMMARY_SQL = `
  SELECT study, count(DISTINCT ${participantKeySql()})::INTEGER AS participants, count(*)::INTEGER AS responses, avg(nll) AS mean_nll,
         ${accuracy('choice_correct')} AS acc, ${accuracy('choice_correct_restricted')} AS acc_r,
         coalesce(sum(ln(choice_set_size)), 0) AS chance_discrete, count(*) FILTER (WHERE choice_set_size IS NULL)::INTEGER AS n_other
  FROM responses WHERE run_id = ? GROUP BY study ORDER BY study`;

/** Responses of one run and their straddle counts. */
export const RESPONSE_COUNTS_SQL = `
  SELECT count(*)::INTEGER AS n, count(*) FILTER (WHERE straddle & 1 = 1)::INTEGER AS s1, count(*) FILTER (WHERE straddle & 2 = 2)::INTEGER AS s2
  FROM responses WHERE run_id = ?`;

/**
 * Sufficient statistics per (run, study, participant) for the analyses: response count, sum and sum of squares of
 * NLL, accuracy counts over discrete responses, and how many responses the participant's transcript has: a
 * participant whose runs both scored all of them scored the same responses, so the two pair without a join. One
 * scan over the runs' rows, grouped on the stored columns (the key is built per group, not per row).
 */
export function participantMomentsSql(runIds: readonly string[]): string {
  return `
    WITH m AS (
      SELECT run_id, study, experiment, participant, count(*)::INTEGER AS n, ${exactSum('nll')} AS s, ${exactSumSq('nll')} AS ss,
             count(choice_correct) FILTER (WHERE discrete)::INTEGER AS acc_n, count(*) FILTER (WHERE discrete AND choice_correct)::INTEGER AS acc_k,
             count(choice_correct_restricted) FILTER (WHERE discrete)::INTEGER AS accr_n,
             count(*) FILTER (WHERE discrete AND choice_correct_restricted)::INTEGER AS accr_k
      FROM responses WHERE run_id IN (${sqlList(runIds)}) GROUP BY run_id, study, experiment, participant)
    SELECT m.run_id, m.study, ${participantKeySql('m')} AS p, m.n, m.s, m.ss, m.acc_n, m.acc_k, m.accr_n, m.accr_k, coalesce(t.n_responses, -1) AS total
    FROM m LEFT JOIN participants t USING (run_id, study, experiment, participant)`;
}

/** One paired comparison of two runs (a = reference, e.g. the base model; b = the other). */
export interface ComparisonRuns {
  id: string;
  a: string;
  b: string;
}

/** A participant of a comparison whose two runs scored different responses: paired exactly by a join. */
export interface UnevenParticipant {
  id: string;
  a: string;
  b: string;
  study: string;
  p: string;
}

/**
 * Paired statistics over the responses BOTH runs scored (same participant and response index), for the
 * participants whose runs scored different responses: count, sums and sums of squares of each run's NLL.
 */
export function pairedMomentsSql(uneven: readonly UnevenParticipant[]): string {
  const values = uneven.map((u) => `(${[u.id, u.a, u.b, u.study, u.p].map(sqlString).join(', ')})`).join(', ');
  return `
    WITH u(cid, a, b, study, p) AS (VALUES ${values})
    SELECT u.cid, u.study, u.p, count(*)::INTEGER AS n,
           ${exactSum('x.nll')} AS sa, ${exactSumSq('x.nll')} AS ssa, ${exactSum('y.nll')} AS sb, ${exactSumSq('y.nll')} AS ssb
    FROM u JOIN responses x ON x.run_id = u.a AND x.study = u.study AND ${participantKeySql('x')} = u.p
           JOIN responses y ON y.run_id = u.b AND y.study = u.study AND y.experiment = x.experiment
                            AND y.participant = x.participant AND y.response_index = x.response_index
    GROUP BY ALL`;
}

/** Per study of the run with the most rows: the dataset overview of the report. */
export const DATASET_OVERVIEW_SQL = `
  WITH top AS (SELECT run_id FROM responses GROUP BY run_id ORDER BY count(*) DESC, run_id LIMIT 1)
  SELECT study, count(DISTINCT ${participantKeySql()})::INTEGER AS participants, count(*)::INTEGER AS responses
  FROM responses WHERE run_id = (SELECT run_id FROM top) GROUP BY study ORDER BY study`;

/** The two highest-NLL responses per study of one run (the report's examples). */
export const HARDEST_RESPONSES_SQL = `
  SELECT study, experiment, participant, char_start, char_end, nll FROM (
    SELECT *, row_number() OVER (PARTITION BY study ORDER BY nll DESC, participant, response_index) AS k FROM responses WHERE run_id = ?)
  WHERE k <= 2 ORDER BY study, nll DESC`;

/** One row per response of the given runs, with the model name and run settings joined in (export). */
export function exportResponsesSql(runIds: readonly string[]): string {
  return `SELECT r.run_id, u.model, r.study, r.experiment, r.participant, r.response_index, r.char_start, r.char_end, r.n_tokens,
      r.nll, r.greedy_match, r.first_token_logprob, r.straddle, r.context_tokens, r.discrete, r.choice_correct, r.choice_nll,
      r.choice_correct_restricted, r.choice_rule, r.choice_set_size, u.prompt_format, u.context_policy
    FROM responses r JOIN runs u USING (run_id) WHERE r.run_id IN (${sqlList(runIds)})
    ORDER BY r.run_id, r.study, r.experiment, r.participant, r.response_index`;
}
