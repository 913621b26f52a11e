import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { type CompareOptions, type CompareResult, compareModels } from '../../src/analysis/compareModels.js';
import { loadModelTable } from '../../src/analysis/loadModelTable.js';
import { renderCompare } from '../../src/cli/commands/compare.js';
import { fig3Chart } from '../../src/report/paperCharts.js';
import { writeReport } from '../../src/report/writeReport.js';
import { ResultsStore } from '../../src/store/ResultsStore.js';
import { parseCsv } from '../../src/util/readCsv.js';
import { makeTempDir } from '../helpers/paths.js';
import { writeSyntheticStore } from '../helpers/syntheticStore.js';

/** The analyses of a store, in process (as `compare --json` computes them). */
async function compare(db: string, o: CompareOptions = {}): Promise<CompareResult> {
  const store = await ResultsStore.open(db, { readOnly: true });
  try {
    return await compareModels(store, { bootstrap: 0, ...o });
  } finally {
    store.close();
  }
}

/** Change a store's rows (a run that skipped responses or participants). */
async function edit(db: string, ...sql: string[]): Promise<void> {
  const store = await ResultsStore.open(db);
  try {
    for (const s of sql) await store.connection.run(s);
  } finally {
    store.close();
  }
}

test("fig3 leaves a behavioural fine-tune out of its generation's pairs, as the by-generation means do", async () => {
  const db = join(makeTempDir(), 's.duckdb');
  await writeSyntheticStore(
    db,
    [
      { model: 'Llama-3.1-8B', shift: 0.2 },
      { model: 'Llama-3.1-8B-Instruct', shift: 0.6 },
      { model: 'Llama-3.1-70B', shift: 0 },
      { model: 'Llama-3.1-70B-Instruct', shift: 0.3 },
      { model: 'Llama-3.1-Centaur-70B', shift: -0.8 },
    ],
    { studies: 4, participants: 6, responses: 5 },
  );
  const c = await compare(db, { modelTable: (await loadModelTable('paper')).table });
  const generation = c.byGeneration.find((g) => g.family === 'Llama' && g.generation === '3.1')!;
  assert.equal(generation.pairs, 2, 'the by-generation mean leaves Centaur out');
  const right = fig3Chart(c)!.rows.filter((r) => r['panel'] === 'misalignment');
  assert.deepEqual(right.map((r) => r['model']).sort(), ['Llama-3.1-70B-Instruct', 'Llama-3.1-8B-Instruct']);
  // The figure's mean tick is the table's by-generation mean.
  const tick = right.reduce((s, r) => s + (r['value'] as number), 0) / right.length;
  assert.ok(Math.abs(tick - generation.d!.estimate) < 1e-12, `${tick} vs ${generation.d!.estimate}`);
});

test('persona benefit is persona against raw: never against the runs of another compared format', async () => {
  const db = join(makeTempDir(), 's.duckdb');
  await writeSyntheticStore(
    db,
    [
      { model: 'Qwen2-7B', shift: 0 },
      { model: 'Qwen2-7B', shift: 0.5, format: 'chat' },
      { model: 'Qwen2-7B', shift: -0.2, format: 'persona' },
      { model: 'Qwen2-7B', shift: 0, format: 'persona-shuffled' },
    ],
    { studies: 5, participants: 20, responses: 10 },
  );
  const raw = await compare(db);
  const [p] = raw.persona;
  assert.ok(p && Math.abs(p.personaVsRaw.estimate + 0.2) < 0.1, `persona − raw ≈ −0.2: ${p?.personaVsRaw.estimate}`);
  for (const format of ['chat', 'persona'] as const) {
    const other = await compare(db, { format });
    // Before: --format chat printed persona vs chat (≈ −0.7) and --format persona persona vs itself (0), as "persona vs raw".
    assert.deepEqual(other.persona, [], `--format ${format}`);
    assert.match(renderCompare(other), /Persona benefit is measured against raw runs: compare without --format/);
  }
  assert.doesNotMatch(renderCompare(raw), /Persona benefit is measured against raw runs/);
});

