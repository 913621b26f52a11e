import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTempDir } from '../helpers/paths.js';
import { queryDb } from '../helpers/readDb.js';
import { runHumanlike } from '../helpers/runCliProcess.js';
import { writeSyntheticStore } from '../helpers/syntheticStore.js';

/** A small dataset with multi-unit characters, two experiments in one study, metadata and reaction times. */
const RECORDS = [
  {
    study: 'studyA',
    text: 'Intro. Trial 1: pick <<F>>. Trial 2 😀 pick <<J>>. End <<a b>>',
    experiment: 'e1',
    participant: '1',
    age: '33',
    gender: 'female',
    RTs: [100, 200, 300],
    'STAI-T': 40,
  },
  { study: 'studyA', text: 'Intro. You see 🙂🙂: <<J>> then <<F>>', experiment: 'e2', participant: '1', RTs: [5, 6] },
  { study: 'studyB', text: 'Q: <<yes>> and <<no>>', experiment: 'x', participant: 'p9', age: 21 },
];

function writeDataset(dir: string, records: typeof RECORDS): void {
  for (const study of new Set(records.map((r) => r.study))) {
    mkdirSync(join(dir, study), { recursive: true });
    writeFileSync(
      join(dir, study, 'prompts.jsonl'),
      records
        .filter((r) => r.study === study)
        .map(({ study: _s, ...r }) => JSON.stringify(r))
        .join('\n') + '\n',
    );
  }
}

test('export --text --metadata --status: each response cut from the source by its character range, with its context', async () => {
  const tmp = makeTempDir();
  const data = join(tmp, 'data');
  writeDataset(data, RECORDS);
  const db = join(tmp, 'r.duckdb');
  assert.equal(runHumanlike(['eval', data, '--baseline', 'uniform', '--db', db]).code, 0);
  const out = join(tmp, 'rows.csv');
  const r = runHumanlike(['export', out, '--db', db, '--source', data, '--text', '--metadata', '--status', '--context-chars', '8']);
  assert.equal(r.code, 0, r.stderr);
  const rows = await queryDb<Record<string, string | number | null>>(
    db,
    `SELECT * FROM read_csv('${out}', all_varchar = true) ORDER BY study, experiment, participant, response_index::INTEGER`,
  );
  // Independent: responses and what precedes them, found with a regular expression over the texts.
  const want: Record<string, unknown>[] = [];
  for (const rec of [...RECORDS].sort((a, b) => (a.study + a.experiment < b.study + b.experiment ? -1 : 1))) {
    let prevEnd = 0;
    [...rec.text.matchAll(/<<([^>]*)>>/g)].forEach((m, i) => {
      const start = m.index + 2;
      const before = rec.text.slice(prevEnd, m.index);
      want.push({
        study: rec.study,
        response_index: String(i),
        char_start: String(start),
        response_text: m[1],
        context: before.slice(-8),
        rt_ms: rec.RTs?.[i] === undefined ? null : `${rec.RTs[i]}.0`,
        age: rec.age === undefined ? null : `${rec.age}.0`,
        gender: rec.gender ?? null,
        scores: rec['STAI-T'] ? '{"STAI-T":40}' : null,
        run_status: 'complete',
      });
      prevEnd = m.index + m[0].length;
    });
  }
  assert.deepEqual(
    rows.map((x) => Object.fromEntries(Object.keys(want[0]!).map((k) => [k, x[k] ?? null]))),
    want,
  );
  assert.equal(rows[3]!['context'], 'e 🙂🙂: ', 'context: the last 8 UTF-16 units before the response');

  // A source whose responses moved is not the dataset the run scored: refused, naming the response.
  const moved = join(tmp, 'moved');
  writeDataset(
    moved,
    RECORDS.map((x) => ({ ...x, text: x.text.replace('Intro.', 'Intro!!') })),
  );
  const bad = runHumanlike(['export', join(tmp, 'bad.csv'), '--db', db, '--source', moved, '--text']);
  assert.equal(bad.code, 2);
  assert.match(
    bad.stderr,
    /response 0 of participant 1 \(study studyA, experiment e1\) is characters 24–25 there but 23–24 in run .*another version of the dataset/,
  );
  const partial = join(tmp, 'partial');
  writeDataset(
    partial,
    RECORDS.filter((x) => x.study === 'studyA'),
  );
  const part = runHumanlike(['export', join(tmp, 'part.csv'), '--db', db, '--source', partial, '--text']);
  assert.equal(part.code, 0, part.stderr);
  assert.match(part.stderr, /has no transcript for 2 of the rows: their text and metadata are empty/);
  const noSource = runHumanlike(['export', join(tmp, 'x.csv'), '--db', db, '--text']);
  assert.equal(noSource.code, 2);
  assert.match(noSource.stderr, /--source DATA/);
});

