import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
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
