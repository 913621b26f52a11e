import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTempDir, noSharedData, psych201Dir } from '../helpers/paths.js';
import { runHumanlike } from '../helpers/runCliProcess.js';

const STUDIES = ['franke2024bayesian', 'spektor2019contexteffects', 'guenther2024comprehension'];

test('eval --dry-run creates no database and prints per-study counts equal to stats', { skip: noSharedData }, () => {
  const dir = makeTempDir();
  const db = join(dir, 'never.duckdb');
  const text = runHumanlike(['eval', psych201Dir, '--baseline', 'uniform', '--study', ...STUDIES, '--db', db, '--dry-run']);
  assert.equal(text.code, 0, text.stderr);
  assert.deepEqual(readdirSync(dir), [], 'nothing written beside the database path');
  assert.match(text.stdout, /^dry run: nothing written \(no database created\) \| model baseline:uniform/);
  assert.match(text.stdout, /eval would start a new run in .*never\.duckdb/);
  const json = JSON.parse(runHumanlike(['eval', psych201Dir, '--baseline', 'uniform', '--study', ...STUDIES, '--db', db, '--dry-run', '--json']).stdout) as { dryRun: { studies: { study: string; participants: number; responses: number; tokens: number | null }[] } };
  const stats = JSON.parse(runHumanlike(['stats', psych201Dir, '--study', ...STUDIES, '--json']).stdout) as { perStudy: { study: string; participants: number; responses: number }[] };
  assert.deepEqual(
    json.dryRun.studies.map((s) => [s.study, s.participants, s.responses]),
    stats.perStudy.map((s) => [s.study, s.participants, s.responses]),
  );
  assert.equal(json.dryRun.studies.length, 3);
  for (const s of stats.perStudy) assert.match(text.stdout, new RegExp(`${s.study}\\s+${s.participants.toLocaleString('en-US')}\\s+${s.responses.toLocaleString('en-US')}\\s`));
  assert.ok(!existsSync(db));
});

test('eval --dry-run on a database that has the run says it would resume or recompute nothing, and writes nothing', { skip: noSharedData }, () => {
  const db = join(makeTempDir(), 'r.duckdb');
  assert.equal(runHumanlike(['eval', psych201Dir, '--baseline', 'uniform', '--study', 'franke2024bayesian', '--db', db]).code, 0);
  const before = readdirSync(join(db, '..'));
  const r = runHumanlike(['eval', psych201Dir, '--baseline', 'uniform', '--study', 'franke2024bayesian', '--db', db, '--dry-run']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /has this run: baseline-uniform-raw-\w+, complete, 302 participants done \(eval would recompute nothing\)/);
  assert.deepEqual(readdirSync(join(db, '..')), before);
});
