import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeSampleDataset } from '../../src/data/createSampleStudy.js';
import { evalConfigSchema } from '../../src/eval/evalConfig.js';
import { evaluate } from '../../src/eval/evaluate.js';
import { deadEndpoint, fakeLogprob, startFakeVllm, type Fault } from '../helpers/fakeScoringServer.js';
import { makeTempDir } from '../helpers/paths.js';
import { queryDb } from '../helpers/readDb.js';

const ROWS = 'SELECT study, experiment, participant, response_index, n_tokens, nll, greedy_match FROM responses ORDER BY participant::INTEGER, response_index';

async function sample(): Promise<string> {
  const { datasetDir } = await writeSampleDataset(makeTempDir(), { participants: 12, trials: 8 });
  return datasetDir;
}

function config(source: string, db: string, urls: string[], extra: Record<string, unknown> = {}): ReturnType<typeof evalConfigSchema.parse> {
  return evalConfigSchema.parse({ source, db, model: { kind: 'remote', protocol: 'vllm', endpoints: urls.map((url) => ({ url, concurrency: 3 })), timeoutMs: 400, maxAttempts: 8, ...extra } });
}

test('remote scoring: NLL is the sum of the server log-probabilities of the response tokens, aligned by ids', async () => {
  const source = await sample();
  const server = await startFakeVllm();
  try {
    const db = join(makeTempDir(), 'r.duckdb');
    const r = await evaluate(config(source, db, [server.url]));
    assert.equal(r.run.status, 'complete');
    assert.equal(r.stats.responsesScored, 96);
    const rows = await queryDb<{ nll: number; n_tokens: number }>(db, ROWS);
    // Each response is one character after '<<' (token 60): NLL = −fakeLogprob('<', c).
    const { readFileSync } = await import('node:fs');
    const text = JSON.parse(readFileSync(join(source, 'sample_bandit', 'prompts.jsonl'), 'utf8').split('\n')[0]!).text as string;
    const firstChoice = text.match(/<<(.)>>/)![1]!;
    assert.equal(rows[0]!.n_tokens, 1);
    assert.ok(Math.abs(rows[0]!.nll + fakeLogprob(60, firstChoice.charCodeAt(0))) < 1e-12);
    assert.equal(r.run.modelKind, 'vllm');
  } finally {
    await server.close();
  }
});

test('faults (500, 429, slow, truncated JSON, reset, a dead endpoint) leave results identical to a clean run', async () => {
  const source = await sample();
  const clean = await startFakeVllm();
  const cycle: Fault[] = ['ok', '500', 'ok', '429', 'ok', 'slow', 'ok', 'truncated', 'ok', 'reset', 'ok', 'ok'];
  const faulty = await startFakeVllm((n) => (n <= 1 ? 'ok' : cycle[n % cycle.length]!), { slowMs: 1500 });
  const dead = await deadEndpoint();
  try {
    const dbClean = join(makeTempDir(), 'clean.duckdb');
    await evaluate(config(source, dbClean, [clean.url]));
    const dbFaulty = join(makeTempDir(), 'faulty.duckdb');
    const r = await evaluate(config(source, dbFaulty, [faulty.url, dead]));
    assert.equal(r.run.status, 'complete');
    assert.deepEqual(await queryDb(dbFaulty, ROWS), await queryDb(dbClean, ROWS));
    const [{ n }] = (await queryDb<{ n: number }>(dbFaulty, 'SELECT count(*)::INTEGER - count(DISTINCT participant || chr(31) || response_index)::INTEGER AS n FROM responses')) as [{ n: number }];
    assert.equal(n, 0, 'no duplicated rows');
    assert.ok(faulty.completions() > 12 + 5, `retries happened (${faulty.completions()} requests)`);
    assert.deepEqual((r.run.modelIdentity['details'] as { unavailableAtStart: { url: string }[] }).unavailableAtStart.map((u) => u.url), [dead]);
  } finally {
    await Promise.all([clean.close(), faulty.close()]);
  }
});

test('a permanently failing endpoint stops the run at the error budget; the run resumes to the clean result', async () => {
  const source = await sample();
  const clean = await startFakeVllm();
  const failing = await startFakeVllm((n) => (n <= 3 ? 'ok' : '500'));
  try {
    const dbClean = join(makeTempDir(), 'clean.duckdb');
    await evaluate(config(source, dbClean, [clean.url]));
    const db = join(makeTempDir(), 'r.duckdb');
    await assert.rejects(
      evaluate({ ...config(source, db, [failing.url], { maxAttempts: 2 }), errorBudget: 3 }),
      /stopped after 3 backend failures \(error budget 3\).*HTTP 500.*run the same command again to resume/,
    );
    const [run] = await queryDb<{ status: string; error: string }>(db, 'SELECT status, error FROM runs');
    assert.equal(run?.status, 'failed');
    const done = await queryDb<{ n: number }>(db, 'SELECT count(*)::INTEGER AS n FROM participants');
    assert.ok((done[0]?.n ?? 0) < 12);
    const resumed = await evaluate(config(source, db, [clean.url]));
    assert.equal(resumed.resumed, true);
    assert.equal(resumed.run.status, 'complete');
    assert.deepEqual(await queryDb(db, ROWS), await queryDb(dbClean, ROWS));
  } finally {
    await Promise.all([clean.close(), failing.close()]);
  }
});

test('servers without prompt log-probabilities are named before the run', async () => {
  const source = await sample();
  const llamaCpp = await startFakeVllm(() => 'ok', { promptLogprobs: false, extraRoutes: { 'GET /props': { default_generation_settings: {} } } });
  const ollama = await startFakeVllm(() => 'ok', { promptLogprobs: false, extraRoutes: { 'GET /api/version': { version: '0.5.0' } } });
  const plain = await startFakeVllm(() => 'ok', { promptLogprobs: false });
  try {
    await assert.rejects(evaluate(config(source, join(makeTempDir(), 'a.duckdb'), [llamaCpp.url])), /is llama\.cpp's llama-server, which returns no prompt log-probabilities/);
    await assert.rejects(evaluate(config(source, join(makeTempDir(), 'b.duckdb'), [ollama.url])), /is Ollama, which returns no prompt log-probabilities/);
    await assert.rejects(evaluate(config(source, join(makeTempDir(), 'c.duckdb'), [plain.url])), /returns no prompt log-probabilities; humanlike needs vLLM/);
  } finally {
    await Promise.all([llamaCpp.close(), ollama.close(), plain.close()]);
  }
});

test('the API key comes from the environment and never reaches the run record', async () => {
  const source = await sample();
  const server = await startFakeVllm();
  process.env['HUMANLIKE_TEST_KEY'] = 'sk-secret-123';
  try {
    const db = join(makeTempDir(), 'k.duckdb');
    const url = server.url.replace('http://', 'http://user:pw@');
    await evaluate(config(source, db, [url], { apiKeyEnv: 'HUMANLIKE_TEST_KEY' }));
    const dump = JSON.stringify(await queryDb(db, 'SELECT * FROM runs'));
    assert.doesNotMatch(dump, /sk-secret-123|user:pw/);
    assert.match(dump, /HUMANLIKE_TEST_KEY/);
  } finally {
    delete process.env['HUMANLIKE_TEST_KEY'];
    await server.close();
  }
});
