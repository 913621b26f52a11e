import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTempDir } from '../helpers/paths.js';
import { runHumanlike } from '../helpers/runCliProcess.js';

/** A results database with one baseline run (no model needed). */
function storeWithRun(): { dir: string; db: string } {
  const dir = makeTempDir();
  writeFileSync(
    join(dir, 'd.jsonl'),
    [1, 2, 3].map((p) => JSON.stringify({ text: `pick <<A>> or <<B>>`, experiment: 's/e', participant: p })).join('\n') + '\n',
  );
  const db = join(dir, 'r.duckdb');
  const r = runHumanlike(['eval', join(dir, 'd.jsonl'), '--baseline', 'uniform', '--db', db]);
  assert.equal(r.code, 0, r.stderr);
  return { dir, db };
}

test('export and report create a missing output folder', () => {
  const { dir, db } = storeWithRun();
  const exported = runHumanlike(['export', join(dir, 'new', 'deeper', 'results.parquet'), '--db', db]);
  assert.equal(exported.code, 0, exported.stderr);
  assert.ok(existsSync(join(dir, 'new', 'deeper', 'results.parquet')));
  const report = runHumanlike(['report', '--out', join(dir, 'newdir', 'report.html'), '--db', db, '--bootstrap', '10']);
  assert.equal(report.code, 0, report.stderr);
  assert.ok(existsSync(join(dir, 'newdir', 'report.html')));
});

test('an output folder that cannot be made is one line and exit 2, not a stack trace', () => {
  const { dir, db } = storeWithRun();
  writeFileSync(join(dir, 'afile'), 'x');
  for (const args of [
    ['export', join(dir, 'afile', 'results.csv')],
    ['report', '--out', join(dir, 'afile', 'r.html'), '--bootstrap', '10'],
  ]) {
    const r = runHumanlike([...args, '--db', db]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^humanlike: .*afile\/[\w.]+: cannot create its folder .*afile \(a file is in the way\)\n$/);
  }
});

test('a figure folder with a file in the way, or an output over a file-size limit, is one line and exit 2', async () => {
  const { runHumanlikeAsync } = await import('../helpers/runCliProcess.js');
  const { dir, db } = storeWithRun();
  writeFileSync(join(dir, 'afile'), 'x');
  for (const flag of ['--png', '--svg', '--csv']) {
    const r = runHumanlike(['report', '--out', join(dir, 'r.html'), flag, join(dir, 'afile', 'figs'), '--db', db, '--bootstrap', '10']);
    assert.equal(r.code, 2, `${flag}: ${r.stderr}`);
    assert.match(r.stderr, /^humanlike: .*afile\/figs: cannot create this folder \(a file is in the way\)\n$/, flag);
  }
  // A 1-block limit (ulimit -f 1: 1,024 bytes): the export and the report outgrow it while writing.
  for (const args of [
    ['export', join(dir, 'big.csv'), '--db', db],
    ['report', '--out', join(dir, 'big.html'), '--db', db, '--bootstrap', '10'],
  ]) {
    const r = await runHumanlikeAsync(args, { shellPrefix: 'ulimit -f 1' });
    assert.equal(r.code, 2, `${args[0]}: ${r.stderr}`);
    assert.match(
      r.stderr,
      /^humanlike: .*big\.(csv|html): cannot write \(File too large\): the disk is full or a file-size limit \(ulimit -f\) was reached; [0-9.]+ [kMG]B free on its file system\n$/,
      args[0],
    );
  }
});
