import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeSampleDataset } from '../../src/data/createSampleStudy.js';
import { evalConfigSchema } from '../../src/eval/evalConfig.js';
import { evaluate } from '../../src/eval/evaluate.js';
import { fakeLogprob, startFakeVllm } from '../helpers/fakeScoringServer.js';
import { makeTempDir, modelsDir, noSharedModels } from '../helpers/paths.js';
import { queryDb } from '../helpers/readDb.js';

const skip = noSharedModels;

test('chat format through a server with a local tokenizer that carries the template (Phi-3): every response scored', {
  skip,
  timeout: 120_000,
}, async () => {
  const { datasetDir } = await writeSampleDataset(makeTempDir(), { participants: 6, trials: 5 });
  const server = await startFakeVllm();
  try {
    const db = join(makeTempDir(), 'chat.duckdb');
    const tokenizer = join(modelsDir, 'ggml-vocab', 'ggml-vocab-phi-3.gguf');
    const r = await evaluate(
      evalConfigSchema.parse({
        source: datasetDir,
        db,
        format: 'chat',
        model: { kind: 'remote', endpoints: [{ url: server.url }], tokenizer },
      }),
    );
    assert.equal(r.run.status, 'complete');
    assert.equal(r.stats.responsesScored, 30);
    assert.equal(r.stats.responsesSkipped, 0);
    const rows = await queryDb<{ n_tokens: number; nll: number }>(db, 'SELECT n_tokens, nll FROM responses');
    // Each response is one letter read as "▁F" or "▁J" after <|assistant|>: one token, and its NLL is the fake
    // model's log-probability after the <|assistant|> special token (id 32001).
    const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
    const vocab = await (await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.fatal })).loadModel({
      modelPath: tokenizer,
      vocabOnly: true,
    });
    const letters = new Map(['F', 'J'].map((c) => [-fakeLogprob(32001, vocab.tokenize(`<|assistant|> ${c}`, true).at(-1) as number), c]));
    for (const row of rows) {
      assert.equal(row.n_tokens, 1);
      assert.ok(
        [...letters.keys()].some((nll) => Math.abs(nll - row.nll) < 1e-12),
        `nll ${row.nll} is one of ${[...letters.keys()]}`,
      );
    }
    assert.equal(r.run.promptFormat, 'chat');
  } finally {
    await server.close();
  }
});
