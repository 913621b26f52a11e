import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseRecord } from '../../src/data/parseRecord.js';
import { makeTempDir } from '../helpers/paths.js';
import { runHumanlike } from '../helpers/runCliProcess.js';

const line = (participant: number, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ text: 'pick <<A>> then <<B>>', experiment: 's/e', participant, ...extra });

test('an implausible age is a warning that removes only that field; the record is still read and scored', () => {
  const parsed = parseRecord({ study: 's', location: { file: 'f', line: 1 }, json: line(1, { age: 200, gender: 'female' }) });
  assert.equal(parsed.hasErrors, false);
  assert.deepEqual(
    parsed.problems.map((p) => [p.severity, p.code, p.message]),
    [['warning', 'implausible-metadata', 'age 200 is outside 0-120; the field is left out (the record is kept)']],
  );
  assert.equal(parsed.transcript?.metadata.age, undefined);
  assert.equal(parsed.transcript?.metadata.gender, 'female');

  const root = makeTempDir();
  mkdirSync(join(root, 's'));
  writeFileSync(join(root, 's', 'prompts.jsonl'), [line(1, { age: 200 }), line(2, { age: 30 })].join('\n') + '\n');
  const v = runHumanlike(['validate', root, '--json']);
  assert.equal(v.code, 0, v.stdout);
  const report = JSON.parse(v.stdout) as {
    summary: { errors: number; warnings: number };
    problems: { line: number; severity: string; code: string }[];
  };
  assert.deepEqual(
    report.problems.map((p) => [p.line, p.severity, p.code]),
    [[1, 'warning', 'implausible-metadata']],
  );

  const e = runHumanlike(['eval', root, '--baseline', 'uniform', '--db', join(makeTempDir(), 'r.duckdb'), '--json']);
  assert.equal(e.code, 0, e.stderr);
  const stats = (JSON.parse(e.stdout) as { stats: { participantsScored: number; participantsSkipped: number; responsesScored: number } })
    .stats;
  assert.deepEqual([stats.participantsScored, stats.participantsSkipped, stats.responsesScored], [2, 0, 4]);

  const s = JSON.parse(runHumanlike(['stats', root, '--json']).stdout) as { metadataCoverage: Record<string, number> };
  assert.equal(s.metadataCoverage['age'], 0.5);
});

test('RTs that do not pair with the responses are a warning that removes only the RTs; the record is still scored', () => {
  const parsed = parseRecord({ study: 's', location: { file: 'f', line: 1 }, json: line(1, { RTs: [510, 620, 730], age: 30 }) });
  assert.equal(parsed.hasErrors, false);
  assert.deepEqual(
    parsed.problems.map((p) => [p.severity, p.code, p.message]),
    [['warning', 'rt-length-mismatch', 'RTs has 3 entries but the transcript has 2 responses; the RTs are left out (the record is kept)']],
  );
  assert.equal(parsed.transcript?.metadata.RTs, undefined);
  assert.equal(parsed.transcript?.metadata.age, 30);

  const root = makeTempDir();
  mkdirSync(join(root, 's'));
  writeFileSync(join(root, 's', 'prompts.jsonl'), [line(1, { RTs: [1, 2, 3] }), line(2, { RTs: [400, 500] })].join('\n') + '\n');
  const db = join(makeTempDir(), 'r.duckdb');
  const e = runHumanlike(['eval', root, '--baseline', 'uniform', '--db', db, '--json']);
  assert.equal(e.code, 0, e.stderr);
  const stats = (JSON.parse(e.stdout) as { stats: { participantsScored: number; responsesScored: number } }).stats;
  assert.deepEqual([stats.participantsScored, stats.responsesScored], [2, 4]);
  const csv = join(makeTempDir(), 'rows.csv');
  const x = runHumanlike(['export', csv, '--db', db, '--source', root, '--metadata']);
  assert.equal(x.code, 0, x.stderr);
  const rows = readFileSync(csv, 'utf8').trim().split('\n');
  const header = rows[0]!.split(',');
  const rt = rows.slice(1).map((r) => r.split(',')[header.indexOf('rt_ms')] ?? '?');
  // Participant 1's RTs were left out (empty), participant 2's are attached to its two responses.
  assert.deepEqual(rt.map((v) => (v === '' ? null : Number(v))).sort(), [400, 500, null, null]);
});
