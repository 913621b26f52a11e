import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startFakeVllm } from '../helpers/fakeScoringServer.js';
import { makeTempDir } from '../helpers/paths.js';
import { runHumanlike, runHumanlikeAsync } from '../helpers/runCliProcess.js';

function longDataset(participants: number, responses: number): string {
  const dir = makeTempDir();
  mkdirSync(join(dir, 's'));
  const text = (p: number): string =>
    Array.from({ length: responses }, (_, i) => `Trial ${i} of ${p}: you chose <<${i % 2 ? 'A' : 'B'}>>.`).join(' ');
  writeFileSync(
    join(dir, 's', 'prompts.jsonl'),
    Array.from({ length: participants }, (_, p) => JSON.stringify({ text: text(p), experiment: 'e', participant: p })).join('\n') + '\n',
  );
  return dir;
}

test('runs while an eval writes the database shows the live snapshot; compare names the live run; the file goes at the end', {
  timeout: 120_000,
}, async () => {
  const dir = longDataset(3, 30);
  const db = join(makeTempDir(), 'live.duckdb');
  assert.equal(runHumanlike(['eval', dir, '--baseline', 'uniform', '--db', db]).code, 0, 'an earlier, complete run');
  const server = await startFakeVllm(() => 'slow', { slowMs: 150 });
  try {
    const evalDone = runHumanlikeAsync([
      'eval',
      dir,
      '--endpoint',
      server.url,
      '--context-size',
      '128',
      '--concurrency',
      '1',
      '--db',
      db,
      '--progress',
      'none',
    ]);
    const file = `${db}.progress.json`;
    for (let i = 0; i < 200 && server.completions() < 3; i++) await sleep(100);
    assert.ok(existsSync(file), 'the eval keeps a progress file beside the database');

    const runs = await runHumanlikeAsync(['runs', '--db', db]);
    assert.equal(runs.code, 0, runs.stderr);
    assert.match(runs.stdout, /is being written by a running eval \(PID \d+\); live snapshot from .*live\.duckdb\.progress\.json/);
    assert.match(runs.stdout, /baseline:uniform\s+raw\s+windowed\s+all\s+complete\s+3\s+90\s/, 'the other runs, as they were');
    assert.match(runs.stdout, /fake-model\s+raw\s+windowed\s+all\s+running: \d+\.\d%, \d+ tok\/s, ETA \S+\s+[0-2]\/3\s/);

    const json = JSON.parse((await runHumanlikeAsync(['runs', '--db', db, '--json'])).stdout) as {
      model: string;
      status: string;
      live?: { pid: number; participantsTotal: number; tokens: number };
    }[];
    const live = json.find((r) => r.live);
    assert.equal(live?.model, 'fake-model');
    assert.equal(live?.status, 'running');
    assert.equal(live?.live?.participantsTotal, 3);

    const compare = await runHumanlikeAsync(['compare', '--db', db]);
    assert.equal(compare.code, 2);
    assert.match(
      compare.stderr,
      /in use by a running eval of run fake-model-raw-\w+ \(PID \d+\): [0-3]\/3 participants.*humanlike runs --db/,
    );

    const done = await evalDone;
    assert.equal(done.code, 0, done.stderr);
    assert.ok(!existsSync(file), 'removed when the eval ends');
    assert.match(runHumanlike(['runs', '--db', db]).stdout, /fake-model\s+raw\s+windowed\s+all\s+complete\s+3\s+90\s/);
  } finally {
    await server.close();
  }
});
