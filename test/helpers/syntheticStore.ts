import { ResultsStore } from '../../src/store/ResultsStore.js';
import { sqlString } from '../../src/util/sqlString.js';

export interface SyntheticModel {
  model: string;
  /** Added to every response NLL: a post-trained model with shift δ over its base has Cohen's d ≈ δ (SD 1). */
  shift: number;
  format?: string;
  /** Share of discrete responses predicted correctly (with `discrete`): default 0.6 − 0.2·shift. */
  accuracy?: number;
  /** With `choices`: the model's choice distribution is softmax(z / temperature) (default 1: the humans' own). */
  temperature?: number;
}

export interface SyntheticSize {
  studies: number;
  participants: number;
  responses: number;
  /** Every even response is a discrete choice among 2 + study % 3 options (choice_set_size), correct at `accuracy`. */
  discrete?: boolean;
  /** Every response a discrete choice with the model's full choice distribution (calibration tests): CHOICE_ROWS. */
  choices?: boolean;
}

/**
 * Discrete choices instead of Gaussian NLLs: each response chooses among 2 or 3 options (`FJ`, `FJK`, alternating)
 * with logits z ~ N(0, 1.5²) shared by every model; the human's answer is drawn from softmax(z), so a model with
 * temperature 1 is calibrated and one with temperature 0.3 is the same model sharpened (same argmax, overconfident).
 */
const CHOICE_ROWS = `
  WITH b AS (
    SELECT run_id, temperature AS t, s, p, i, 2 + i % 2 AS k,
           1.5 * gauss(hash(s, p, i, 10), hash(s, p, i, 11)) AS z0, 1.5 * gauss(hash(s, p, i, 12), hash(s, p, i, 13)) AS z1,
           1.5 * gauss(hash(s, p, i, 14), hash(s, p, i, 15)) AS z2, (hash(s, p, i, 9) % 1000000) / 1000000.0 AS u
    FROM m, range(#S) t1(s), range(#P) t2(p), range(#R) t3(i)),
  e AS (SELECT *, exp(z0) AS e0, exp(z1) AS e1, CASE WHEN k = 3 THEN exp(z2) ELSE 0 END AS e2,
               exp(z0 / t) AS q0, exp(z1 / t) AS q1, CASE WHEN k = 3 THEN exp(z2 / t) ELSE 0 END AS q2 FROM b),
  h AS (SELECT *, CASE WHEN u < e0 / (e0 + e1 + e2) THEN 0 WHEN u < (e0 + e1) / (e0 + e1 + e2) THEN 1 ELSE 2 END AS ans,
               q0 / (q0 + q1 + q2) AS p0, q1 / (q0 + q1 + q2) AS p1, q2 / (q0 + q1 + q2) AS p2 FROM e),
  g AS (SELECT *, [p0, p1, p2][ans + 1] AS ph, greatest(p0, p1, p2) AS pmax FROM h)
  SELECT run_id, 'study' || lpad(s::VARCHAR, 3, '0'), 'e', p::VARCHAR, i::INTEGER, 0, 1, 1, -ln(ph), NULL, NULL, 0, 0, true, NULL, -ln(ph),
         ph >= pmax, 'offered', k, substr('FJK', 1, k), substr('FJK', ans + 1, 1),
         -(p0 * ln(p0) + p1 * ln(p1) + CASE WHEN p2 > 0 THEN p2 * ln(p2) ELSE 0 END), ph, pmax, p0 * p0 + p1 * p1 + p2 * p2
  FROM g`;

/**
 * A results store with planted effects, written by DuckDB itself: for every model, study and participant,
 * `responses` rows with NLL = 2 + 0.1·study + shift + N(0, 1) (Box–Muller on hashes: deterministic).
 */
export async function writeSyntheticStore(path: string, models: readonly SyntheticModel[], size: SyntheticSize): Promise<void> {
  const store = await ResultsStore.open(path);
  try {
    const values = models
      .map(
        (m, i) =>
          `(${sqlString(`run${i}`)}, ${sqlString(m.model)}, ${m.shift}, ${sqlString(m.format ?? 'raw')}, ${m.accuracy ?? Math.min(0.95, Math.max(0.05, 0.6 - 0.2 * m.shift))}, ${m.temperature ?? 1})`,
      )
      .join(', ');
    await store.connection.run(
      `CREATE TEMP TABLE m(run_id VARCHAR, model VARCHAR, shift DOUBLE, fmt VARCHAR, acc DOUBLE, temperature DOUBLE); INSERT INTO m VALUES ${values}`,
    );
    const discrete = size.discrete ? 'i % 2 = 0' : 'false';
    await store.connection.run(`INSERT INTO runs (run_id, config_key, record_version, tool_version, status, created_at, updated_at, source, selection, dataset_hash,
        model, model_kind, model_identity, tokenizer, prompt_format, context_policy, options)
      SELECT run_id, run_id, 1, 'synthetic', 'complete', now(), now(), 'synthetic', 'all', 'h', model, 'gguf', '{}', 't', fmt, 'windowed', '{}' FROM m`);
    if (size.choices) {
      await store.connection.run(
        `CREATE TEMP MACRO gauss(a, b) AS sqrt(-2 * ln((a % 1000000 + 1) / 1000001.0)) * cos(2 * pi() * ((b % 1000000) / 1000000.0))`,
      );
      await store.connection.run(`INSERT INTO responses (run_id, study, experiment, participant, response_index, char_start, char_end, n_tokens, nll,
          greedy_match, first_token_logprob, straddle, context_tokens, discrete, choice_correct, choice_nll, choice_correct_restricted, choice_rule,
          choice_set_size, choice_set, choice_answer, choice_entropy, choice_prob, choice_max_prob, choice_sum_sq)
        ${CHOICE_ROWS.replace('#S', String(size.studies)).replace('#P', String(size.participants)).replace('#R', String(size.responses))}`);
    } else {
      await store.connection.run(`INSERT INTO responses (run_id, study, experiment, participant, response_index, char_start, char_end, n_tokens, nll,
          greedy_match, first_token_logprob, straddle, context_tokens, discrete, choice_correct, choice_nll, choice_correct_restricted, choice_set_size)
        SELECT run_id, 'study' || lpad(s::VARCHAR, 3, '0'), 'e', p::VARCHAR, i::INTEGER, 0, 1, 1,
          2 + 0.1 * s + shift + sqrt(-2 * ln((hash(run_id, s, p, i, 1) % 1000000 + 1) / 1000001.0)) * cos(2 * pi() * ((hash(run_id, s, p, i, 2) % 1000000) / 1000000.0)),
          NULL, NULL, 0, 0, ${discrete}, CASE WHEN ${discrete} THEN (hash(run_id, s, p, i, 3) % 1000) < 1000 * acc END, NULL,
          CASE WHEN ${discrete} THEN (hash(run_id, s, p, i, 4) % 1000) < 1000 * least(1, acc + 0.1) END, CASE WHEN ${discrete} THEN 2 + s % 3 END
        FROM m, range(${size.studies}) t1(s), range(${size.participants}) t2(p), range(${size.responses}) t3(i)`);
    }
    // Participants' outcomes, as the run loop would have written them.
    await store.connection.run(`INSERT INTO participants SELECT run_id, 'study' || lpad(s::VARCHAR, 3, '0'), 'e', p::VARCHAR, 'scored', NULL, ${size.responses}, ${size.responses}, 0, 0
      FROM m, range(${size.studies}) t1(s), range(${size.participants}) t2(p)`);
  } finally {
    store.close();
  }
}
