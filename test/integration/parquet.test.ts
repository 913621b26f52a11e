import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { createSampleRecords } from '../../src/data/createSampleStudy.js';
import { readTranscripts } from '../../src/data/readTranscripts.js';
import { sqlString } from '../../src/util/sqlString.js';
import { makeTempDir } from '../helpers/paths.js';
import { runHumanlike } from '../helpers/runCliProcess.js';

/** Write rows in the Hugging Face release layout: metadata columns are strings with "N/A" for missing. */
async function writeReleaseParquet(path: string, rows: Record<string, unknown>[], rowGroupSize = 16): Promise<void> {
  const dir = makeTempDir();
  const jsonl = join(dir, 'rows.jsonl');
  writeFileSync(jsonl, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(
    `COPY (SELECT * FROM read_json(${sqlString(jsonl)}, format='newline_delimited', columns={text:'VARCHAR', study:'VARCHAR', experiment:'VARCHAR', participant:'VARCHAR', participant_reindexed:'BIGINT', age:'VARCHAR', gender:'VARCHAR', stai:'VARCHAR'})) TO ${sqlString(path)} (FORMAT parquet, ROW_GROUP_SIZE ${rowGroupSize})`,
  );
  c.closeSync();
  db.closeSync();
}

function releaseRows(): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (const study of ['bandit_a', 'bandit_b']) {
    createSampleRecords({ participants: 25, trials: 6, seed: study.length }).forEach((r, i) => {
      rows.push({
        text: r['text'],
        study,
        experiment: r['experiment'],
        participant: String(r['participant']),
        participant_reindexed: i,
        age: i % 5 === 0 ? 'N/A' : String(r['age']),
        gender: i % 2 ? 'female' : 'N/A',
        stai: i % 3 ? String(30 + i) : 'N/A',
      });
    });
  }
  return rows;
}

test('Parquet in the release layout: studies from the study column, N/A as missing, aliases applied', async () => {
  const dir = makeTempDir();
  mkdirSync(join(dir, 'data'));
  const rows = releaseRows();
  await writeReleaseParquet(join(dir, 'data', 'train-00000-of-00001.parquet'), rows);
  const seen: { study: string; age?: number; gender?: string; stai?: number; line: number; spans: number }[] = [];
  for await (const { transcript: t, problems } of readTranscripts(dir)) {
    assert.ok(t);
    assert.deepEqual(problems, []);
    seen.push({
      study: t.study,
      line: t.location.line,
      spans: t.spans.length,
      ...(t.metadata.age !== undefined && { age: t.metadata.age }),
      ...(t.metadata.gender && { gender: t.metadata.gender }),
      ...(t.metadata.scores?.['STAI-T'] !== undefined && { stai: t.metadata.scores['STAI-T'] }),
    });
  }
  assert.equal(seen.length, rows.length);
  rows.forEach((row, i) => {
    const s = seen[i]!;
    assert.equal(s.study, row['study']);
    assert.equal(s.line, i + 1);
    assert.equal(s.spans, (row['text'] as string).split('<<').length - 1);
    assert.equal(s.age, row['age'] === 'N/A' ? undefined : Number(row['age']));
    assert.equal(s.gender, row['gender'] === 'N/A' ? undefined : 'female');
    assert.equal(s.stai, row['stai'] === 'N/A' ? undefined : Number(row['stai']));
  });

  const stats = runHumanlike(['stats', dir, '--json']);
  assert.equal(stats.code, 0, stats.stderr);
  const json = JSON.parse(stats.stdout) as { studies: number; participants: number; responses: number };
  assert.deepEqual([json.studies, json.participants, json.responses], [2, 50, 300]);

  // A split of a Parquet source is a jsonl dataset that reads back the same.
  const out = join(makeTempDir(), 'split');
  assert.equal(runHumanlike(['split', dir, '--seed', '1', '--out', out]).code, 0);
  const back = JSON.parse(runHumanlike(['stats', out, '--json']).stdout) as typeof json;
  assert.deepEqual([back.studies, back.participants, back.responses], [2, 50, 300]);
  const testSide = JSON.parse(runHumanlike(['stats', out, '--json', '--test-only']).stdout) as typeof json;
  assert.equal(testSide.participants, 4);
});

test('a study name that would escape the output folder is refused and nothing is written outside', async () => {
  const dir = makeTempDir();
  const rows = releaseRows()
    .slice(0, 12)
    .map((r, i) => ({ ...r, study: i < 2 ? '../escaped' : 'fine' }));
  await writeReleaseParquet(join(dir, 'evil.parquet'), rows);
  const v = runHumanlike(['validate', dir, '--json']);
  assert.equal(v.code, 1);
  const { problems } = JSON.parse(v.stdout) as { problems: { code: string }[] };
  assert.deepEqual(
    problems.map((p) => p.code),
    ['unsafe-study-name', 'unsafe-study-name'],
  );
  const parent = makeTempDir();
  const out = join(parent, 'out');
  const s = runHumanlike(['split', dir, '--seed', '1', '--out', out]);
  assert.equal(s.code, 0, s.stderr);
  assert.match(s.stdout, /skipped 2 records/);
  assert.equal(existsSync(join(parent, 'escaped')), false);
  assert.equal(existsSync(join(out, 'fine', 'prompts.jsonl')), true);
});

