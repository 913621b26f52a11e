import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { CompareResult } from '../../src/analysis/compareModels.js';
import { paperModels } from '../../src/analysis/paperModels.js';
import { makeTempDir } from '../helpers/paths.js';
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
