import { sqlString } from '../../src/util/sqlString.js';
import { ResultsStore } from '../../src/store/ResultsStore.js';

export interface SyntheticModel {
  model: string;
  /** Added to every response NLL: a post-trained model with shift δ over its base has Cohen's d ≈ δ (SD 1). */
  shift: number;
  format?: string;
}

/**
 * A results store with planted effects, written by DuckDB itself: for every model, study and participant,
 * `responses` rows with NLL = 2 + 0.1·study + shift + N(0, 1) (Box–Muller on hashes: deterministic).
 */
export async function writeSyntheticStore(path: string, models: readonly SyntheticModel[], size: { studies: number; participants: number; responses: number }): Promise<void> {
  const store = await ResultsStore.open(path);
  try {
    const values = models.map((m, i) => `(${sqlString(`run${i}`)}, ${sqlString(m.model)}, ${m.shift}, ${sqlString(m.format ?? 'raw')})`).join(', ');
    await store.connection.run(`CREATE TEMP TABLE m(run_id VARCHAR, model VARCHAR, shift DOUBLE, fmt VARCHAR); INSERT INTO m VALUES ${values}`);
    await store.connection.run(`INSERT INTO runs (run_id, config_key, record_version, tool_version, status, created_at, updated_at, source, selection, dataset_hash,
        model, model_kind, model_identity, tokenizer, prompt_format, context_policy, options)
      SELECT run_id, run_id, 1, 'synthetic', 'complete', now(), now(), 'synthetic', 'all', 'h', model, 'gguf', '{}', 't', fmt, 'windowed', '{}' FROM m`);
    await store.connection.run(`INSERT INTO responses
      SELECT run_id, 'study' || lpad(s::VARCHAR, 3, '0'), 'e', p::VARCHAR, i::INTEGER, 0, 1, 1,
        2 + 0.1 * s + shift + sqrt(-2 * ln((hash(run_id, s, p, i, 1) % 1000000 + 1) / 1000001.0)) * cos(2 * pi() * ((hash(run_id, s, p, i, 2) % 1000000) / 1000000.0)),
        NULL, NULL, 0, 0, false, NULL, NULL, NULL, NULL, NULL
      FROM m, range(${size.studies}) t1(s), range(${size.participants}) t2(p), range(${size.responses}) t3(i)`);
    // Participants' outcomes, as the run loop would have written them.
    await store.connection.run(`INSERT INTO participants SELECT run_id, 'study' || lpad(s::VARCHAR, 3, '0'), 'e', p::VARCHAR, 'scored', NULL, ${size.responses}, ${size.responses}, 0, 0
      FROM m, range(${size.studies}) t1(s), range(${size.participants}) t2(p)`);
  } finally {
    store.close();
  }
}
