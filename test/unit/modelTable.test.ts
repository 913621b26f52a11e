import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadModelTable } from '../../src/analysis/loadModelTable.js';
import { formatModelTable, inferModelFacts, modelMatchKey, readModelTableFile, resolveModelFacts } from '../../src/analysis/modelTable.js';
import { paperModels, referenceFileName } from '../../src/analysis/paperModels.js';
import { makeTempDir } from '../helpers/paths.js';

const facts = (model: string, known: readonly string[]) => {
  const f = inferModelFacts(model, known);
  return f && { family: f.family, generation: f.generation, sizeB: f.sizeB, type: f.type, base: f.base };
};

test('name inference without a table: the common cases the paper needs', () => {
  const known = [
    'Qwen3-8B-Base',
    'Qwen3-8B',
    'Qwen3.5-4B-Base',
    'Qwen3.5-4B',
    'OLMo-3-1025-7B',
    'OLMo-3-7B-Think',
    'OLMo-3-1125-32B',
    'Olmo-3.1-32B-Instruct',
    'Qwen2.5-7B',
    'DeepSeek-R1-Distill-Qwen-7B',
    'Llama-3.1-8B',
    'DeepSeek-R1-Distill-Llama-8B',
    'Mistral-7B-v0.3',
    'Mistral-7B-Instruct-v0.3',
    'TinyLlama-1.1B-Chat-v1.0',
    'Llama-3.1-70B',
    'Llama-3.1-Centaur-70B',
    'Qwen-7B',
    'Qwen3-VL-8B-Instruct',
  ];
  // Qwen3 and Qwen3.5 name their post-trained (reasoning) models without a suffix, their bases with -Base.
  assert.deepEqual(facts('Qwen3-8B-Base', known), { family: 'Qwen', generation: '3', sizeB: 8, type: 'base', base: null });
  assert.deepEqual(facts('Qwen3-8B', known), { family: 'Qwen', generation: '3', sizeB: 8, type: 'reasoning', base: 'Qwen3-8B-Base' });
  assert.deepEqual(facts('Qwen3.5-4B', known), { family: 'Qwen', generation: '3.5', sizeB: 4, type: 'reasoning', base: 'Qwen3.5-4B-Base' });
  assert.deepEqual(facts('Qwen3-VL-8B-Instruct', known), {
    family: 'Qwen',
    generation: '3',
    sizeB: 8,
    type: 'vision',
    base: 'Qwen3-8B-Base',
  });
  // OLMo 3 bases carry a date code (1025, 1125); OLMo 3.1 post-trained models pair with the 3 base of their size.
  assert.deepEqual(facts('OLMo-3-7B-Think', known), {
    family: 'OLMo',
    generation: '3',
    sizeB: 7,
    type: 'reasoning',
    base: 'OLMo-3-1025-7B',
  });
  assert.deepEqual(facts('Olmo-3.1-32B-Instruct', known), {
    family: 'OLMo',
    generation: '3.1',
    sizeB: 32,
    type: 'instruct',
    base: 'OLMo-3-1125-32B',
  });
  assert.deepEqual(facts('OLMo-3-1025-7B', known), { family: 'OLMo', generation: '3', sizeB: 7, type: 'base', base: null });
  // A version tag is the generation; a size is never one.
  assert.deepEqual(facts('Mistral-7B-v0.3', known), { family: 'Mistral', generation: '0.3', sizeB: 7, type: 'base', base: null });
  assert.deepEqual(facts('Mistral-7B-Instruct-v0.3', known), {
    family: 'Mistral',
    generation: '0.3',
    sizeB: 7,
    type: 'instruct',
    base: 'Mistral-7B-v0.3',
  });
  assert.equal(facts('Qwen-7B', known)?.generation, '1');
  // Distills belong to the family and generation of the model they were distilled into.
  assert.deepEqual(facts('DeepSeek-R1-Distill-Qwen-7B', known), {
    family: 'Qwen',
    generation: '2.5',
    sizeB: 7,
    type: 'reasoning',
    base: 'Qwen2.5-7B',
  });
  assert.deepEqual(facts('DeepSeek-R1-Distill-Llama-8B', known), {
    family: 'Llama',
    generation: '3.1',
    sizeB: 8,
    type: 'reasoning',
    base: 'Llama-3.1-8B',
  });
  assert.deepEqual(facts('TinyLlama-1.1B-Chat-v1.0', known), {
    family: 'TinyLlama',
    generation: '1.0',
    sizeB: 1.1,
    type: 'instruct',
    base: null,
  });
  assert.deepEqual(facts('Llama-3.1-Centaur-70B', known), {
    family: 'Llama',
    generation: '3.1',
    sizeB: 70,
    type: 'behavioural',
    base: 'Llama-3.1-70B',
  });
  // Paths, org prefixes, .gguf and quantisation suffixes do not change what a model is, whatever the case.
  const files = ['models/Qwen_Qwen3-8B-Base-Q8_0.gguf', 'qwen3-8b-q4_k_m.gguf'];
  assert.deepEqual(facts('qwen3-8b-q4_k_m.gguf', files), {
    family: 'Qwen',
    generation: '3',
    sizeB: 8,
    type: 'reasoning',
    base: 'models/Qwen_Qwen3-8B-Base-Q8_0.gguf',
  });
});

