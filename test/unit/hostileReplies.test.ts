import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileSha256 } from '../../src/backends/fileSha256.js';
import { remoteProtocol } from '../../src/backends/remote/protocols/protocolRegistry.js';
import { BackendError } from '../../src/errors.js';
import { readHubSettings } from '../../src/hub/hubSettings.js';
import { createRequestQueue } from '../../src/server/createRequestQueue.js';
import { createScoringRoutes, type ScoringEngine } from '../../src/server/createScoringRoutes.js';
import { HttpFailure } from '../../src/server/HttpFailure.js';
import { parseTokenIds } from '../../src/server/parseTokenIds.js';
import { makeTempDir } from '../helpers/paths.js';

// Replies a lying or broken server can send, and files a user's machine can hold: each must be a HumanlikeError (one
// line, exit 2) or a value, never a TypeError or RangeError (an internal error, exit 70).

/** An array nested `depth` levels deep, built from JSON as a server's reply would be (JSON.parse is not recursive). */
const deepArray = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth));

const tokens = [1, 450, 9999, 2];

test('SGLang: an entry nested 100,000 levels deep is a BackendError with a short excerpt, not a stack overflow', () => {
  const input: unknown[] = [null, deepArray(100_000), [-0.25, 9999, 'x'], [-3, 2, 'y']];
  const reply = { meta_info: { input_token_logprobs: input } };
  const err = catchError(() => remoteProtocol('sglang').parseResponse('http://e', reply, tokens, [1]));
  assert.ok(err instanceof BackendError, `expected a BackendError, got ${String(err)}`);
  assert.match(err.message, /http:\/\/e: unexpected response: entry 1 is \[…nested too deep…\], expected token 450/);
  // A huge entry is cut, so that no message (or stored error) carries megabytes of a server's reply.
  input[1] = ['x'.repeat(1_000_000), 450, 'z'];
  const huge = catchError(() => remoteProtocol('sglang').parseResponse('http://e', reply, tokens, [1]));
  assert.ok(huge instanceof BackendError && huge.message.length < 300, `message of ${(huge as Error).message.length} characters`);
});

test('TGI: a null entry in details.prefill is a BackendError, not a TypeError', () => {
  const reply = { details: { prefill: [null, { id: 450, logprob: -1 }, { id: 9999, logprob: -1 }, { id: 2, logprob: -1 }] } };
  const err = catchError(() => remoteProtocol('tgi').parseResponse('http://e', reply, tokens, [1]));
  assert.ok(err instanceof BackendError, `expected a BackendError, got ${String(err)}`);
  assert.match(err.message, /http:\/\/e: unexpected response/);
});

