import { sqlString } from '../../src/util/sqlString.js';
import { ResultsStore } from '../../src/store/ResultsStore.js';

export interface SyntheticModel {
  model: string;
  /** Added to every response NLL: a post-trained model with shift δ over its base has Cohen's d ≈ δ (SD 1). */
  shift: number;
  format?: string;
  /** Share of discrete responses predicted correctly (with `discrete`): default 0.6 − 0.2·shift. */
  accuracy?: number;
}

export interface SyntheticSize {
  studies: number;
  participants: number;
  responses: number;
  /** Every even response is a discrete choice among 2 + study % 3 options (choice_set_size), correct at `accuracy`. */
  discrete?: boolean;
}

/**
 * A results store with planted effects, written by DuckDB itself: for every model, study and participant,
 * `responses` rows with NLL = 2 + 0.1·study + shift + N(0, 1) (Box–Muller on hashes: deterministic).
 */
export async function writeSyntheticStore(path: string, models: readonly SyntheticModel[], size: SyntheticSize): Promise<void> {
  const store = await ResultsStore.open(path);
  try {
    const values = models.map((m, i) => `(${sqlString(`run${i}`)}, ${sqlString(m.model)}, ${m.shift}, ${sqlString(m.format ?? 'raw')}, ${m.accuracy ?? Math.min(0.95, Math.max(0.05, 0.6 - 0.2 * m.shift))})`).join(', ');
    await store.connection.run(`CREATE TEMP TABLE m(run_id VARCHAR, model VARCHAR, shift DOUBLE, fmt VARCHAR, acc DOUBLE); INSERT INTO m VALUES ${values}`);
    const discrete = size.discrete ? 'i % 2 = 0' : 'false';
    await store.connection.run(`INSERT INTO runs (run_id, config_key, record_version, tool_version, status, created_at, updated_at, source, selection, dataset_hash,
        model, model_kind, model_identity, tokenizer, prompt_format, context_policy, options)
      SELECT run_id, run_id, 1, 'synthetic', 'complete', now(), now(), 'synthetic', 'all', 'h', model, 'gguf', '{}', 't', fmt, 'windowed', '{}' FROM m`);
    await store.connection.run(`INSERT INTO responses (run_id, study, experiment, participant, response_index, char_start, char_end, n_tokens, nll,
        greedy_match, first_token_logprob, straddle, context_tokens, discrete, choice_correct, choice_nll, choice_correct_restricted, choice_set_size)
      SELECT run_id, 'study' || lpad(s::VARCHAR, 3, '0'), 'e', p::VARCHAR, i::INTEGER, 0, 1, 1,
        2 + 0.1 * s + shift + sqrt(-2 * ln((hash(run_id, s, p, i, 1) % 1000000 + 1) / 1000001.0)) * cos(2 * pi() * ((hash(run_id, s, p, i, 2) % 1000000) / 1000000.0)),
        NULL, NULL, 0, 0, ${discrete}, CASE WHEN ${discrete} THEN (hash(run_id, s, p, i, 3) % 1000) < 1000 * acc END, NULL,
        CASE WHEN ${discrete} THEN (hash(run_id, s, p, i, 4) % 1000) < 1000 * least(1, acc + 0.1) END, CASE WHEN ${discrete} THEN 2 + s % 3 END
      FROM m, range(${size.studies}) t1(s), range(${size.participants}) t2(p), range(${size.responses}) t3(i)`);
    // Participants' outcomes, as the run loop would have written them.
    await store.connection.run(`INSERT INTO participants SELECT run_id, 'study' || lpad(s::VARCHAR, 3, '0'), 'e', p::VARCHAR, 'scored', NULL, ${size.responses}, ${size.responses}, 0, 0
      FROM m, range(${size.studies}) t1(s), range(${size.participants}) t2(p)`);
  } finally {
    store.close();
  }
}
