import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeSampleDataset } from '../../src/data/createSampleStudy.js';
import { startFakeVllm } from '../helpers/fakeScoringServer.js';
import { cliPath, makeTempDir } from '../helpers/paths.js';
import { queryDb } from '../helpers/readDb.js';
import { runHumanlike, runHumanlikeAsync } from '../helpers/runCliProcess.js';

const ROWS =
  'SELECT study, experiment, participant, response_index, nll FROM responses ORDER BY study, experiment, participant, response_index';
const canUnshare = spawnSync('unshare', ['-rm', 'true']).status === 0;
const noUnshare = canUnshare
  ? false
  : 'unshare -rm (user and mount namespaces) is not available here: tmpfs and read-only mount variants skipped';

async function bigSample(): Promise<string> {
  // About 1.3 MB of results: enough to pass a 300 KB file-size limit mid-run.
  return (await writeSampleDataset(makeTempDir(), { participants: 300, trials: 40 })).datasetDir;
}

const sha = (f: string): string => createHash('sha256').update(readFileSync(f)).digest('hex');

test('a file-size limit (ulimit -f) mid-run is a clear error naming the path and free space, and the run resumes', async () => {
  const source = await bigSample();
  const dir = makeTempDir();
  const clean = join(dir, 'clean.duckdb');
  assert.equal(runHumanlike(['eval', source, '--baseline', 'uniform', '--db', clean]).code, 0);
  const db = join(dir, 'limited.duckdb');
  // No `trap '' XFSZ`: humanlike itself must turn the signal into a write error.
  const r = await runHumanlikeAsync(['eval', source, '--baseline', 'uniform', '--db', db], { shellPrefix: 'ulimit -f 300' });
  assert.equal(r.code, 2, r.stderr);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  assert.match(
    r.stderr,
    new RegExp(
      `humanlike: ${db.replace(/[.]/g, '\\.')}: cannot write the results database \\(File too large\\): the disk is full or a file-size limit \\(ulimit -f\\) was reached; [0-9.]+ [kMG]B free on its file system\\. Finished participants are saved: make room and run the same command again to resume`,
    ),
  );
  const resumed = runHumanlike(['eval', source, '--baseline', 'uniform', '--db', db]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /resuming run/);
  assert.deepEqual(await queryDb(db, ROWS), await queryDb(clean, ROWS));
});

