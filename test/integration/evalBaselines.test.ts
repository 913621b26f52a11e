import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeSampleDataset } from '../../src/data/createSampleStudy.js';
import { makeTempDir } from '../helpers/paths.js';
import { queryDb } from '../helpers/readDb.js';
import { runHumanlike } from '../helpers/runCliProcess.js';

test('baselines through eval: uniform is ln K, frequency follows the training counts; runs and export work', async () => {
  const tmp = makeTempDir();
  const { datasetDir } = await writeSampleDataset(tmp, { participants: 40, trials: 10 });
  const split = join(tmp, 'split');
  assert.equal(runHumanlike(['split', datasetDir, '--seed', '3', '--out', split]).code, 0);
  const db = join(tmp, 'r.duckdb');
  const uni = runHumanlike(['eval', split, '--test-only', '--baseline', 'uniform', '--db', db, '--json']);
  assert.equal(uni.code, 0, uni.stderr);
  const u = JSON.parse(uni.stdout);
  assert.equal(u.stats.participantsScored, 4);
  assert.equal(u.stats.responsesScored, 40);
  assert.ok(Math.abs(u.stats.perStudy[0].meanNll - Math.log(2)) < 1e-12, 'two distinct responses (F, J): ln 2');

  const freq = runHumanlike(['eval', split, '--test-only', '--baseline', 'frequency', '--db', db, '--json']);
  assert.equal(freq.code, 0, freq.stderr);
  // Independent: count F/J over the training participants (all but the manifest's test ids), add-one smoothing.
  const manifest = JSON.parse(readFileSync(join(split, 'humanlike-split.json'), 'utf8'));
  const testIds = new Set(manifest.studies.sample_bandit.test.map((t: { participant: string }) => t.participant));
  const lines = readFileSync(join(split, 'sample_bandit', 'prompts.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const counts: Record<string, number> = { F: 0, J: 0 };
  let expectedSum = 0;
  let n = 0;
  for (const r of lines) if (!testIds.has(String(r.participant))) for (const m of r.text.matchAll(/<<(.)>>/g)) counts[m[1]]!++;
  const total = counts['F']! + counts['J']!;
  for (const r of lines)
    if (testIds.has(String(r.participant)))
      for (const m of r.text.matchAll(/<<(.)>>/g)) {
        expectedSum += -Math.log((counts[m[1]]! + 1) / (total + 2));
        n++;
      }
  const f = JSON.parse(freq.stdout);
  assert.ok(Math.abs(f.stats.perStudy[0].meanNll - expectedSum / n) < 1e-12);

  const runs = runHumanlike(['runs', '--db', db, '--json']);
  const list = JSON.parse(runs.stdout) as { model: string; status: string; responsesScored: number }[];
  assert.deepEqual(
    list.map((r) => [r.model, r.status, r.responsesScored]),
    [
      ['baseline:uniform', 'complete', 40],
      ['baseline:frequency', 'complete', 40],
    ],
  );

  const csv = join(tmp, 'out.csv');
  const ex = runHumanlike(['export', csv, '--db', db]);
  assert.equal(ex.code, 0, ex.stderr);
  const [header, ...rows] = readFileSync(csv, 'utf8').trim().split('\n');
  for (const col of [
    'run_id',
    'model',
    'study',
    'experiment',
    'participant',
    'response_index',
    'char_start',
    'char_end',
    'n_tokens',
    'nll',
  ]) {
    assert.ok(header!.split(',').includes(col), `column ${col}`);
  }
  assert.equal(rows.length, 80);
  // char offsets point at the response in the original text.
  const cols = header!.split(',');
  const first = rows[0]!.split(',');
  const participant = first[cols.indexOf('participant')];
  const text = lines.find((r) => String(r.participant) === participant).text as string;
  const slice = text.slice(Number(first[cols.indexOf('char_start')]), Number(first[cols.indexOf('char_end')]));
  assert.match(slice, /^[FJ]$/);
  assert.equal(first[cols.indexOf('response_index')], '0');
  assert.ok(text.startsWith(`<<${slice}>>`, Number(first[cols.indexOf('char_start')]) - 2));

  const parquet = join(tmp, 'out.parquet');
  assert.equal(runHumanlike(['export', parquet, '--db', db]).code, 0);
  const [count] = await queryDb<{ n: number }>(db, `SELECT count(*)::INTEGER AS n FROM read_parquet('${parquet}')`);
  assert.equal(count?.n, 80);
});

test('eval reads a validated JSON run configuration; flags given on the command line win; bad keys are refused', async () => {
  const { writeFileSync } = await import('node:fs');
  const tmp = makeTempDir();
  const { datasetDir } = await writeSampleDataset(tmp, { participants: 10, trials: 4 });
  const config = join(tmp, 'run.json');
  writeFileSync(config, JSON.stringify({ model: { kind: 'baseline', name: 'frequency' }, db: join(tmp, 'from-config.duckdb') }));
  const r = runHumanlike(['eval', datasetDir, '--config', config, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).run.model, 'baseline:frequency');
  const flag = runHumanlike(['eval', datasetDir, '--config', config, '--baseline', 'uniform', '--json']);
  assert.equal(JSON.parse(flag.stdout).run.model, 'baseline:uniform');
  writeFileSync(config, JSON.stringify({ model: { kind: 'baseline', name: 'frequency' }, colour: 'blue' }));
  const bad = runHumanlike(['eval', datasetDir, '--config', config]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /invalid run configuration: .*colour/);
});

test('a participant id repeated in the data is scored once, and the skip is reported', async () => {
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const tmp = makeTempDir();
  mkdirSync(join(tmp, 'data', 's'), { recursive: true });
  const rec = (p: number, c: string): string => JSON.stringify({ text: `Pick <<${c}>> and <<${c}>>`, experiment: 'e', participant: p });
  writeFileSync(join(tmp, 'data', 's', 'prompts.jsonl'), [rec(1, 'A'), rec(2, 'B'), rec(1, 'B')].join('\n') + '\n');
  const r = runHumanlike(['eval', join(tmp, 'data'), '--baseline', 'uniform', '--db', join(tmp, 'd.duckdb'), '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.stats.participantsScored, 2);
  assert.equal(out.stats.responsesScored, 4);
  assert.equal(out.run.stats.duplicateRecordsSkipped, 1);
});

test('eval with --split-seed on an unsplit source scores the same participants as on the split folder', async () => {
  const tmp = makeTempDir();
  const { datasetDir } = await writeSampleDataset(tmp, { participants: 40, trials: 5 });
  const split = join(tmp, 'split');
  assert.equal(runHumanlike(['split', datasetDir, '--seed', '3', '--out', split]).code, 0);
  const a = runHumanlike(['eval', split, '--test-only', '--baseline', 'frequency', '--db', join(tmp, 'a.duckdb'), '--json']);
  const b = runHumanlike([
    'eval',
    datasetDir,
    '--test-only',
    '--split-seed',
    '3',
    '--baseline',
    'frequency',
    '--db',
    join(tmp, 'b.duckdb'),
    '--json',
  ]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  const rows = (db: string): Promise<unknown[]> =>
    queryDb(db, 'SELECT participant, response_index, nll FROM responses ORDER BY participant, response_index');
  assert.deepEqual(await rows(join(tmp, 'b.duckdb')), await rows(join(tmp, 'a.duckdb')));
  assert.equal(JSON.parse(b.stdout).stats.participantsScored, 4);
});

test('every key of an eval --config file takes effect (no flag default overrides it); nested typos are refused with their path', async () => {
  const { writeFileSync } = await import('node:fs');
  const tmp = makeTempDir();
  const { datasetDir } = await writeSampleDataset(tmp, { participants: 20, trials: 4 });
  const config = join(tmp, 'run.json');
  const file = {
    model: { kind: 'baseline', name: 'uniform' },
    db: join(tmp, 'cfg.duckdb'),
    format: 'raw',
    policy: 'reference',
    select: 'test',
    splitSeed: 7,
    studies: ['sample_bandit'],
    maxTextChars: 123_456,
    maxEntryBytes: 987_654_321,
    personaSeed: 5,
    errorBudget: 3,
    newRun: true,
  };
  writeFileSync(config, JSON.stringify(file));
  const first = runHumanlike(['eval', datasetDir, '--config', config, '--json']);
  assert.equal(first.code, 0, first.stderr);
  const out = JSON.parse(first.stdout);
  for (const [key, value] of Object.entries(file)) assert.deepEqual(out.config[key], value, `config key ${key}`);
  assert.equal(out.run.selection, 'test');
  assert.equal(out.run.contextPolicy, 'reference');
  assert.deepEqual([out.run.options.splitSeed, out.run.options.personaSeed, out.run.options.maxTextChars], [7, 5, 123_456]);
  assert.equal(out.stats.participantsScored, 2, 'the test side of a 20-participant study');
  // newRun from the file: the same configuration again is a new run, not "already complete".
  const second = JSON.parse(runHumanlike(['eval', datasetDir, '--config', config, '--json']).stdout);
  assert.notEqual(second.run.runId, out.run.runId);
  // A flag actually given still wins over the file.
  const flagged = JSON.parse(runHumanlike(['eval', datasetDir, '--config', config, '--persona-seed', '9', '--json']).stdout);
  assert.equal(flagged.config.personaSeed, 9);
  assert.equal(flagged.config.errorBudget, 3);

  writeFileSync(config, JSON.stringify({ model: { kind: 'gguf', path: 'm.gguf', contextsize: 512 } }));
  const typo = runHumanlike(['eval', datasetDir, '--config', config]);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /invalid run configuration: model: .*contextsize/);
  const stray = runHumanlike(['eval', datasetDir, '--baseline', 'uniform', '--threads', '2']);
  assert.equal(stray.code, 2);
  assert.match(stray.stderr, /--threads do\(es\) not apply to a baseline model/);
});

test('compare never mixes runs of different selections: it analyses one comparison set and names the others', async () => {
  const tmp = makeTempDir();
  const { datasetDir } = await writeSampleDataset(tmp, { participants: 40, trials: 4 });
  const split = join(tmp, 'split');
  assert.equal(runHumanlike(['split', datasetDir, '--seed', '3', '--out', split]).code, 0);
  const db = join(tmp, 'mixed.duckdb');
  assert.equal(runHumanlike(['eval', split, '--test-only', '--baseline', 'uniform', '--db', db]).code, 0);
  assert.equal(runHumanlike(['eval', split, '--baseline', 'frequency', '--db', db]).code, 0);
  const r = runHumanlike(['compare', '--db', db, '--bootstrap', '0', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const c = JSON.parse(r.stdout);
  assert.equal(c.models.length, 1, 'one selection only');
  assert.equal(c.otherSets.length, 1);
  assert.notEqual(c.otherSets[0].selection, c.set.selection);
  const other = JSON.parse(runHumanlike(['compare', '--db', db, '--bootstrap', '0', '--set', c.otherSets[0].id, '--json']).stdout);
  assert.equal(other.set.selection, c.otherSets[0].selection);
  assert.notEqual(other.models[0].model, c.models[0].model);
  const text = runHumanlike(['compare', '--db', db, '--bootstrap', '0']).stdout;
  assert.match(text, /Comparison set \w{8}: selection \w+, policy windowed\/pinned-head-25pct\/half-window-stride\/v2, 1 study, 1 run/);
  assert.match(text, /also in the store, not compared with it: set \w{8} .*--set \w{8}/);
  const byRun = JSON.parse(runHumanlike(['compare', '--db', db, '--bootstrap', '0', '--run', other.runs[0].runId, '--json']).stdout);
  assert.equal(byRun.models[0].model, other.models[0].model);
  const unknown = runHumanlike(['compare', '--db', db, '--run', 'no-such-run']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /no run no-such-run in the store/);
});

test('several databases (one per cluster job) are analysed as one, or merged; a run in two of them is refused', async () => {
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const tmp = makeTempDir();
  const data = join(tmp, 'data');
  for (const s of ['s1', 's2']) {
    mkdirSync(join(data, s), { recursive: true });
    const rec = (p: number): string =>
      JSON.stringify({ text: `Pick F or J: <<${p % 3 ? 'F' : 'J'}>>. Again F or J: <<F>>.`, experiment: 'e', participant: p });
    writeFileSync(join(data, s, 'prompts.jsonl'), Array.from({ length: 6 }, (_, p) => rec(p)).join('\n') + '\n');
  }
  const [a, b, c] = ['job1.duckdb', 'job2.duckdb', 'all.duckdb'].map((f) => join(tmp, f)) as [string, string, string];
  // Job 1 scores study s1 with both baselines, job 2 study s2.
  for (const [db, study] of [
    [a, 's1'],
    [b, 's2'],
  ] as const) {
    for (const baseline of ['uniform', 'frequency'])
      assert.equal(runHumanlike(['eval', data, '--study', study, '--baseline', baseline, '--db', db]).code, 0);
  }
  const both = runHumanlike(['compare', '--db', a, '--db', b, '--bootstrap', '0', '--json']);
  assert.equal(both.code, 0, both.stderr);
  const c1 = JSON.parse(both.stdout);
  assert.deepEqual(
    c1.models.map((m: { studies: number; runIds: string[] }) => [m.studies, m.runIds.length]),
    [
      [2, 2],
      [2, 2],
    ],
    'each model: 2 studies from 2 runs',
  );
  assert.equal(c1.otherSets.length, 0);
  const merged = runHumanlike(['merge', c, a, b]);
  assert.equal(merged.code, 0, merged.stderr);
  assert.match(merged.stdout, /merged 2 databases into .*: it now holds 4 runs/);
  const c2 = JSON.parse(runHumanlike(['compare', '--db', c, '--bootstrap', '0', '--json']).stdout);
  assert.deepEqual(c2.models, c1.models);
  const again = runHumanlike(['merge', c, a]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /the same run is in several databases/);
  // Hostile or mistaken arguments are one clear line each (exit 2), never a stack trace.
  const junk = join(tmp, 'junk.duckdb');
  writeFileSync(junk, 'not a database');
  for (const [args, message] of [
    [['merge', a, a], /is given twice \(or is the database being merged into\)/],
    [['merge', c, join(tmp, 'missing.duckdb')], /missing\.duckdb: no results database here/],
    [['merge', c, junk], /junk\.duckdb: .*not a DuckDB database/],
    [['compare', '--db', a, '--db', junk], /junk\.duckdb: .*not a DuckDB database/],
  ] as const) {
    const r = runHumanlike([...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /internal error/);
  }
  const twice = runHumanlike(['compare', '--db', a, '--db', a]);
  assert.equal(twice.code, 2);
  assert.match(twice.stderr, /the same run is in several databases/);
});
