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

/** Runs with their finished participants and the responses scored and skipped. */
export const LIST_RUNS_SQL = `
  SELECT r.*, coalesce(p.n, 0) AS participants_done, coalesce(p.scored, 0) AS responses_scored, coalesce(p.total - p.scored, 0) AS responses_skipped
  FROM runs r LEFT JOIN (SELECT run_id, count(*) AS n, sum(n_scored) AS scored, sum(n_responses) AS total FROM participants GROUP BY run_id) p USING (run_id)
  ORDER BY r.created_at, r.run_id`;

/** Responses each run skipped per study (skipped responses and skipped participants' responses) and its total. */
export const SKIPPED_BY_STUDY_SQL = `
  SELECT run_id, study, (sum(n_responses) - sum(n_scored))::INTEGER AS skipped, sum(n_responses)::INTEGER AS total
  FROM participants GROUP BY run_id, study`;

/** The studies each run scored (from its finished participants). */
export const RUN_STUDIES_SQL = `SELECT DISTINCT run_id, study FROM participants ORDER BY run_id, study`;

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

/**
 * The report's dataset overview, over the compared runs only (a model's studies may come from several runs, cluster
 * jobs that split them): per study, the most participants and responses any of those runs scored.
 */
export function datasetOverviewSql(runIds: readonly string[]): string {
  return `
    SELECT study, max(participants)::INTEGER AS participants, max(responses)::INTEGER AS responses FROM (
      SELECT run_id, study, count(DISTINCT ${participantKeySql()}) AS participants, count(*) AS responses
      FROM responses WHERE run_id IN (${sqlList(runIds)}) GROUP BY run_id, study)
    GROUP BY study ORDER BY study`;
}

/** The two highest-NLL responses per study of one run (the report's examples). */
export const HARDEST_RESPONSES_SQL = `
  SELECT study, experiment, participant, char_start, char_end, nll FROM (
    SELECT *, row_number() OVER (PARTITION BY study ORDER BY nll DESC, participant, response_index) AS k FROM responses WHERE run_id = ?)
  WHERE k <= 2 ORDER BY study, nll DESC`;

/** One row per response of the given runs, with the model name and run settings joined in (export). */
export function exportResponsesSql(runIds: readonly string[]): string {
  return `SELECT r.run_id, u.model, r.study, r.experiment, r.participant, r.response_index, r.char_start, r.char_end, r.n_tokens,
      r.nll, r.greedy_match, r.first_token_logprob, r.straddle, r.context_tokens, r.prefix_in_view, r.discrete, r.choice_correct, r.choice_nll,
      r.choice_correct_restricted, r.choice_rule, r.choice_set_size, r.choice_set, r.choice_answer, r.choice_entropy, r.choice_prob,
      r.choice_max_prob, r.choice_sum_sq, u.prompt_format, u.context_policy
    FROM responses r JOIN runs u USING (run_id) WHERE r.run_id IN (${sqlList(runIds)})
    ORDER BY r.run_id, r.study, r.experiment, r.participant, r.response_index`;
}

/**
 * Columns `export` can add to response rows, each from a temporary table loaded for the export
 * (loadExportTables.ts): the response's text and context and the participant's metadata (from the source), the
 * study's domain, the model's facts, and the run's status.
 */
export interface ExportJoins {
  text?: boolean;
  metadata?: boolean;
  domain?: boolean;
  facts?: boolean;
  status?: boolean;
}

/** Added columns and their joins, for rows `e` with study, experiment, participant, response_index (and model). */
function exportJoinsSql(j: ExportJoins, withModel: boolean): { cols: string[]; joins: string[] } {
  const cols: string[] = [];
  const joins: string[] = [];
  const sameResponse =
    'ON t.study = e.study AND t.experiment = e.experiment AND t.participant = e.participant AND t.response_index = e.response_index';
  if (j.text || j.metadata) joins.push(`LEFT JOIN temp.export_response_text t ${sameResponse}`);
  if (j.text) cols.push('t.response_text', 't.context');
  if (j.metadata) {
    cols.push('t.rt_ms', 'm.age', 'm.gender', 'm.nationality', 'm.education', 'm.clinical_diagnosis', 'm.scores');
    joins.push(
      'LEFT JOIN temp.export_participant_meta m ON m.study = e.study AND m.experiment = e.experiment AND m.participant = e.participant',
    );
  }
  if (j.domain) {
    cols.push('d.domain');
    joins.push('LEFT JOIN temp.export_domains d ON d.study = e.study');
  }
  if (j.facts && withModel) {
    cols.push('f.family', 'f.generation', 'f.size_b', 'f.model_type', 'f.base_model');
    joins.push('LEFT JOIN temp.export_model_facts f ON f.model = e.model');
  }
  if (j.status && withModel) {
    cols.push('s.status AS run_status');
    joins.push('LEFT JOIN runs s ON s.run_id = e.run_id');
  }
  return { cols, joins };
}