test('vLLM: 200,000 entries where 2 were asked for are checked in well under a second (no quadratic scan, no spread)', () => {
  const entry: Record<string, { logprob: number; rank?: number }> = { '450': { logprob: -1 } };
  for (let t = 100_000; t < 300_000; t++) entry[String(t)] = { logprob: -60 };
  const reply = { choices: [{ prompt_logprobs: [null, entry, { '9999': { logprob: -0.5 } }, { '2': { logprob: -0.5 } }] }] };
  const t0 = performance.now();
  const scores = remoteProtocol('vllm').parseResponse('http://e', reply, tokens, [1]);
  assert.deepEqual(scores, [{ logprob: -1, top1: true }]);
  // Ranked entries too: a rank disorder among them is still found, and named.
  for (const [t, v] of Object.entries(entry)) v.rank = t === '450' ? 1 : Number(t) - 99_998;
  entry['299999'] = { logprob: -0.5, rank: 200_001 };
  const err = catchError(() => remoteProtocol('vllm').parseResponse('http://e', reply, tokens, [1]));
  assert.match(
    String((err as Error)?.message),
    /contradict each other \(token \d+ has rank \d+ but a lower log-probability than token 299999/,
  );
  assert.ok(performance.now() - t0 < 5_000, `took ${Math.round(performance.now() - t0)} ms`);
});

test('serve: a prompt holding an array nested 100,000 levels deep is a 400 naming the field, not a 500', () => {
  const err = catchError(() => parseTokenIds([1, deepArray(100_000)], 'prompt', 512));
  assert.ok(err instanceof HttpFailure, `expected an HttpFailure, got ${String(err)}`);
  assert.equal(err.status, 400);
  assert.match(err.message, /'prompt'\[1\] is \[…nested too deep…\]: token ids are integers from 0 to 511/);
});

test('serve: a model or max_tokens nested 100,000 levels deep is a 404 / 400 with a short excerpt, not a 500', async () => {
  const engine = {
    capabilities: { contextSize: 64 },
    tokenizer: { tokenize: () => [1], detokenize: () => 'x', addBos: false, bos: undefined },
    vocabularyPieces: () => Array.from({ length: 512 }, (_, i) => `t${i}`),
    promptLogprobs: async () => [],
  } as unknown as ScoringEngine;
  const routes = createScoringRoutes(engine, { modelName: 'm', maxLogprobs: 20, maxPromptChars: 100 }, createRequestQueue(4));
  const completions = routes['POST /v1/completions']!;
  const ctx = { abandoned: () => false };
  const call = async (body: Record<string, unknown>): Promise<unknown> => {
    try {
      return await completions(body, ctx);
    } catch (e) {
      return e;
    }
  };
  const wrongModel = await call({ model: deepArray(100_000), prompt: [1, 2] });
  assert.ok(wrongModel instanceof HttpFailure, String(wrongModel));
  assert.equal(wrongModel.status, 404);
  assert.match(wrongModel.message, /^model \[…nested too deep…\] is not served here \(serving 'm'\)$/);
  for (const maxTokens of [deepArray(100_000), ['1'], 'two', 2]) {
    const bad = await call({ model: 'm', max_tokens: maxTokens, prompt: [1, 2] });
    assert.ok(bad instanceof HttpFailure && bad.status === 400, String(bad));
    assert.match(bad.message, /max_tokens must be 0 or 1/);
  }
  // A numeric string, as vLLM's lax parsing takes it, stays accepted.
  const ok = await call({ model: 'm', max_tokens: '1', prompt: [1, 2], prompt_logprobs: 1 });
  assert.ok(!(ok instanceof Error), String(ok));
});

test('HUMANLIKE_HUB_TIMEOUT_MS past 2^31−1 ms waits that long, never fires at once (Node caps timers)', () => {
  assert.equal(readHubSettings({ HUMANLIKE_HUB_TIMEOUT_MS: '3000000000' }).timeoutMs, 2_147_483_647);
  assert.equal(readHubSettings({ HUMANLIKE_HUB_TIMEOUT_MS: '2500' }).timeoutMs, 2500);
  assert.equal(readHubSettings({}).timeoutMs, 15_000);
});

test('a model hash cache that holds null, a list or a wrong value is ignored and rewritten, never trusted or a crash', async () => {
  const before = process.env['HUMANLIKE_CACHE'];
  const cache = makeTempDir();
  process.env['HUMANLIKE_CACHE'] = cache;
  try {
    const file = join(makeTempDir(), 'model.gguf');
    writeFileSync(file, 'GGUF not really a model');
    const want = createHash('sha256').update('GGUF not really a model').digest('hex');
    for (const damaged of ['null', '[1,2]', '"text"', '7']) {
      writeFileSync(join(cache, 'file-hashes.json'), damaged);
      assert.equal(await fileSha256(file), want, `cache file holding ${damaged}`);
    }
    // An entry for this very file that is not a sha256 (a hand-edited or foreign cache) is not taken as its hash.
    const info = statSync(file);
    writeFileSync(
      join(cache, 'file-hashes.json'),
      JSON.stringify({ [`${resolve(file)}\u0000${info.size}\u0000${info.mtimeMs}`]: { x: 1 } }),
    );
    assert.equal(await fileSha256(file), want);
  } finally {
    if (before === undefined) delete process.env['HUMANLIKE_CACHE'];
    else process.env['HUMANLIKE_CACHE'] = before;
  }
});

function catchError(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  assert.fail('expected an error');
}
