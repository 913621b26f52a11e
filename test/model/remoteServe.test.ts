import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { evalConfigSchema } from '../../src/eval/evalConfig.js';
import { evaluate } from '../../src/eval/evaluate.js';
import { makeTempDir, modelsDir, noSharedData, noSharedModels } from '../helpers/paths.js';
import { queryDb } from '../helpers/readDb.js';
import { writeRealSubset } from '../helpers/realSubset.js';
import { type ServeProcess, startServe } from '../helpers/startServe.js';

const skip = noSharedModels || noSharedData;
const MODEL = join(modelsDir, 'stories260K.gguf');
const ROWS =
  'SELECT study, experiment, participant, response_index, n_tokens, nll, greedy_match FROM responses ORDER BY study, experiment, participant, response_index';

test('eval through one and three serve endpoints equals the embedded backend within 1e-4 nats', { skip, timeout: 600_000 }, async () => {
  const { dir } = await writeRealSubset({
    studies: ['franke2024bayesian', 'thoma2025problearn', 'guenther2024substitutions'],
    perStudy: 3,
    maxChars: 2500,
  });
  const tmp = makeTempDir();
  const embedded = join(tmp, 'embedded.duckdb');
  await evaluate(
    evalConfigSchema.parse({ source: dir, db: embedded, model: { kind: 'gguf', path: MODEL, gpu: 'cpu', contextSize: 1024 } }),
  );
  const expected = await queryDb<{ nll: number; n_tokens: number; greedy_match: boolean }>(embedded, ROWS);
  assert.ok(expected.length > 50);

  const servers: ServeProcess[] = [];
  try {
    for (let i = 0; i < 3; i++)
      servers.push(await startServe(['--model', MODEL, '--context-size', '1024', '--gpu', 'cpu', '--threads', '1']));
    const cases: [string, string[], Record<string, unknown>][] = [
      ['one endpoint, server tokenizer', [servers[0]!.url], {}],
      ['three endpoints, local tokenizer', servers.map((s) => s.url), { tokenizer: MODEL }],
    ];
    for (const [name, urls, extra] of cases) {
      const db = join(tmp, `${urls.length}.duckdb`);
      const r = await evaluate(
        evalConfigSchema.parse({
          source: dir,
          db,
          model: { kind: 'remote', protocol: 'vllm', endpoints: urls.map((url) => ({ url, concurrency: 2 })), ...extra },
        }),
      );
      assert.equal(r.run.status, 'complete', name);
      const got = await queryDb<{ nll: number; n_tokens: number; greedy_match: boolean }>(db, ROWS);
      assert.equal(got.length, expected.length, name);
      got.forEach((row, i) => {
        const e = expected[i]!;
        assert.equal(row.n_tokens, e.n_tokens, `${name}: response ${i} tokens`);
        assert.ok(Math.abs(row.nll - e.nll) < 1e-4, `${name}: response ${i}: ${row.nll} vs ${e.nll}`);
        assert.equal(row.greedy_match, e.greedy_match, `${name}: response ${i} greedy`);
      });
    }
  } finally {
    const codes = await Promise.all(servers.map((s) => s.stop()));
    assert.deepEqual(
      codes,
      servers.map(() => 0),
      'serve shuts down cleanly on SIGTERM',
    );
  }
});

test('serve refuses oversized requests and generation, and binds loopback by default', { skip, timeout: 120_000 }, async () => {
  const s = await startServe(['--model', MODEL, '--context-size', '256', '--gpu', 'cpu', '--max-body-bytes', '2000']);
  try {
    assert.match(s.url, /^http:\/\/127\.0\.0\.1:/);
    const post = (path: string, body: unknown): Promise<Response> =>
      fetch(s.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const tooLong = await post('/v1/completions', { prompt: Array.from({ length: 600 }, () => 300), prompt_logprobs: 0 });
    assert.equal(tooLong.status, 413); // 600 ids exceed the 2000-byte body limit
    const overContext = await post('/v1/completions', { prompt: Array.from({ length: 260 }, () => 3), prompt_logprobs: 0 });
    assert.equal(overContext.status, 400);
    assert.match(JSON.stringify(await overContext.json()), /longer than the maximum model length 256/);
    const gen = await post('/v1/completions', { prompt: 'Once', max_tokens: 16 });
    assert.equal(gen.status, 400);
    const health = await fetch(s.url + '/health');
    assert.deepEqual(await health.json(), { status: 'ok' });
  } finally {
    await s.stop();
  }
});