/** The export's rows (exportResponsesSql) with the added columns asked for, in the same order. */
export function exportResponsesWithSql(runIds: readonly string[], j: ExportJoins): string {
  const { cols, joins } = exportJoinsSql(j, true);
  return `SELECT e.*${cols.map((c) => `, ${c}`).join('')} FROM (${exportResponsesSql(runIds)}) e ${joins.join(' ')}
    ORDER BY e.run_id, e.study, e.experiment, e.participant, e.response_index`;
}

/** Source responses whose character range differs from the run's (the run scored another version of the data). */
export function exportTextMismatchSql(runIds: readonly string[]): string {
  return `SELECT e.run_id, e.study, e.experiment, e.participant, e.response_index, e.char_start, e.char_end, t.char_start AS src_start, t.char_end AS src_end
    FROM responses e JOIN temp.export_response_text t ON t.study = e.study AND t.experiment = e.experiment AND t.participant = e.participant AND t.response_index = e.response_index
    WHERE e.run_id IN (${sqlList(runIds)}) AND (t.char_start <> e.char_start OR t.char_end <> e.char_end)
    ORDER BY e.run_id, e.study, e.experiment, e.participant, e.response_index LIMIT 1`;
}

/** Response rows of the runs that the source does not have (no text or metadata for them). */
export function exportTextMissingSql(runIds: readonly string[]): string {
  return `SELECT count(*)::INTEGER AS n FROM responses e LEFT JOIN temp.export_response_text t
      ON t.study = e.study AND t.experiment = e.experiment AND t.participant = e.participant AND t.response_index = e.response_index
    WHERE e.run_id IN (${sqlList(runIds)}) AND t.study IS NULL`;
}

/** Studies that the runs scored. */
export function runStudiesSql(runIds: readonly string[]): string {
  return `SELECT DISTINCT study FROM responses WHERE run_id IN (${sqlList(runIds)}) ORDER BY study`;
}

/** A study of a run written in the reference's layout: the model's file name there and its directory (`data`...). */
export interface ReferenceRun {
  runId: string;
  study: string;
  model: string;
  directory: string;
}

/**
 * The reference's per-response CSV (`full_merge_jureca.py`): `directory, experiment, model, participant, trial,
 * nll`, with experiment `../data/<study>`, trial the response's index in the transcript. A participant id is unique
 * per experiment, so in a study with several experiments it is written `<experiment>:<participant>`.
 */
export function referenceLayoutSql(runs: readonly ReferenceRun[]): string {
  const values = runs.map((r) => `(${[r.runId, r.study, r.model, r.directory].map(sqlString).join(', ')})`).join(', ');
  return `
    WITH n(run_id, study, model, directory) AS (VALUES ${values}),
         multi AS (SELECT study FROM responses JOIN n USING (run_id, study) GROUP BY study HAVING count(DISTINCT experiment) > 1)
    SELECT n.directory, '../data/' || r.study AS experiment, n.model,
           CASE WHEN r.study IN (SELECT study FROM multi) THEN r.experiment || ':' || r.participant ELSE r.participant END AS participant,
           r.response_index AS trial, r.nll
    FROM responses r JOIN n USING (run_id, study)
    ORDER BY n.directory, r.study, n.model, r.experiment, r.participant, r.response_index`;
}

/** A study of a (base, post-trained) pair in one prompt format: the run of each model that scored it. */
export interface PairRuns {
  study: string;
  baseRun: string;
  postRun: string;
  base: string;
  post: string;
  type: string;
  format: string;
}

/**
 * One row per response both runs of a pair scored: NLL of the base and the post-trained model and their difference
 * (post − base, nats; > 0 where the post-trained model predicts the human worse), with the added columns asked for.
 */
