import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { describeLiveRun, progressFilePath, readProgressFile } from '../../src/store/progressFile.js';
import { makeTempDir } from '../helpers/paths.js';

test('a progress file of a live process with missing or odd live counts is ignored, not a crash', () => {
  const db = join(makeTempDir(), 'r.duckdb');
  const base = { version: 1, runId: 'r1', pid: process.pid, startedAt: 'x', updatedAt: 'y', runs: [] };
  for (const live of [undefined, null, 'text', { participantsDone: 'many' }]) {
    writeFileSync(progressFilePath(db), JSON.stringify({ ...base, live }));
    assert.equal(readProgressFile(db), undefined, JSON.stringify(live));
    assert.equal(describeLiveRun(db), undefined);
  }
  const live = { participantsDone: 1, participantsTotal: 4, responsesScored: 9, tokens: 50, tokensTotal: 100, elapsedMs: 10 };
  writeFileSync(progressFilePath(db), JSON.stringify({ ...base, live }));
  assert.equal(describeLiveRun(db), 'eval of run r1 (PID ' + process.pid + '): 1/4 participants, 50% of tokens, updated y');
});