test('a study with fewer than two participants scored by both runs is named, not silently left out of the pair', async () => {
  const db = join(makeTempDir(), 's.duckdb');
  await writeSyntheticStore(
    db,
    [
      { model: 'Qwen2-7B', shift: 0 },
      { model: 'Qwen2-7B-Instruct', shift: 0.3 },
    ],
    { studies: 3, participants: 4, responses: 5 },
  );
  // study001 keeps a single participant in the post-trained run (as a study of 10–19 participants in the test split).
  await edit(
    db,
    `DELETE FROM responses WHERE run_id = 'run1' AND study = 'study001' AND participant <> '0'`,
    `DELETE FROM participants WHERE run_id = 'run1' AND study = 'study001' AND participant <> '0'`,
  );
  const c = await compare(db);
  const [pair] = c.pairs;
  assert.equal(pair!.studies, 2);
  assert.deepEqual(pair!.studiesTooFew, ['study001']);
  assert.equal(pair!.pairedResponses, 2 * 4 * 5);
  assert.equal(c.models.find((m) => m.model === 'Qwen2-7B-Instruct')!.studies, 3, 'the alignment score keeps it');
  assert.match(
    renderCompare(c),
    /left out of d: studies where fewer than two participants[^\n]*\n\s+Qwen2-7B-Instruct vs Qwen2-7B: study001/,
  );
});

test('a model whose runs scored no response has no alignment score (not a perfect 0)', async () => {
  const db = join(makeTempDir(), 's.duckdb');
  await writeSyntheticStore(
    db,
    [
      { model: 'Qwen2-7B', shift: 0 },
      { model: 'Qwen2-7B-Instruct', shift: 0.3 },
    ],
    { studies: 2, participants: 3, responses: 4 },
  );
  // Every participant of the post-trained run was skipped (e.g. a persona run on data without metadata).
  await edit(
    db,
    `DELETE FROM responses WHERE run_id = 'run1'`,
    `UPDATE participants SET status = 'skipped', reason = 'no metadata to state in a persona', n_scored = 0 WHERE run_id = 'run1'`,
  );
  const c = await compare(db);
  const empty = c.models.find((m) => m.model === 'Qwen2-7B-Instruct')!;
  assert.deepEqual([empty.studies, empty.score, empty.skippedShare], [0, null, 1]);
  assert.deepEqual(
    c.models.map((m) => m.model),
    ['Qwen2-7B', 'Qwen2-7B-Instruct'],
    'ranked after every scored model',
  );
  assert.match(renderCompare(c), /Qwen2-7B-Instruct\s+Qwen\s+2\s+7\s+instruct\s+0\s+-\s+100\.0%/);
});

test("the report's dataset overview counts the compared runs, every study of a model split over several runs", async () => {
  const tmp = makeTempDir();
  const db = join(tmp, 's.duckdb');
  await writeSyntheticStore(db, [{ model: 'Qwen2-7B', shift: 0 }], { studies: 3, participants: 4, responses: 5 });
  await edit(
    db,
    // A cluster job scored study002 in its own run; and a run of another comparison set (train side) has more rows.
    `INSERT INTO runs SELECT * REPLACE ('run0b' AS run_id, 'run0b' AS config_key) FROM runs WHERE run_id = 'run0'`,
    `UPDATE responses SET run_id = 'run0b' WHERE run_id = 'run0' AND study = 'study002'`,
    `UPDATE participants SET run_id = 'run0b' WHERE run_id = 'run0' AND study = 'study002'`,
    `INSERT INTO runs SELECT * REPLACE ('train' AS run_id, 'train' AS config_key, 'train' AS selection) FROM runs WHERE run_id = 'run0'`,
    `INSERT INTO responses SELECT r.* REPLACE ('train' AS run_id, r.response_index + 100 * k AS response_index) FROM responses r, range(3) t(k) WHERE r.run_id = 'run0'`,
    `INSERT INTO participants SELECT * REPLACE ('train' AS run_id) FROM participants WHERE run_id = 'run0'`,
  );
  const csv = join(tmp, 'csv');
  const store = await ResultsStore.open(db, { readOnly: true });
  try {
    await writeReport(store, { out: join(tmp, 'r.html'), csvDir: csv, bootstrap: 0 });
  } finally {
    store.close();
  }
  const [header, ...rows] = parseCsv(readFileSync(join(csv, 'dataset-overview.csv'), 'utf8'));
  const col = (name: string): number => header!.cells.indexOf(name);
  assert.deepEqual(
    rows.map((r) => [r.cells[col('study')], Number(r.cells[col('participants')]), Number(r.cells[col('responses')])]),
    [
      ['study000', 4, 20],
      ['study001', 4, 20],
      ['study002', 4, 20],
    ],
  );
});

