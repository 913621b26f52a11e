import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { withRanges } from '../../src/backends/tokenizeWithOffsets.js';
import { createScoringServer, type ScoringEngine } from '../../src/server/createScoringServer.js';
import { postJson } from '../helpers/rawHttp.js';

/** An engine whose scoring waits until released, and which counts tokenizations. */
function createHeldEngine(): { engine: ScoringEngine; tokenizeCalls: () => number; scoringStarted: Promise<void>; release: () => void } {
  let calls = 0;
  let release = (): void => undefined;
  let started = (): void => undefined;
  const scoringStarted = new Promise<void>((r) => {
    started = r;
  });
  const held = new Promise<void>((r) => {
    release = r;
  });
  const engine: ScoringEngine = {
    capabilities: { contextSize: 64, chatTemplate: undefined, top1: true, alternatives: true, batchSequences: 1 },
    tokenizer: withRanges({
      tokenize: (text) => {
        calls++;
        return [...text].map((c) => c.charCodeAt(0) % 100);
      },
      detokenize: (tokens) => tokens.map((t) => String.fromCharCode(t)).join(''),
      bos: 1,
      addBos: true,
      bosText: '<s>',
      eosText: '</s>',
      id: 'fake',
    }),
    vocabularyPieces: () => Array.from({ length: 100 }, (_, i) => `p${i}`),
    promptLogprobs: async (tokens) => {
      started();
      await held;
      return tokens.slice(1).map(() => ({ logprob: -1, rank: 1, top: [] }));
    },
  };
  return { engine, tokenizeCalls: () => calls, scoringStarted, release: () => release() };
}

test('a text prompt is tokenized inside the queue: a full queue answers 503 without tokenizing', async () => {
  const e = createHeldEngine();
  const { server } = createScoringServer(e.engine, { modelName: 'fake', maxQueue: 1, host: '127.0.0.1' });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const first = postJson(url, '/v1/completions', { prompt: [1, 2, 3], prompt_logprobs: 0 });
    await e.scoringStarted;
    const full = await postJson(url, '/v1/completions', { prompt: 'hello', prompt_logprobs: 0 });
    assert.equal(full.status, 503);
    assert.equal(e.tokenizeCalls(), 0, 'the refused prompt was not tokenized');
    const tokenizeWhileFull = await postJson(url, '/tokenize', { prompt: 'hello' });
    assert.equal(tokenizeWhileFull.status, 503);
    assert.equal(e.tokenizeCalls(), 0, '/tokenize waits in the same queue');
    e.release();
    assert.equal((await first).status, 200);
    const later = await postJson(url, '/v1/completions', { prompt: 'hello', prompt_logprobs: 0 });
    assert.equal(later.status, 200);
    assert.equal(e.tokenizeCalls(), 1);
    assert.deepEqual((later.json as { choices: { prompt_token_ids: number[] }[] }).choices[0]!.prompt_token_ids, [1, 4, 1, 8, 8, 11]);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
