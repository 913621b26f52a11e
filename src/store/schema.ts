/**
 * The results database schema. RECORD_VERSION is the version of the run record and row formats: bump it (and
 * CHANGELOG.md) whenever a score or a column changes meaning.
 */
export const RECORD_VERSION = 3;

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS runs (
  run_id VARCHAR PRIMARY KEY,
  config_key VARCHAR NOT NULL,
  record_version INTEGER NOT NULL,
  tool_version VARCHAR NOT NULL,
  status VARCHAR NOT NULL,            -- running | complete | failed | interrupted
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL,
  finished_at TIMESTAMP,
  source VARCHAR NOT NULL,
  selection VARCHAR NOT NULL,         -- all | train | test
  dataset_hash VARCHAR NOT NULL,
  model VARCHAR NOT NULL,
  model_kind VARCHAR NOT NULL,
  model_sha256 VARCHAR,
  model_identity VARCHAR NOT NULL,    -- JSON
  tokenizer VARCHAR NOT NULL,
  prompt_format VARCHAR NOT NULL,
  context_policy VARCHAR NOT NULL,
  options VARCHAR NOT NULL,           -- JSON: everything else that defines the run
  stats VARCHAR,                      -- JSON: counts, skips by reason, straddles
  timings VARCHAR,                    -- JSON
  error VARCHAR
);
CREATE TABLE IF NOT EXISTS participants (
  run_id VARCHAR NOT NULL,
  study VARCHAR NOT NULL,
  experiment VARCHAR NOT NULL,
  participant VARCHAR NOT NULL,
  status VARCHAR NOT NULL,            -- scored | skipped
  reason VARCHAR,
  n_responses INTEGER NOT NULL,
  n_scored INTEGER NOT NULL,
  tokens BIGINT NOT NULL,
  seconds DOUBLE NOT NULL
);
CREATE TABLE IF NOT EXISTS responses (
  run_id VARCHAR NOT NULL,
  study VARCHAR NOT NULL,
  experiment VARCHAR NOT NULL,
  participant VARCHAR NOT NULL,
  response_index INTEGER NOT NULL,
  char_start INTEGER NOT NULL,
  char_end INTEGER NOT NULL,
  n_tokens INTEGER NOT NULL,
  nll DOUBLE NOT NULL,
  greedy_match BOOLEAN,
  first_token_logprob DOUBLE,
  straddle TINYINT NOT NULL,
  context_tokens INTEGER NOT NULL,
  prefix_in_view BOOLEAN,             -- the persona prefix was in the window (null: baselines)
  discrete BOOLEAN NOT NULL,
  choice_correct BOOLEAN,
  choice_nll DOUBLE,
  choice_correct_restricted BOOLEAN,
  choice_rule VARCHAR,                -- offered | instructions | participant | study (discrete responses; record version 2)
  choice_set_size INTEGER,            -- |choice set| of a discrete response: its chance NLL is ln(choice_set_size)
  choice_set VARCHAR,                 -- its letters, sorted (e.g. FJ), and the human's letter (record version 3)
  choice_answer VARCHAR,
  choice_entropy DOUBLE,              -- the scorer's distribution over the set (where choice_nll is): entropy, nats;
  choice_prob DOUBLE,                 -- probability of the human's choice; largest probability (confidence);
  choice_max_prob DOUBLE,             -- and sum of squared probabilities (Brier = choice_sum_sq - 2 choice_prob + 1)
  choice_sum_sq DOUBLE
);
ALTER TABLE responses ADD COLUMN IF NOT EXISTS choice_rule VARCHAR;
ALTER TABLE responses ADD COLUMN IF NOT EXISTS choice_set_size INTEGER;
ALTER TABLE responses ADD COLUMN IF NOT EXISTS choice_set VARCHAR;
ALTER TABLE responses ADD COLUMN IF NOT EXISTS choice_answer VARCHAR;
ALTER TABLE responses ADD COLUMN IF NOT EXISTS choice_entropy DOUBLE;
ALTER TABLE responses ADD COLUMN IF NOT EXISTS choice_prob DOUBLE;
ALTER TABLE responses ADD COLUMN IF NOT EXISTS choice_max_prob DOUBLE;
ALTER TABLE responses ADD COLUMN IF NOT EXISTS choice_sum_sq DOUBLE;
CREATE TABLE IF NOT EXISTS skipped_responses (
  run_id VARCHAR NOT NULL,
  study VARCHAR NOT NULL,
  experiment VARCHAR NOT NULL,
  participant VARCHAR NOT NULL,
  response_index INTEGER NOT NULL,
  reason VARCHAR NOT NULL
);
`;