test('a full disk (a 400 KB tmpfs) mid-run is a clear error with the free space, and the run resumes', { skip: noUnshare }, async () => {
  const source = await bigSample();
  const dir = makeTempDir();
  const clean = join(dir, 'clean.duckdb');
  assert.equal(runHumanlike(['eval', source, '--baseline', 'uniform', '--db', clean]).code, 0);
  const mnt = join(dir, 'small');
  mkdirSync(mnt);
  // Inside a private mount namespace: mount a tiny tmpfs, fill it, copy the database out for the resume.
  const script = `mount -t tmpfs -o size=400k tmpfs ${mnt} && "$0" "$1" eval ${source} --baseline uniform --db ${mnt}/x.duckdb; echo "exit=$?" >&2; cp ${mnt}/x.duckdb* ${dir}/`;
  const r = spawnSync('unshare', ['-rm', 'bash', '-c', script, process.execPath, cliPath], { encoding: 'utf8' });
  assert.match(r.stderr, /exit=2/, r.stderr);
  assert.match(
    r.stderr,
    /x\.duckdb: cannot write the results database \(No space left on device\): .*; [0-9.]+ [kMG]B free on its file system/,
  );
  const resumed = runHumanlike(['eval', source, '--baseline', 'uniform', '--db', join(dir, 'x.duckdb')]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.deepEqual(await queryDb(join(dir, 'x.duckdb'), ROWS), await queryDb(clean, ROWS));
});

test('damaged, truncated and foreign files are told apart from a database in use', async () => {
  const source = (await writeSampleDataset(makeTempDir(), { participants: 4, trials: 4 })).datasetDir;
  const dir = makeTempDir();
  const good = join(dir, 'good.duckdb');
  assert.equal(runHumanlike(['eval', source, '--baseline', 'uniform', '--db', good]).code, 0);
  const bytes = readFileSync(good);
  const flipped = Buffer.from(bytes);
  for (let i = 12_300; i < 12_308; i++) flipped[i] = 0xff; // inside the first data block: its checksum fails
  const cases: [string, Buffer, RegExp][] = [
    ['text.duckdb', Buffer.from('hello, I am not a database\n'), /is not a DuckDB database/],
    ['empty.duckdb', Buffer.alloc(0), /is not a DuckDB database/],
    ['truncated.duckdb', bytes.subarray(0, 20_000), /is damaged or truncated/],
    ['flipped.duckdb', flipped, /is damaged or truncated/],
  ];
  for (const [name, content, expected] of cases) {
    const f = join(dir, name);
    writeFileSync(f, content);
    for (const args of [['runs'], ['export', join(dir, 'o.csv')], ['eval', source, '--baseline', 'uniform']]) {
      const r = runHumanlike([...args, '--db', f]);
      assert.equal(r.code, 2, `${name} ${args[0]}: ${r.stderr}`);
      assert.match(r.stderr, expected, `${name} ${args[0]}`);
      assert.doesNotMatch(r.stderr, /another humanlike process|in use/, `${name} ${args[0]}`);
    }
  }
});

test('runs, export, compare and report open the database read-only and never create one', async () => {
  const source = (await writeSampleDataset(makeTempDir(), { participants: 4, trials: 4 })).datasetDir;
  const dir = makeTempDir();
  for (const args of [['runs'], ['export', join(dir, 'o.csv')], ['compare'], ['report', '--out', join(dir, 'r.html')]]) {
    const missing = join(dir, `missing-${args[0]}.duckdb`);
    const r = runHumanlike([...args, '--db', missing]);
    assert.equal(r.code, 2, `${args[0]}: ${r.stderr}`);
    assert.match(
      r.stderr,
      new RegExp(
        `${args[0] === 'runs' ? '' : ''}missing-${args[0]}\\.duckdb: no results database here \\(run 'humanlike eval' first, or give --db\\)`,
      ),
    );
    assert.equal(existsSync(missing), false, `${args[0]} created ${missing}`);
  }
  const db = join(dir, 'ro', 'results.duckdb');
  mkdirSync(join(dir, 'ro'));
  assert.equal(runHumanlike(['eval', source, '--baseline', 'uniform', '--db', db]).code, 0);
  const before = sha(db);
  const commands = [['runs'], ['export', join(dir, 'o.csv')], ['compare'], ['report', '--out', join(dir, 'r.html')]];
  for (const args of commands) assert.equal(runHumanlike([...args, '--db', db]).code, 0, args[0]);
  assert.equal(sha(db), before, 'the database is unchanged');
  assert.equal(existsSync(`${db}.wal`), false, 'no write-ahead log was started');
  if (canUnshare) {
    // On a read-only mount (read-only media).
    const lines = commands.map((args) => `"$0" "$1" ${args.join(' ')} --db ${db} > /dev/null; echo "${args[0]}=$?"`).join('; ');
    const r = spawnSync(
      'unshare',
      [
        '-rm',
        'bash',
        '-c',
        `mount --bind ${dir}/ro ${dir}/ro && mount -o remount,ro,bind ${dir}/ro && ${lines}`,
        process.execPath,
        cliPath,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.stdout.trim(), 'runs=0\nexport=0\ncompare=0\nreport=0', r.stderr);
  }
});

test("a run killed by SIGTERM or SIGKILL shows 'interrupted (no live process)'; while it lives, runs shows its live snapshot", async () => {
  const source = (await writeSampleDataset(makeTempDir(), { participants: 12, trials: 8 })).datasetDir;
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    // Every scoring request after the check before the run hangs: the run stays alive until killed.
    const server = await startFakeVllm((n) => (n === 1 ? 'ok' : 'slow'), { slowMs: 600_000 });
    try {
      const db = join(makeTempDir(), 'k.duckdb');
      const child = spawn(process.execPath, [cliPath, 'eval', source, '--endpoint', server.url, '--db', db], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      await new Promise<void>((resolve) =>
        child.stderr.on('data', (b: Buffer) => {
          stderr += b.toString();
          if (stderr.includes('starting run')) resolve();
        }),
      );
      const live = await runHumanlikeAsync(['runs', '--db', db]);
      assert.equal(live.code, 0, live.stderr);
      assert.match(live.stdout, new RegExp(`k\\.duckdb is being written by a running eval \\(PID ${child.pid}\\); live snapshot`));
      const locked = await runHumanlikeAsync(['export', join(makeTempDir(), 'x.csv'), '--db', db]);
      assert.equal(locked.code, 2);
      assert.match(locked.stderr, new RegExp(`k\\.duckdb: in use by a running eval of run \\S+ \\(PID ${child.pid}\\): 0/12 participants`));
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill(signal);
      await exited;
      const r = await runHumanlikeAsync(['runs', '--db', db]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /interrupted \(no live process\)/, signal);
      const [run] = JSON.parse((await runHumanlikeAsync(['runs', '--db', db, '--json'])).stdout) as {
        status: string;
        liveProcess: boolean;
      }[];
      assert.deepEqual([run?.status, run?.liveProcess], ['interrupted', false]);
      const [stored] = await queryDb<{ status: string }>(db, 'SELECT status FROM runs');
      assert.equal(stored?.status, 'running', 'the stored record is left as it was (read-only)');
    } finally {
      await server.close();
    }
  }
});