test('the report shows a behavioural fine-tune apart from post-training, on its held-out studies with mean d ± SEM', async () => {
  const tmp = makeTempDir();
  const db = join(tmp, 's.duckdb');
  await writeSyntheticStore(
    db,
    [
      { model: 'Llama-3.1-70B', shift: 0 },
      { model: 'Llama-3.1-70B-Instruct', shift: 0.3 },
      { model: 'Llama-3.1-Centaur-70B', shift: -0.5 },
    ],
    { studies: 4, participants: 6, responses: 5 },
  );
  const options = { modelTable: (await loadModelTable('paper')).table, excludeStudies: new Set(['study000']), bootstrap: 0 };
  const out = join(tmp, 'r.html');
  const store = await ResultsStore.open(db, { readOnly: true });
  try {
    await writeReport(store, { out, ...options });
  } finally {
    store.close();
  }
  const html = readFileSync(out, 'utf8');
  const section = (title: string): string => html.split(`<h2>${title}</h2>`)[1]?.split('<h2>')[0] ?? '';
  const post = section('Post-training misalignment');
  assert.match(post, /Llama-3\.1-70B-Instruct/);
  assert.doesNotMatch(post, /Centaur/, 'a fine-tune on human data is not post-training');
  const centaur = (await compare(db, options)).pairs.find((p) => p.type === 'behavioural')!;
  assert.equal(centaur.studies, 3);
  const row = `<td>Llama-3.1-Centaur-70B</td><td>Llama-3.1-70B</td><td>3</td><td>1</td><td>${centaur.d.estimate.toFixed(3)} ± ${centaur.sem!.toFixed(3)}</td>`;
  assert.ok(section('Behavioural fine-tunes').includes(row), 'held-out studies, studies left out, mean d ± SEM');
});

test("a user table's generation takes its instruct pairs, else its reasoning pairs; other types stay out of its mean", async () => {
  const dir = makeTempDir();
  const db = join(dir, 's.duckdb');
  const models: [string, number, string][] = [
    // model, planted shift, model table row after the name
    ['a-base', 0, 'House,1,7,base,'],
    ['a-chat', 0.3, 'House,1,7,instruct,a-base'],
    ['a-coder', 1.2, 'House,1,7,code,a-base'],
    ['a-think', 0.8, 'House,1,7,reasoning,a-base'],
    ['b-base', 0, 'House,2,7,base,'],
    ['b-think', 0.4, 'House,2,7,reasoning,b-base'],
    ['b-vision', 1.0, 'House,2,7,vision,b-base'],
    ['c-base', 0, 'House,3,7,base,'],
    ['c-math', 0.9, 'House,3,7,math,c-base'],
  ];
  await writeSyntheticStore(
    db,
    models.map(([model, shift]) => ({ model, shift })),
    { studies: 4, participants: 6, responses: 5 },
  );
  const table = join(dir, 'models.csv');
  writeFileSync(table, `model,family,generation,size_b,type,base\n${models.map(([m, , row]) => `${m},${row}`).join('\n')}\n`);
  const c = await compare(db, { modelTable: (await loadModelTable(table)).table });
  const d = new Map(c.pairs.map((p) => [p.post, p.d.estimate]));
  assert.deepEqual(
    c.byGeneration.map((g) => [g.generation, g.postType, g.pairs, g.leftOut]),
    [
      [
        '1',
        'instruct',
        1,
        [
          { type: 'code', pairs: 1 },
          { type: 'reasoning', pairs: 1 },
        ],
      ],
      ['2', 'reasoning', 1, [{ type: 'vision', pairs: 1 }]],
      ['3', null, 0, [{ type: 'math', pairs: 1 }]],
    ],
  );
  assert.equal(c.byGeneration[0]!.d!.estimate, d.get('a-chat'));
  assert.equal(c.byGeneration[1]!.d!.estimate, d.get('b-think'));
  assert.equal(c.byGeneration[2]!.d, null);
  // Every pair stays in the pairs and the by-type means; Fig. 3 draws the generations' own pairs only.
  assert.equal(c.pairs.length, 6);
  assert.deepEqual(
    c.byType.map((t) => t.type),
    ['code', 'instruct', 'math', 'reasoning', 'vision'],
  );
  const right = fig3Chart(c)!.rows.filter((r) => r['panel'] === 'misalignment');
  assert.deepEqual(
    right.map((r) => [r['series'], r['model']]),
    [
      ['House 1', 'a-chat'],
      ['House 2', 'b-think'],
    ],
  );
  assert.match(
    fig3Chart(c)!.caption,
    /House 1: instruct \(1 pair\); House 2: reasoning \(1 pair\); House 3: none \(no instruct or reasoning pair\)/,
  );
  assert.match(renderCompare(c), /^House +3 +\d\.\d{3} +- +0 +- +math 1$/m);
});