test('export --layout reference writes the reference CSV; --pairs pairs responses; domains and facts added', async () => {
  const tmp = makeTempDir();
  const db = join(tmp, 's.duckdb');
  await writeSyntheticStore(
    db,
    [
      { model: 'Qwen3-8B-Base-Q8_0.gguf', shift: 0 },
      { model: 'Qwen/Qwen3-8B', shift: 0.3 },
      { model: 'Qwen3-8B-Base-Q8_0.gguf', shift: -0.1, format: 'persona' },
      { model: 'house-model', shift: 0 },
    ],
    { studies: 3, participants: 4, responses: 5 },
  );
  // A second experiment in study000 reusing participant ids: the reference layout must keep them apart.
  const { ResultsStore } = await import('../../src/store/ResultsStore.js');
  const store = await ResultsStore.open(db);
  await store.connection.run(
    `INSERT INTO responses SELECT * REPLACE ('f' AS experiment, nll + 1 AS nll) FROM responses WHERE study = 'study000' AND experiment = 'e'`,
  );
  store.close();

  const ref = join(tmp, 'full_data_jureca_data.csv');
  const r = runHumanlike(['export', ref, '--db', db, '--layout', 'reference']);
  assert.equal(r.code, 0, r.stderr);
  const got = await queryDb(db, `SELECT * FROM read_csv('${ref}', all_varchar = true)`);
  const want = await queryDb(
    db,
    `
    SELECT CASE u.prompt_format WHEN 'raw' THEN 'data' ELSE 'data_meta' END AS directory, '../data/' || r.study AS experiment,
           CASE u.model WHEN 'Qwen3-8B-Base-Q8_0.gguf' THEN 'Qwen-Qwen3-8B-Base.pth' WHEN 'Qwen/Qwen3-8B' THEN 'Qwen-Qwen3-8B.pth' ELSE 'house-model.pth' END AS model,
           CASE WHEN r.study = 'study000' THEN r.experiment || ':' || r.participant ELSE r.participant END AS participant,
           r.response_index::VARCHAR AS trial, r.nll::VARCHAR AS nll
    FROM responses r JOIN runs u USING (run_id) ORDER BY 1, 2, 3, r.experiment, r.participant, r.response_index`,
  );
  assert.equal(got.length, 4 * (3 * 4 * 5 + 4 * 5));
  assert.deepEqual(Object.keys(got[0]!), ['directory', 'experiment', 'model', 'participant', 'trial', 'nll']);
  assert.deepEqual(got, want);

  // plot.py's Cohen's d (per experiment, sample SDs over responses, then the mean) on this file is compare's d.
  const compared = JSON.parse(runHumanlike(['compare', '--db', db, '--models', 'paper', '--bootstrap', '10', '--json']).stdout) as {
    pairs: { post: string; d: { estimate: number } }[];
  };
  const [paperD] = await queryDb<{ d: number }>(
    db,
    `
    WITH s AS (SELECT experiment, model, avg(nll) AS m, stddev_samp(nll) AS sd FROM read_csv('${ref}') WHERE directory = 'data' GROUP BY ALL)
    SELECT avg((p.m - b.m) / sqrt((p.sd ^ 2 + b.sd ^ 2) / 2)) AS d FROM s p JOIN s b USING (experiment) WHERE p.model = 'Qwen-Qwen3-8B.pth' AND b.model = 'Qwen-Qwen3-8B-Base.pth'`,
  );
  assert.equal(compared.pairs.length, 1);
  // (compare sums NLL in units of 1e-9 nats and squares in 1e-6, for bit-identical results: agreement to 1e-6)
  assert.ok(Math.abs(compared.pairs[0]!.d.estimate - paperD!.d) < 1e-6, `${compared.pairs[0]!.d.estimate} vs ${paperD!.d}`);

  const meta = join(tmp, 'full_data_jureca_data_meta.csv');
  assert.equal(runHumanlike(['export', meta, '--db', db, '--layout', 'reference', '--prompt-format', 'persona']).code, 0);
  const metaRows = await queryDb<Record<string, string>>(
    db,
    `SELECT directory, model, count(*)::INTEGER AS n FROM read_csv('${meta}', all_varchar = true) GROUP BY ALL`,
  );
  assert.deepEqual(metaRows, [{ directory: 'data_meta', model: 'Qwen-Qwen3-8B-Base.pth', n: 80 }]);

  const domains = join(tmp, 'domains.csv');
  writeFileSync(domains, 'study,domain\nstudy000,Memory\nstudy001,Reasoning\n');
  const pairs = join(tmp, 'pairs.csv');
  const p = runHumanlike(['export', '--pairs', pairs, '--db', db, '--models', 'paper', '--domains', domains]);
  assert.equal(p.code, 0, p.stderr);
  assert.match(p.stdout, /wrote 80 paired response rows of 1 pairs/);
  const paired = await queryDb<Record<string, string>>(db, `SELECT * FROM read_csv('${pairs}', all_varchar = true)`);
  const direct = await queryDb<Record<string, string>>(
    db,
    `
    SELECT b.study, b.experiment, b.participant, b.response_index::VARCHAR AS response_index, b.nll::VARCHAR AS nll_base, q.nll::VARCHAR AS nll_post,
           (q.nll - b.nll)::VARCHAR AS nll_diff, CASE b.study WHEN 'study000' THEN 'Memory' WHEN 'study001' THEN 'Reasoning' END AS domain
    FROM responses b JOIN responses q USING (study, experiment, participant, response_index) WHERE b.run_id = 'run0' AND q.run_id = 'run1'
    ORDER BY b.study, b.experiment, b.participant, b.response_index`,
  );
  assert.deepEqual(paired.map((x) => [x['base_model'], x['post_model'], x['type'], x['prompt_format']])[0], [
    'Qwen3-8B-Base-Q8_0.gguf',
    'Qwen/Qwen3-8B',
    'reasoning',
    'raw',
  ]);
  assert.deepEqual(
    paired.map((x) => Object.fromEntries(Object.keys(direct[0]!).map((k) => [k, x[k] ?? null]))),
    direct,
  );

  const facts = join(tmp, 'facts.parquet');
  assert.equal(runHumanlike(['export', facts, '--db', db, '--models', 'paper', '--domains', domains]).code, 0);
  const f = await queryDb(
    db,
    `SELECT DISTINCT model, prompt_format, family, generation, size_b, model_type, base_model FROM '${facts}' ORDER BY model, prompt_format`,
  );
  assert.deepEqual(f, [
    {
      model: 'Qwen/Qwen3-8B',
      prompt_format: 'raw',
      family: 'Qwen',
      generation: '3',
      size_b: 8,
      model_type: 'reasoning',
      base_model: 'Qwen3-8B-Base-Q8_0.gguf',
    },
    {
      model: 'Qwen3-8B-Base-Q8_0.gguf',
      prompt_format: 'persona',
      family: 'Qwen',
      generation: '3',
      size_b: 8,
      model_type: 'base',
      base_model: null,
    },
    {
      model: 'Qwen3-8B-Base-Q8_0.gguf',
      prompt_format: 'raw',
      family: 'Qwen',
      generation: '3',
      size_b: 8,
      model_type: 'base',
      base_model: null,
    },
    { model: 'house-model', prompt_format: 'raw', family: null, generation: null, size_b: null, model_type: null, base_model: null },
  ]);
  const fixed = runHumanlike(['export', join(tmp, 'x.csv'), '--db', db, '--layout', 'reference', '--status']);
  assert.equal(fixed.code, 2);
  assert.match(fixed.stderr, /reference layout has fixed columns/);
});