test('a study name over 255 bytes (no file system holds such a folder) is unsafe-study-name, and split leaves it out', async () => {
  const dir = makeTempDir();
  const long = 'é'.repeat(128); // 256 bytes in UTF-8, 128 characters
  const rows = releaseRows()
    .slice(0, 12)
    .map((r, i) => ({ ...r, study: i < 2 ? long : 'fine' }));
  await writeReleaseParquet(join(dir, 'long.parquet'), rows);
  const v = runHumanlike(['validate', dir, '--json']);
  assert.equal(v.code, 1, v.stderr);
  const { problems } = JSON.parse(v.stdout) as { problems: { code: string; message: string }[] };
  assert.deepEqual(
    problems.map((p) => p.code),
    ['unsafe-study-name', 'unsafe-study-name'],
  );
  assert.match(problems[0]!.message, /^study name "é{80}…" cannot be a folder name \(empty, '\.\.', a slash, or over 255 bytes\)$/);
  const out = join(makeTempDir(), 'out');
  const s = runHumanlike(['split', dir, '--seed', '1', '--out', out]);
  assert.equal(s.code, 0, s.stderr);
  assert.match(s.stdout, /skipped 2 records/);
  assert.equal(existsSync(join(out, 'fine', 'prompts.jsonl')), true);
  // 255 bytes is still a folder name.
  const edge = makeTempDir();
  await writeReleaseParquet(
    join(edge, 'edge.parquet'),
    rows.map((r) => ({ ...r, study: r['study'] === long ? `${'é'.repeat(127)}x` : r['study'] })),
  );
  assert.equal(runHumanlike(['validate', edge]).code, 0);
});

test('a Parquet file damaged after its first 2,048 rows is unreadable-file, never read as a shorter, valid file', async () => {
  const dir = makeTempDir();
  const file = join(dir, 'damaged.parquet');
  // 20,000 rows in row groups of 2,048: the first group is read and streamed out, a later page is damaged. (The
  // DuckDB client ended such a stream silently: validate said OK with 2,048 records.)
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(
    `COPY (SELECT 'You press <<' || (i % 2) || '>> ' || repeat('word ', i % 50) AS text, 's' || (i % 3) AS study, 'e' AS experiment,
            i::VARCHAR AS participant, i AS participant_reindexed FROM range(20000) t(i))
     TO ${sqlString(file)} (FORMAT parquet, ROW_GROUP_SIZE 2048)`,
  );
  c.closeSync();
  db.closeSync();
  const bytes = readFileSync(file);
  for (let i = Math.floor(bytes.length * 0.8); i < Math.floor(bytes.length * 0.9); i += 13) bytes[i] = (bytes[i]! ^ 0x5a) & 0xff;
  writeFileSync(file, bytes);
  const v = runHumanlike(['validate', dir, '--json']);
  assert.equal(v.code, 1, v.stderr);
  const { summary, problems } = JSON.parse(v.stdout) as { summary: { records: number }; problems: { code: string; message: string }[] };
  assert.ok(summary.records < 20000, `read ${summary.records} records`);
  assert.ok(
    problems.some(
      (p) =>
        p.code === 'unreadable-file' &&
        /damaged\.parquet: (damaged Parquet file: \d+ of the 20000 rows its footer lists could be read|not a readable Parquet file)/.test(
          p.message,
        ),
    ),
    JSON.stringify(problems.slice(-3)),
  );
  for (const args of [
    ['stats', dir],
    ['split', dir, '--seed', '1', '--out', join(makeTempDir(), 'o')],
  ]) {
    const r = runHumanlike(args);
    assert.notEqual(r.code, 70, `${args[0]}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /internal error/);
  }
});

test('a file that is not Parquet gives a clear message', () => {
  const dir = makeTempDir();
  writeFileSync(join(dir, 'broken.parquet'), 'not parquet at all');
  const r = runHumanlike(['stats', join(dir, 'broken.parquet')]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /skipped: 0 records and 1 file /);
  assert.match(r.stderr, /broken\.parquet: not a readable Parquet file/);
});

test('a NULL study is an error, not a study named "null"', async () => {
  const dir = makeTempDir();
  const rows = releaseRows()
    .slice(0, 3)
    .map((r, i) => ({ ...r, study: i === 1 ? null : 'fine' }));
  await writeReleaseParquet(join(dir, 'nulls.parquet'), rows);
  const v = runHumanlike(['validate', dir, '--json']);
  assert.equal(v.code, 1, v.stdout);
  const { problems } = JSON.parse(v.stdout) as { problems: { line: number; severity: string; code: string; message: string }[] };
  assert.deepEqual(
    problems.map((p) => [p.line, p.severity, p.code]),
    [[2, 'error', 'missing-field']],
  );
  assert.match(problems[0]!.message, /'study'/);
  const stats = JSON.parse(runHumanlike(['stats', dir, '--json']).stdout) as { perStudy: { study: string; participants: number }[] };
  assert.deepEqual(
    stats.perStudy.map((s) => [s.study, s.participants]),
    [['fine', 2]],
  );
});

test('Parquet file names with glob characters are read as exactly the file named', async () => {
  const dir = makeTempDir();
  const rows = releaseRows();
  await writeReleaseParquet(
    join(dir, 'a1.parquet'),
    rows.slice(0, 2).map((r) => ({ ...r, study: 'plain' })),
  );
  await writeReleaseParquet(
    join(dir, 'a[1].parquet'),
    rows.slice(2, 5).map((r) => ({ ...r, study: 'bracket' })),
  );
  await writeReleaseParquet(
    join(dir, 'b*.parquet'),
    rows.slice(5, 9).map((r) => ({ ...r, study: 'star' })),
  );
  await writeReleaseParquet(
    join(dir, 'bx.parquet'),
    rows.slice(9, 14).map((r) => ({ ...r, study: 'bx' })),
  );
  const r = runHumanlike(['stats', dir, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const stats = JSON.parse(r.stdout) as { perStudy: { study: string; participants: number }[] };
  assert.deepEqual(
    stats.perStudy.map((s) => [s.study, s.participants]),
    [
      ['bracket', 3],
      ['bx', 5],
      ['plain', 2],
      ['star', 4],
    ],
  );
});
