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
  const json = JSON.parse(
    runHumanlike(['eval', psych201Dir, '--baseline', 'uniform', '--study', ...STUDIES, '--db', db, '--dry-run', '--json']).stdout,
  ) as { dryRun: { studies: { study: string; participants: number; responses: number; tokens: number | null }[] } };
  const stats = JSON.parse(runHumanlike(['stats', psych201Dir, '--study', ...STUDIES, '--json']).stdout) as {
    perStudy: { study: string; participants: number; responses: number }[];
  };
  assert.deepEqual(
    json.dryRun.studies.map((s) => [s.study, s.participants, s.responses]),
    stats.perStudy.map((s) => [s.study, s.participants, s.responses]),
  );
  assert.equal(json.dryRun.studies.length, 3);
  for (const s of stats.perStudy)
    assert.match(
      text.stdout,
      new RegExp(`${s.study}\\s+${s.participants.toLocaleString('en-US')}\\s+${s.responses.toLocaleString('en-US')}\\s`),
    );
  assert.ok(!existsSync(db));
});

test('eval --dry-run on a database that has the run says it would resume or recompute nothing, and writes nothing', {
  skip: noSharedData,
}, () => {
  const db = join(makeTempDir(), 'r.duckdb');
  assert.equal(runHumanlike(['eval', psych201Dir, '--baseline', 'uniform', '--study', 'franke2024bayesian', '--db', db]).code, 0);
  const before = readdirSync(join(db, '..'));
  const r = runHumanlike(['eval', psych201Dir, '--baseline', 'uniform', '--study', 'franke2024bayesian', '--db', db, '--dry-run']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /has this run: baseline-uniform-raw-\w+, complete, 302 participants done \(eval would recompute nothing\)/);
  assert.deepEqual(readdirSync(join(db, '..')), before);
});

test('eval --dry-run through servers: their tokenizer and a calibration; unreachable servers leave the counts', {
  skip: noSharedData,
}, async () => {
  const { deadEndpoint, startFakeVllm } = await import('../helpers/fakeScoringServer.js');
  const { runHumanlikeAsync } = await import('../helpers/runCliProcess.js');
  const db = join(makeTempDir(), 'never.duckdb');
  const base = ['eval', psych201Dir, '--study', 'franke2024bayesian', '--db', db, '--dry-run', '--max-attempts', '1'];
  const dead = await runHumanlikeAsync([...base, '--endpoint', await deadEndpoint()]);
  assert.equal(dead.code, 0, dead.stderr);
  assert.match(dead.stdout, /franke2024bayesian\s+302\s+1,208\s+[\d,]+\s+-\s+-\s+-\s+0\s+-/);
  assert.match(dead.stdout, /note: no tokens and no time estimate: the servers cannot be used/);
  const server = await startFakeVllm();
  try {
    const live = await runHumanlikeAsync([...base, '--endpoint', server.url, '--context-size', '1024', '--json']);
    assert.equal(live.code, 0, live.stderr);
    const { dryRun } = JSON.parse(live.stdout) as {
      dryRun: { studies: { tokens: number; characters: number; estimatedSeconds: number }[]; calibration: { windows: unknown[] } };
    };
    // The fake server's tokenizer is one token per character, plus BOS.
    assert.equal(dryRun.studies[0]?.tokens, (dryRun.studies[0]?.characters ?? 0) + 302);
    assert.ok((dryRun.calibration.windows.length ?? 0) >= 2 && (dryRun.studies[0]?.estimatedSeconds ?? 0) > 0);
  } finally {
    await server.close();
  }
  assert.ok(!existsSync(db));
});