test('match keys drop org prefix, path, .gguf/.pth and quantisation suffixes, case-insensitively', () => {
  const key = modelMatchKey('Qwen2.5-7B-Instruct');
  for (const name of [
    'Qwen2.5-7B-Instruct-Q8_0.gguf',
    'qwen2.5-7b-instruct-q4_k_m.gguf',
    'Qwen/Qwen2.5-7B-Instruct',
    'Qwen-Qwen2.5-7B-Instruct.pth',
    '/models/Qwen_Qwen2.5-7B-Instruct-IQ4_XS.gguf',
    'Qwen2.5-7B-Instruct-AWQ',
  ]) {
    assert.equal(modelMatchKey(name), key, name);
  }
  assert.equal(modelMatchKey('meta-llama-Meta-Llama-3-8B.pth'), modelMatchKey('Meta-Llama-3-8B-Q4_K_M.gguf'));
  assert.equal(modelMatchKey('unsloth/Meta-Llama-3.1-70B-bnb-4bit'), modelMatchKey('Llama-3.1-70B'));
  assert.notEqual(modelMatchKey('Qwen-7B'), modelMatchKey('7B'), 'an org prefix is only dropped before a name');
});

test('the paper table: every post-trained model has its base in the table; names match as users write them', async () => {
  const rows = paperModels();
  const byName = new Map(rows.map((r) => [r.model, r]));
  const pairs = rows.filter((r) => r.base);
  assert.equal(pairs.length, 66, "the 65 pairs of plot.py's PAIRS plus Centaur");
  for (const p of pairs) assert.equal(byName.get(p.base!)?.type, 'base', `${p.model} → ${p.base}`);
  assert.equal(byName.get('Qwen3-VL-32B-Thinking')?.base, 'Qwen3-14B-Base', "the paper's 32B → 14B mismatch, kept");
  assert.equal(referenceFileName(byName.get('Olmo-3-7B-Think')!), 'allenai-Olmo-3-7B-Think.pth');
  const table = (await loadModelTable('paper')).table;
  const store = [
    'Qwen/Qwen3-8B',
    'Qwen_Qwen3-8B-Base-Q8_0.gguf',
    'qwen2.5-7b-instruct-q4_k_m.gguf',
    'Qwen2.5-7B-Q8_0.gguf',
    'deepseek-ai-DeepSeek-R1-Distill-Qwen-7B.pth',
    'Llama-3.1-Centaur-70B-adapter',
    'unsloth/Meta-Llama-3.1-70B-bnb-4bit',
  ];
  const { facts: f, unclassified } = resolveModelFacts(store, table);
  assert.deepEqual(unclassified, []);
  assert.deepEqual(
    [...f.values()].filter((x) => x.base).map((x) => [x.model, x.base, x.type]),
    [
      ['Qwen/Qwen3-8B', 'Qwen_Qwen3-8B-Base-Q8_0.gguf', 'reasoning'],
      ['qwen2.5-7b-instruct-q4_k_m.gguf', 'Qwen2.5-7B-Q8_0.gguf', 'instruct'],
      ['deepseek-ai-DeepSeek-R1-Distill-Qwen-7B.pth', 'Qwen2.5-7B-Q8_0.gguf', 'reasoning'],
      ['Llama-3.1-Centaur-70B-adapter', 'unsloth/Meta-Llama-3.1-70B-bnb-4bit', 'behavioural'],
    ],
  );
});

test('--write-model-table writes unclassified models as empty rows; reading it back names what is missing', async () => {
  const tmp = makeTempDir();
  const file = join(tmp, 'models.csv');
  const { facts: f, unclassified } = resolveModelFacts(['Qwen2.5-7B', 'house-model']);
  writeFileSync(file, formatModelTable(f.values(), unclassified));
  assert.equal(readFileSync(file, 'utf8'), 'model,family,generation,size_b,type,base\nQwen2.5-7B,Qwen,2.5,7,base,\nhouse-model,,,,,\n');
  const back = await readModelTableFile(file);
  assert.deepEqual([...back.table.keys()], ['Qwen2.5-7B']);
  assert.deepEqual(back.incomplete, ['house-model']);
  writeFileSync(file, 'model,family,generation,size_b,type,base\nhouse-model,,,,instruct,\n');
  await assert.rejects(readModelTableFile(file), /models\.csv:2: family is empty for house-model/);
});

test('a model table with a column twice is refused (the first one was read, silently)', async () => {
  const file = join(makeTempDir(), 'models.csv');
  writeFileSync(file, 'model,family,generation,size_b,type,base,type\nm-7B,Fam,1,7,base,,instruct\n');
  await assert.rejects(readModelTableFile(file), /models\.csv:1: column\(s\) type appear twice in the header/);
});
