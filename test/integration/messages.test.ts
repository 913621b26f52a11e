import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { sqlString } from '../../src/util/sqlString.js';
import { makeTempDir } from '../helpers/paths.js';
import { runHumanlike } from '../helpers/runCliProcess.js';

/** Two study folders; `beta` has age metadata, `alpha` none. `alpha` has `n` participants. */
function writeStudies(n = 12): string {
  const root = makeTempDir();
  for (const study of ['alpha', 'beta']) {
    mkdirSync(join(root, study));
    const lines = Array.from({ length: n }, (_, p) =>
      JSON.stringify({
        text: `pick <<${p % 2 ? 'A' : 'B'}>>`,
        experiment: `${study}/e`,
        participant: p,
        ...(study === 'beta' && { age: 20 + p }),
      }),
    );
    writeFileSync(join(root, study, 'prompts.jsonl'), lines.join('\n') + '\n');
  }
  return root;
}

test('an unknown --study is refused with the list of studies (folder and Parquet sources, every command)', async () => {
  const root = writeStudies();
  const db = join(makeTempDir(), 'r.duckdb');
  const ev = runHumanlike(['eval', root, '--study', 'nosuchstudy', '--baseline', 'uniform', '--db', db]);
  assert.equal(ev.code, 2);
  assert.equal(ev.stderr, `humanlike: no such study: nosuchstudy (${root} holds 2 studies: alpha, beta)\n`);
  const st = runHumanlike(['stats', root, '--study', 'nosuchstudy', 'alpha']);
  assert.equal(st.code, 2);
  assert.match(st.stderr, /no such study: nosuchstudy \(.* holds 2 studies: alpha, beta\)/);

  const dir = makeTempDir();
  const parquet = join(dir, 'release.parquet');
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  await c.run(
    `COPY (SELECT 'x <<A>>' AS text, s AS study, s || '/e' AS experiment, '1' AS participant FROM (VALUES ('gamma'), ('delta')) t(s)) TO ${sqlString(parquet)} (FORMAT parquet)`,
  );
  c.closeSync();
  instance.closeSync();
  const pq = runHumanlike(['stats', parquet, '--study', 'gamma', 'nosuch', 'other']);
  assert.equal(pq.code, 2);
  assert.match(pq.stderr, /no such studies: nosuch, other \(.*release\.parquet holds 2 studies: delta, gamma\)/);
  assert.equal(runHumanlike(['stats', parquet, '--study', 'gamma']).code, 0);
});

test('eval --test-only on a source without a split says so and points to --split-seed', () => {
  const root = writeStudies();
  const r = runHumanlike(['eval', root, '--test-only', '--baseline', 'uniform', '--db', join(makeTempDir(), 'r.duckdb')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /has no split manifest; run 'humanlike split' first, or pass --split-seed N/);
  assert.doesNotMatch(r.stderr, /nothing to score/);
});

test('eval --format persona on studies without metadata is refused before the model loads, naming them', () => {
  const root = writeStudies();
  const db = join(makeTempDir(), 'r.duckdb');
  // The model path does not exist: reaching the model would fail with "model file not found" instead.
  for (const format of ['persona', 'persona-shuffled']) {
    const r = runHumanlike(['eval', root, '--format', format, '--model', join(root, 'missing.gguf'), '--db', db]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `--format ${format} states each participant's metadata, and no participant of alpha has any \\(studies with metadata: beta\\); use --study beta, or --format raw`,
      ),
    );
  }
  const ok = runHumanlike(['eval', root, '--format', 'persona', '--study', 'beta', '--model', join(root, 'missing.gguf'), '--db', db]);
  assert.match(ok.stderr, /model file not found/);
});

test('--gpu cuda without CUDA says what is missing and what to do', (t) => {
  const root = writeStudies();
  const r = runHumanlike(['eval', root, '--model', join(root, 'missing.gguf'), '--gpu', 'cuda', '--db', join(makeTempDir(), 'r.duckdb')]);
  if (/model file not found/.test(r.stderr)) return t.skip('CUDA works on this machine');
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    /^humanlike: --gpu cuda: llama\.cpp cannot use CUDA here \(needs an NVIDIA GPU with its driver and the CUDA 12 runtime\); use --gpu auto \(the best available, else CPU\) or --gpu cpu\n$/,
  );
});

test('counts agree in number: 1 participant, 1 response, 1 study, 1 warning', () => {
  const root = makeTempDir();
  mkdirSync(join(root, 'solo'));
  writeFileSync(join(root, 'solo', 'prompts.jsonl'), '{"text": "pick <<A>>", "experiment": "solo/e", "participant": 1, "age": NaN}\n');
  const v = runHumanlike(['validate', root]);
  assert.match(v.stdout, /\n1 record, 1 transcript, 1 response\n/);
  assert.match(v.stdout, /OK: 0 errors, 1 warning\n/);
  const s = runHumanlike(['stats', root]);
  assert.match(s.stdout, /total: 1 study, 1 experiment, 1 participant, 1 response/);
  const db = join(makeTempDir(), 'r.duckdb');
  const e = runHumanlike(['eval', root, '--baseline', 'uniform', '--db', db]);
  assert.equal(e.code, 0, e.stderr);
  assert.match(e.stderr, /: 1 participant\n/);
  assert.match(e.stdout, /scored 1 response of 1 participant;/);
  const out = join(makeTempDir(), 'rows.csv');
  assert.match(runHumanlike(['export', out, '--db', db]).stdout, /wrote 1 response row of 1 run to /);
  assert.equal(readFileSync(out, 'utf8').trim().split('\n').length, 2);
  const split = runHumanlike(['split', root, '--out', join(makeTempDir(), 's')]);
  assert.match(split.stdout, /wrote 1 record to /);
});

test('validate --policy reference checks the data as eval --policy reference reads it', () => {
  const data = join(makeTempDir(), 'd.jsonl');
  const text = 'Pick a box. More Details >> are below. You chose <<A>>. Then you chose <<>>. Finally you chose <<B>>.';
  writeFileSync(data, JSON.stringify({ study: 's1', experiment: 'e', participant: 'p1', text }) + '\n');
  const codes = (args: string[]): string[][] => {
    const r = runHumanlike(['validate', data, '--json', ...args]);
    return (JSON.parse(r.stdout) as { problems: { severity: string; code: string }[] }).problems.map((p) => [p.severity, p.code]);
  };
  assert.deepEqual(codes([]), [
    ['error', 'unbalanced-marker'],
    ['error', 'empty-response'],
  ]);
  // After the paper's substitutions `More Details >>` is no marker, and `<<>>` skips only that response.
  assert.deepEqual(codes(['--policy', 'reference']), [['warning', 'empty-response']]);
  assert.equal(runHumanlike(['validate', data, '--policy', 'reference']).code, 0);
  assert.equal(runHumanlike(['validate', data, '--policy', 'windowed']).code, 1);
});
