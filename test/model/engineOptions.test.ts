import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { LlamaCppBackend, type LlamaCppOptions } from '../../src/backends/LlamaCppBackend.js';
import { directLogprobs, loadDirectModel } from '../helpers/directScoring.js';
import { hasModels, hasPsych201, makeTempDir, modelsDir } from '../helpers/paths.js';
import { writeRealSubset } from '../helpers/realSubset.js';
import { runHumanlike } from '../helpers/runCliProcess.js';

const skip = !hasModels || !hasPsych201 ? '../shared models or psych201 not found: model tests skipped' : false;
const MODEL = join(modelsDir, 'stories260K.gguf');

test('eval --kv-cache-type refuses an unknown type with exit 2, naming the choices', () => {
  const r = runHumanlike(['eval', 'nowhere', '--model', MODEL, '--kv-cache-type', 'q4_0']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /f32, f16, q8_0/);
});

test('eval records the engine configuration; --policy reference uses the exact one unless told otherwise', {
  skip,
  timeout: 300_000,
}, async () => {
  const { dir } = await writeRealSubset({ studies: ['thoma2025problearn'], perStudy: 1, maxChars: 1200 });
  const details = (extra: string[]): Record<string, unknown> => {
    const r = runHumanlike([
      'eval',
      dir,
      '--model',
      MODEL,
      '--context-size',
      '1024',
      '--gpu',
      'cpu',
      '--db',
      join(makeTempDir(), 'r.duckdb'),
      '--json',
      ...extra,
    ]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const d = (JSON.parse(r.stdout) as { run: { modelIdentity: { details: Record<string, unknown> } } }).run.modelIdentity.details;
    return { flashAttention: d['flashAttention'], kvCacheType: d['kvCacheType'], batchSize: d['batchSize'] };
  };
  assert.deepEqual(details([]), { flashAttention: 'auto', kvCacheType: 'f16', batchSize: 512 });
  assert.deepEqual(details(['--policy', 'reference']), { flashAttention: false, kvCacheType: 'f32', batchSize: 512 });
  assert.deepEqual(details(['--policy', 'reference', '--flash-attention', 'on', '--kv-cache-type', 'f16', '--batch-size', '256']), {
    flashAttention: true,
    kvCacheType: 'f16',
    batchSize: 256,
  });
});

test('the exact configuration equals a direct fp32 softmax within 1e-4 nats; flash attention + f16 deviates measurably', {
  skip,
  timeout: 300_000,
}, async () => {
  const { transcripts } = await writeRealSubset({ studies: ['spektor2024lossaversion'], perStudy: 1, maxChars: 6000 });
  const { model, dispose } = await loadDirectModel(MODEL);
  const score = async (o: Partial<LlamaCppOptions>, tokens: number[]): Promise<number[]> => {
    const b = await LlamaCppBackend.create({ model: MODEL, gpu: 'cpu', contextSize: 2048, ...o });
    try {
      const positions = tokens.map((_, i) => i).slice(1);
      return (await b.scoreTokens([{ tokens, positions }]))[0]!.map((s) => s.logprob);
    } finally {
      await b.close();
    }
  };
  try {
    const tokens = [model.tokens.bos as number, ...(model.tokenize(transcripts[0]!.text) as number[])].slice(0, 2048);
    assert.ok(tokens.length > 1500, `a long sequence (${tokens.length} tokens)`);
    const direct = (await directLogprobs(model, tokens, 2048, { exact: true })).slice(1);
    const exact = await score({ flashAttention: false, kvCacheType: 'f32' }, tokens);
    const fast = await score({ flashAttention: true, kvCacheType: 'f16' }, tokens);
    const maxDiff = (a: number[]): number => Math.max(...a.map((x, i) => Math.abs(x - direct[i]!)));
    assert.ok(maxDiff(exact) < 1e-4, `exact vs direct fp32: ${maxDiff(exact)}`);
    // Flash attention with an f16 cache rounds: measurable, and bounded (stories260K, head size 8; 0.10 measured).
    assert.ok(maxDiff(fast) > 1e-3 && maxDiff(fast) < 0.5, `flash attention + f16 vs direct fp32: ${maxDiff(fast)}`);
  } finally {
    await dispose();
  }
});