test('--pairs and --layout reference read a model split over several runs (cluster jobs) as compare does: one model', async () => {
  const tmp = makeTempDir();
  const db = join(tmp, 'split.duckdb');
  await writeSyntheticStore(
    db,
    [
      { model: 'Qwen2.5-7B', shift: 0 },
      { model: 'Qwen2.5-7B-Instruct', shift: 0.2 },
      { model: 'Qwen2.5-7B-Instruct', shift: 0.5 },
    ],
    { studies: 3, participants: 2, responses: 2 },
  );
  const { ResultsStore } = await import('../../src/store/ResultsStore.js');
  const store = await ResultsStore.open(db);
  // run1 scored study000 and study001, run2 only study002 (its run key differs: another job of the same model).
  for (const table of ['responses', 'participants']) {
    await store.connection.run(
      `DELETE FROM ${table} WHERE (run_id = 'run1' AND study = 'study002') OR (run_id = 'run2' AND study <> 'study002')`,
    );
  }
  store.close();
  const pairs = join(tmp, 'pairs.csv');
  const r = runHumanlike(['export', join(tmp, 'ref.csv'), '--layout', 'reference', '--pairs', pairs, '--db', db]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /wrote 24 response rows of 2 models and formats/);
  const got = await queryDb<{ study: string; n: number; post: number }>(
    db,
    `SELECT study, count(*)::INTEGER AS n, sum(nll_post) AS post FROM read_csv('${pairs}') GROUP BY study ORDER BY study`,
  );
  const want = await queryDb<{ study: string; n: number; post: number }>(
    db,
    `SELECT study, count(*)::INTEGER AS n, sum(nll) AS post FROM responses WHERE run_id IN ('run1', 'run2') GROUP BY study ORDER BY study`,
  );
  assert.deepEqual(
    got.map((x) => [x.study, x.n]),
    [
      ['study000', 4],
      ['study001', 4],
      ['study002', 4],
    ],
  );
  for (const [i, w] of want.entries())
    assert.ok(Math.abs(got[i]!.post - w.post) < 1e-9, `${w.study}: the post-trained NLL comes from the run that scored the study`);
});
