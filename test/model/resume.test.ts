import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { cliPath, makeTempDir, modelsDir, noSharedData, noSharedModels } from '../helpers/paths.js';
import { queryDb } from '../helpers/readDb.js';
import { writeRealSubset } from '../helpers/realSubset.js';
import { runHumanlike } from '../helpers/runCliProcess.js';

const skip = noSharedModels || noSharedData;
const MODEL = join(modelsDir, 'stories260K.gguf');
const ROWS = `SELECT study, experiment, participant, response_index, char_start, char_end, n_tokens, round(nll, 6) AS nll, greedy_match, context_tokens
              FROM responses ORDER BY study, experiment, participant, response_index`;

function killAfter(args: string[], ms: number): Promise<NodeJS.Signals | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args], { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      resolve(signal);
    });
  });
}

test('a run killed with SIGKILL resumes to exactly the rows of an uninterrupted run', { skip, timeout: 600_000 }, async () => {
  const { dir } = await writeRealSubset({ studies: ['thoma2025problearn'], perStudy: 40, maxChars: 1500 });
  const tmp = makeTempDir();
  const args = (db: string): string[] => ['eval', dir, '--model', MODEL, '--context-size', '1024', '--gpu', 'cpu', '--db', db, '--json'];
  const t0 = Date.now();
  const clean = runHumanlike(args(join(tmp, 'clean.duckdb')));
  const duration = Date.now() - t0;
  assert.equal(clean.code, 0, clean.stderr);
  const expected = await queryDb(join(tmp, 'clean.duckdb'), ROWS);
  assert.ok(expected.length >= 200, `${expected.length} rows`);

  // Kill part-way; the time is a guess from the clean run, so try a few points until the kill lands mid-run.
  let db = '';
  let done = 0;
  for (const fraction of [0.6, 0.75, 0.45, 0.85]) {
    db = join(tmp, `killed-${fraction}.duckdb`);
    const signal = await killAfter(args(db), Math.round(duration * fraction));
    if (signal !== 'SIGKILL') continue;
    const [row] = await queryDb<{ n: number; status: string }>(
      db,
      `SELECT (SELECT count(*)::INTEGER FROM participants) AS n, (SELECT status FROM runs) AS status`,
    ).catch(() => [undefined]);
    if (row && row.n > 0 && row.n < 40) {
      assert.equal(row.status, 'running', 'a killed run is not marked complete');
      done = row.n;
      break;
    }
  }
  assert.ok(done > 0, 'the run was killed after some participants were stored and before the end');

  const resumed = runHumanlike(args(db).filter((a) => a !== '--json'));
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, new RegExp(`resuming run .*: 40 participants, ${done} already done`));
  const got = await queryDb(db, ROWS);
  assert.deepEqual(got, expected);
  const [dups] = await queryDb<{ d: number }>(
    db,
    `SELECT count(*)::INTEGER - (SELECT count(*)::INTEGER FROM (SELECT DISTINCT study, experiment, participant, response_index FROM responses)) AS d FROM responses`,
  );
  assert.equal(dups?.d, 0, 'no duplicated rows');
  const [participants] = await queryDb<{ n: number; status: string }>(
    db,
    `SELECT (SELECT count(*)::INTEGER FROM participants) AS n, (SELECT status FROM runs) AS status`,
  );
  assert.deepEqual(participants, { n: 40, status: 'complete' });

  // Running the same command again recomputes nothing.
  const again = runHumanlike(args(db));
  assert.equal(again.code, 0);
  assert.equal(JSON.parse(again.stdout).alreadyComplete, true);
});

test('Ctrl-C (SIGINT) stops after the participants in progress, exits 130, and the run resumes', { skip, timeout: 600_000 }, async () => {
  const { dir } = await writeRealSubset({ studies: ['thoma2025problearn'], perStudy: 30, maxChars: 1500 });
  const db = join(makeTempDir(), 'int.duckdb');
  const args = ['eval', dir, '--model', MODEL, '--context-size', '1024', '--gpu', 'cpu', '--db', db];
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args, '--progress', 'lines'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      // Interrupt once the first participant is finished (its progress line), not on a timer.
      if (/progress: [1-9]\d*\/30 participants/.test(err) && !child.killed) child.kill('SIGINT');
    });
    child.on('exit', (c) => resolve({ code: c, stderr: err }));
  });
  assert.equal(code, 130, stderr);
  assert.match(stderr, /stopping after the participants in progress/);
  const [row] = await queryDb<{ n: number; status: string }>(
    db,
    'SELECT (SELECT count(*)::INTEGER FROM participants) AS n, (SELECT status FROM runs) AS status',
  );
  assert.equal(row?.status, 'interrupted');
  assert.ok((row?.n ?? 0) > 0 && (row?.n ?? 0) < 30, `${row?.n} participants done`);
  const resumed = runHumanlike([...args, '--json']);
  assert.equal(resumed.code, 0, resumed.stderr);
  const [after] = await queryDb<{ n: number; rows: number; distinct_rows: number }>(
    db,
    'SELECT (SELECT count(*)::INTEGER FROM participants) AS n, (SELECT count(*)::INTEGER FROM responses) AS rows, (SELECT count(*)::INTEGER FROM (SELECT DISTINCT participant, response_index FROM responses)) AS distinct_rows',
  );
  assert.equal(after?.n, 30);
  assert.equal(after?.rows, after?.distinct_rows);
});
