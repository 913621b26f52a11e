import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { CompareResult } from '../../src/analysis/compareModels.js';
import { paperModels } from '../../src/analysis/paperModels.js';
import { parseCsv } from '../../src/util/readCsv.js';
import { makeTempDir } from '../helpers/paths.js';
import { queryDb } from '../helpers/readDb.js';
import { runHumanlike } from '../helpers/runCliProcess.js';
import { writeSyntheticStore } from '../helpers/syntheticStore.js';

/** The paper's model names as users' runs spell them: hub ids, reference file names, quantised GGUF files. */
const spell = (org: string, model: string, i: number): string =>
  [`${org}-${model}.pth`, `${org}/${model}`, `${model.toLowerCase()}-q4_k_m.gguf`, `${model}-Q8_0.gguf`][i % 4]!;

test('compare --models paper finds every pair of the paper with its type, whatever the spelling of the runs', async () => {
  const tmp = makeTempDir();
  const db = join(tmp, 'paper.duckdb');
  const rows = paperModels();
  const runName = new Map(rows.map((r, i) => [r.model, spell(r.org, r.model, i)]));
  await writeSyntheticStore(
    db,
    rows.map((r, i) => ({ model: runName.get(r.model)!, shift: r.base ? 0.2 + 0.01 * i : 0 })),
    { studies: 3, participants: 4, responses: 3 },
  );
  const r = runHumanlike(['compare', '--db', db, '--models', 'paper', '--bootstrap', '20', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const c = JSON.parse(r.stdout) as CompareResult;
  assert.deepEqual(c.unclassified, []);
  const want = rows
    .filter((x) => x.base)
    .map((x) => [runName.get(x.model), runName.get(x.base!), x.type])
    .sort();
  const got = c.pairs.map((p) => [p.post, p.base, p.type]).sort();
  assert.equal(got.length, 66);
  assert.deepEqual(got, want);
  assert.deepEqual(
    c.byType.map((t) => [t.type, t.pairs]),
    [
      ['behavioural', 1],
      ['code', 6],
      ['instruct', 25],
      ['math', 3],
      ['reasoning', 17],
      ['vision', 14],
    ],
  );
  const facts = new Map(c.models.map((m) => [m.model, m.facts]));
  assert.deepEqual(facts.get(runName.get('Qwen3-VL-32B-Thinking')!), {
    model: runName.get('Qwen3-VL-32B-Thinking'),
    family: 'Qwen',
    generation: '3',
    sizeB: 32,
    type: 'vision',
    base: runName.get('Qwen3-14B-Base'),
  });
  assert.equal(facts.get(runName.get('Qwen3-32B')!)?.base, null, 'run without a base in the paper');
});

test('compare without a table pairs the cases names alone used to get wrong', async () => {
  const tmp = makeTempDir();
  const db = join(tmp, 'infer.duckdb');
  const models = [
    'Qwen3-8B-Base',
    'Qwen3-8B',
    'OLMo-3-1025-7B',
    'OLMo-3-7B-Think',
    'Qwen2.5-7B',
    'DeepSeek-R1-Distill-Qwen-7B',
    'Mistral-7B-v0.3',
    'Mistral-7B-Instruct-v0.3',
    'TinyLlama-1.1B-Chat-v1.0',
    'house-model',
  ];
  await writeSyntheticStore(
    db,
    models.map((model) => ({ model, shift: 0 })),
    { studies: 3, participants: 4, responses: 3 },
  );
  const table = join(tmp, 'models.csv');
  const r = runHumanlike(['compare', '--db', db, '--bootstrap', '20', '--json', '--write-model-table', table]);
  assert.equal(r.code, 0, r.stderr);
  const c = JSON.parse(r.stdout) as CompareResult;
  assert.deepEqual(
    c.pairs.map((p) => [p.post, p.base, p.type, `${p.family} ${p.generation}`]),
    [
      ['DeepSeek-R1-Distill-Qwen-7B', 'Qwen2.5-7B', 'reasoning', 'Qwen 2.5'],
      ['Mistral-7B-Instruct-v0.3', 'Mistral-7B-v0.3', 'instruct', 'Mistral 0.3'],
      ['OLMo-3-7B-Think', 'OLMo-3-1025-7B', 'reasoning', 'OLMo 3'],
      ['Qwen3-8B', 'Qwen3-8B-Base', 'reasoning', 'Qwen 3'],
    ],
  );
  const family = new Map(c.models.map((m) => [m.model, m.facts?.family]));
  assert.equal(family.get('TinyLlama-1.1B-Chat-v1.0'), 'TinyLlama');
  // The unclassified model is in the written table, as a row to fill in; reading it back says so.
  const text = readFileSync(table, 'utf8');
  assert.match(text, /\nhouse-model,,,,,\n/);
  assert.match(text, /\nQwen3-8B,Qwen,3,8,reasoning,Qwen3-8B-Base\n/);
  const back = runHumanlike(['compare', '--db', db, '--bootstrap', '20', '--models', table]);
  assert.equal(back.code, 0, back.stderr);
  assert.match(back.stderr, /models\.csv lists house-model without facts \(empty type\)/);
  writeFileSync(table, text.replace('house-model,,,,,', 'house-model,House,1,7,instruct,Qwen2.5-7B'));
  const filled = JSON.parse(
    runHumanlike(['compare', '--db', db, '--bootstrap', '20', '--models', table, '--json']).stdout,
  ) as CompareResult;
  assert.ok(filled.pairs.some((p) => p.post === 'house-model' && p.base === 'Qwen2.5-7B'));
  assert.deepEqual(filled.unclassified, []);
});

/** Planted shift per type: a pair's d ≈ its post model's shift, so mixing types would move a generation's mean. */
const TYPE_SHIFT: Record<string, number> = { base: 0, instruct: 0.2, reasoning: 0.5, code: 1.1, math: 1.4, vision: 0.8, behavioural: -0.6 };

test("by generation and Fig. 3 take the paper's pairs: each generation's general-purpose post-training only", async () => {
  const tmp = makeTempDir();
  const db = join(tmp, 'paper.duckdb');
  const rows = paperModels();
  await writeSyntheticStore(
    db,
    rows.map((r, i) => ({ model: r.model, shift: TYPE_SHIFT[r.type]! + (r.base ? 0.01 * i : 0) })),
    { studies: 3, participants: 4, responses: 3 },
  );
  const args = ['--db', db, '--models', 'paper', '--bootstrap', '0'];
  const r = runHumanlike(['compare', ...args, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const c = JSON.parse(r.stdout) as CompareResult;
  // The paper's Fig. 3a: Qwen2 and Qwen2.5 Instruct, Qwen3 and Qwen3.5 the reasoning models; the same rule elsewhere.
  const want: [string, string, string, number][] = [
    ['Llama', '3', 'instruct', 1],
    ['Llama', '3.1', 'instruct', 2],
    ['Llama', '3.2', 'instruct', 2],
    ['OLMo', '3', 'instruct', 1],
    ['OLMo', '3.1', 'instruct', 1],
    ['Qwen', '1.5', 'instruct', 7],
    ['Qwen', '2', 'instruct', 4],
    ['Qwen', '2.5', 'instruct', 7],
    ['Qwen', '3', 'reasoning', 5],
    ['Qwen', '3.5', 'reasoning', 4],
  ];
  // Each pair's d computed here from the stored responses: per study over the responses both scored, then the mean.
  const expected = rows.filter((x) => x.base && want.some(([f, g, t]) => x.family === f && x.generation === g && x.type === t));
  const d = new Map(
    (
      await queryDb<{ post: string; d: number }>(
        db,
        `WITH p(post, base) AS (VALUES ${expected.map((x) => `('${x.model}', '${x.base}')`).join(', ')}),
        s AS (
          SELECT p.post, x.study, (avg(y.nll) - avg(x.nll)) / sqrt((var_samp(x.nll) + var_samp(y.nll)) / 2) AS d
          FROM p JOIN runs rb ON rb.model = p.base JOIN runs rp ON rp.model = p.post
            JOIN responses x ON x.run_id = rb.run_id
            JOIN responses y ON y.run_id = rp.run_id AND y.study = x.study AND y.experiment = x.experiment
              AND y.participant = x.participant AND y.response_index = x.response_index
          GROUP BY p.post, x.study)
        SELECT post, avg(d) AS d FROM s GROUP BY post`,
      )
    ).map((x) => [x.post, x.d]),
  );
  const members = (f: string, g: string, t: string): string[] =>
    expected
      .filter((x) => x.family === f && x.generation === g && x.type === t)
      .map((x) => x.model)
      .sort();
  for (const [family, generation, type, pairs] of want) {
    const got = c.byGeneration.find((x) => x.family === family && x.generation === generation)!;
    const ms = members(family, generation, type);
    const mean = ms.reduce((s, m) => s + d.get(m)!, 0) / ms.length;
    const what = `${family} ${generation}`;
    assert.ok(Math.abs(got.d!.estimate - mean) < 1e-6, `${what}: ${got.d!.estimate} vs ${type} mean ${mean}`);
    assert.deepEqual([got.pairs, ms.length], [pairs, pairs], what);
  }
  assert.deepEqual(
    c.byGeneration.map((x) => [x.family, x.generation, x.postType, x.pairs]),
    want.map(([f, g, t, n]) => [f, g, t, n]),
  );
  assert.deepEqual(c.byGeneration.find((x) => x.generation === '2.5')!.leftOut, [
    { type: 'code', pairs: 6 },
    { type: 'math', pairs: 3 },
    { type: 'reasoning', pairs: 4 },
    { type: 'vision', pairs: 4 },
  ]);
  // The other types stay in the pairs and the by-type means.
  assert.equal(c.pairs.length, 66);
  const text = runHumanlike(['compare', ...args]).stdout;
  assert.match(text, /\nQwen +2\.5 +\d\.\d{3} +instruct +7 +\d\.\d{3} +code 6, math 3, reasoning 4, vision 4\n/);
  assert.match(text, /\nQwen +3 +\d\.\d{3} +reasoning +5 +\d\.\d{3} +vision 8\n/);

  // Fig. 3's right panel: the same pairs, per generation; its caption names the type taken.
  const csv = join(tmp, 'csv');
  const rep = runHumanlike(['report', ...args, '--out', join(tmp, 'r.html'), '--csv', csv]);
  assert.equal(rep.code, 0, rep.stderr);
  const [header, ...lines] = parseCsv(readFileSync(join(csv, 'fig3-generations.csv'), 'utf8'));
  const fig3 = lines
    .map((l) => Object.fromEntries(header!.cells.map((h, i) => [h, l.cells[i] ?? ''])))
    .filter((x) => x['panel'] === 'misalignment');
  for (const [family, generation, type] of want) {
    const points = fig3.filter((x) => x['series'] === `${family} ${generation}`);
    assert.deepEqual(points.map((x) => x['model']).sort(), members(family, generation, type), `fig3 ${family} ${generation}`);
  }
  assert.equal(fig3.length, expected.length);
  assert.match(readFileSync(join(tmp, 'r.html'), 'utf8'), /Qwen 2\.5: instruct \(7 pairs\)[^<]*Qwen 3: reasoning \(5 pairs\)/);
});
