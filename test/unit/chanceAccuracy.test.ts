import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { chanceAccuracySql } from '../../src/store/queries.js';

test('the chance line of choice accuracy is over the responses that accuracy is over (a prediction among ≥ 2 options)', async () => {
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  await db.run(`CREATE TABLE responses (run_id VARCHAR, study VARCHAR, discrete BOOLEAN, choice_set_size INTEGER,
    choice_correct_restricted BOOLEAN)`);
  await db.run(`INSERT INTO responses VALUES
    ('r', 'a', true, 2, true), ('r', 'a', true, 2, false),
    ('r', 'a', true, 1, NULL),  -- a set of one option: no prediction among options, chance would be 100%
    ('r', 'a', true, 4, NULL),  -- an answer of several tokens: no choice-restricted prediction either
    ('r', 'b', true, 3, true), ('r', 'b', false, NULL, NULL)`);
  const rows = (await db.runAndReadAll(chanceAccuracySql(["'r'"]))).getRowObjects();
  // Per study the mean of 1/|S| over the predicted responses (a: 1/2, b: 1/3), then the mean over studies.
  assert.ok(Math.abs(Number(rows[0]?.['chance']) - (1 / 2 + 1 / 3) / 2) < 1e-12, String(rows[0]?.['chance']));
  db.closeSync();
});