export function pairedResponsesSql(pairs: readonly PairRuns[], j: ExportJoins): string {
  const values = pairs
    .map((p) => `(${[p.study, p.baseRun, p.postRun, p.base, p.post, p.type, p.format].map(sqlString).join(', ')})`)
    .join(', ');
  const { cols, joins } = exportJoinsSql(j, false);
  return `
    WITH p(study, base_run, post_run, base_model, post_model, type, prompt_format) AS (VALUES ${values}),
    e AS (
      SELECT p.base_model, p.post_model, p.type, p.prompt_format, b.study, b.experiment, b.participant, b.response_index,
             b.nll AS nll_base, q.nll AS nll_post, q.nll - b.nll AS nll_diff
      FROM p JOIN responses b ON b.run_id = p.base_run AND b.study = p.study
             JOIN responses q ON q.run_id = p.post_run AND q.study = b.study AND q.experiment = b.experiment
                              AND q.participant = b.participant AND q.response_index = b.response_index)
    SELECT e.*${cols.map((c) => `, ${c}`).join('')} FROM e ${joins.join(' ')}
    ORDER BY e.post_model, e.base_model, e.prompt_format, e.study, e.experiment, e.participant, e.response_index`;
}

/** An exact sum (as exactSum) over the rows a filter keeps. */
const exactSumWhere = (expr: string, where: string): string =>
  `coalesce(sum(round((${expr}) * 1e9)::BIGINT) FILTER (WHERE ${where}) / 1e9, 0)`;

/**
 * Calibration of discrete responses with a choice distribution (record version 3), per (run, study, confidence bin):
 * bin = ⌊10 · choice_max_prob⌋ (1.0 in bin 9). Per bin: responses, sums of entropy, choice NLL and Brier
 * (Σ p² − 2 p_human + 1); over the responses with a prediction (choice_correct_restricted not null): their count,
 * how many were correct and their summed confidence. Per study (repeated on its bins): the participants' own
 * response entropy summed over responses, Σ_g (m_g ln m_g − Σ_o n_go ln n_go) over groups g = (participant, choice
 * set) with m_g responses, n_go of them answering o: each response weighs the plug-in entropy of its group.
 */
export function calibrationSql(runIds: readonly string[]): string {
  return `
    WITH r AS (
      SELECT run_id, study, experiment, participant, choice_set, choice_answer, choice_entropy, choice_prob, choice_max_prob, choice_sum_sq,
             choice_nll, choice_correct_restricted AS ok, least(floor(choice_max_prob * 10), 9)::INTEGER AS bin
      FROM responses WHERE run_id IN (${sqlList(runIds)}) AND choice_entropy IS NOT NULL AND choice_prob IS NOT NULL),
    bins AS (
      SELECT run_id, study, bin, count(*)::INTEGER AS n, ${exactSum('choice_entropy')} AS h, ${exactSum('choice_nll')} AS nll,
             ${exactSum('choice_sum_sq - 2 * choice_prob + 1')} AS brier, count(ok)::INTEGER AS n_ok,
             count(*) FILTER (WHERE ok)::INTEGER AS k, ${exactSumWhere('choice_max_prob', 'ok IS NOT NULL')} AS conf
      FROM r GROUP BY run_id, study, bin),
    g AS (SELECT run_id, study, experiment, participant, choice_set, choice_answer, count(*) AS n FROM r GROUP BY ALL),
    s AS (SELECT run_id, study, experiment, participant, choice_set, sum(n) AS m, ${exactSum('n * ln(n)')} AS nln FROM g GROUP BY ALL),
    human AS (SELECT run_id, study, ${exactSum('m * ln(m) - nln')} AS hh FROM s GROUP BY run_id, study)
    SELECT b.run_id, b.study, b.bin, b.n, b.h, b.nll, b.brier, b.n_ok, b.k, b.conf, h.hh
    FROM bins b JOIN human h USING (run_id, study) ORDER BY b.run_id, b.study, b.bin`;
}

/**
 * Chance of the choice-restricted accuracy of the given runs: per study the mean of 1/|choice set| over the responses
 * that accuracy counts (a prediction among at least 2 options; a set of one, or an answer of several tokens, has
 * none), then the mean over studies (as accuracy is aggregated). Run ids are quoted by the caller with sqlString.
 */
export const chanceAccuracySql = (quotedRunIds: readonly string[]): string => `
  SELECT avg(m) AS chance FROM (
    SELECT study, avg(1.0 / choice_set_size) AS m FROM responses
    WHERE run_id IN (${quotedRunIds.join(', ')}) AND discrete AND choice_set_size > 1
      AND choice_correct_restricted IS NOT NULL GROUP BY study)`;
