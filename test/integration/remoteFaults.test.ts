import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeSampleDataset } from '../../src/data/createSampleStudy.js';
import { evalConfigSchema } from '../../src/eval/evalConfig.js';
import { evaluate } from '../../src/eval/evaluate.js';
import { deadEndpoint, type Fault, fakeLogprob, startFakeVllm } from '../helpers/fakeScoringServer.js';
import { makeTempDir } from '../helpers/paths.js';
import { queryDb } from '../helpers/readDb.js';
import { runHumanlikeAsync } from '../helpers/runCliProcess.js';

const ROWS =
  'SELECT study, experiment, participant, response_index, n_tokens, nll, greedy_match FROM responses ORDER BY participant::INTEGER, response_index';

async function sample(): Promise<string> {
  const { datasetDir } = await writeSampleDataset(makeTempDir(), { participants: 12, trials: 8 });
  return datasetDir;
}

function config(
  source: string,
  db: string,
  urls: string[],
  extra: Record<string, unknown> = {},
): ReturnType<typeof evalConfigSchema.parse> {
  return evalConfigSchema.parse({
    source,
    db,
    model: {
      kind: 'remote',
      protocol: 'vllm',
      endpoints: urls.map((url) => ({ url, concurrency: 3 })),
      timeoutMs: 400,
      maxAttempts: 8,
      ...extra,
    },
  });
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
    const [{ n }] = (await queryDb<{ n: number }>(
      dbFaulty,
      'SELECT count(*)::INTEGER - count(DISTINCT participant || chr(31) || response_index)::INTEGER AS n FROM responses',
    )) as [{ n: number }];
    assert.equal(n, 0, 'no duplicated rows');
    assert.ok(faulty.completions() > 12 + 5, `retries happened (${faulty.completions()} requests)`);
    assert.deepEqual(
      (r.run.modelIdentity['details'] as { unavailableAtStart: { url: string }[] }).unavailableAtStart.map((u) => u.url),
      [dead],
    );
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
  const llamaCpp = await startFakeVllm(() => 'ok', {
    promptLogprobs: false,
    extraRoutes: { 'GET /props': { default_generation_settings: {} } },
  });
  const ollama = await startFakeVllm(() => 'ok', { promptLogprobs: false, extraRoutes: { 'GET /api/version': { version: '0.5.0' } } });
  const plain = await startFakeVllm(() => 'ok', { promptLogprobs: false });
  try {
    await assert.rejects(
      evaluate(config(source, join(makeTempDir(), 'a.duckdb'), [llamaCpp.url])),
      /is llama\.cpp's llama-server, which returns no prompt log-probabilities/,
    );
    await assert.rejects(
      evaluate(config(source, join(makeTempDir(), 'b.duckdb'), [ollama.url])),
      /is Ollama, which returns no prompt log-probabilities/,
    );
    await assert.rejects(
      evaluate(config(source, join(makeTempDir(), 'c.duckdb'), [plain.url])),
      /returns no prompt log-probabilities; humanlike needs vLLM/,
    );
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

test('impossible log-probabilities (+5, -1e308, a false rank 1) are never stored; those participants fail and resume', async () => {
  const source = await sample();
  const clean = await startFakeVllm();
  // Request 1 is the check before the run; later ones carry participants.
  const liar = await startFakeVllm(() => 'ok', {
    mutateLogprobs: (n, list) => {
      for (const entry of list.slice(1)) {
        // The fake marks the actual token's entry with decoded_token U+FFFD.
        const actual = Object.values(entry!).find((e) => e.decoded_token === '\ufffd')!;
        const other = Object.values(entry!).find((e) => e !== actual)!;
        if (n === 3) actual.logprob = 5;
        if (n === 5) actual.logprob = -1e308;
        // The actual token claims rank 1 while the returned rank-2 token is more likely.
        if (n === 7) Object.assign(actual, { rank: 1, logprob: -3 }) && Object.assign(other, { rank: 2, logprob: -2 });
      }
    },
  });
  try {
    const dbClean = join(makeTempDir(), 'clean.duckdb');
    await evaluate(config(source, dbClean, [clean.url]));
    const db = join(makeTempDir(), 'r.duckdb');
    const r = await evaluate(config(source, db, [liar.url]));
    assert.equal(r.session?.participantsFailed, 3);
    assert.equal(r.run.status, 'interrupted');
    const [bad] = await queryDb<{ n: number }>(db, 'SELECT count(*)::INTEGER AS n FROM responses WHERE nll < 0 OR NOT isfinite(nll)');
    assert.equal(bad?.n, 0);
    const [done] = await queryDb<{ n: number }>(db, 'SELECT count(*)::INTEGER AS n FROM participants');
    assert.equal(done?.n, 9);
    const resumed = await evaluate(config(source, db, [clean.url]));
    assert.equal(resumed.run.status, 'complete');
    assert.deepEqual(await queryDb(db, ROWS), await queryDb(dbClean, ROWS));
  } finally {
    await Promise.all([clean.close(), liar.close()]);
  }
});

test('a /tokenize that misbehaves mid-run fails the run with a clear message, never a complete run; it resumes', async () => {
  const source = await sample();
  const clean = await startFakeVllm();
  const dbClean = join(makeTempDir(), 'clean.duckdb');
  await evaluate(config(source, dbClean, [clean.url]));
  // The first three /tokenize calls (two probes and the check before the run) are fine; then it misbehaves.
  const misbehaviours: Record<string, (normal: Record<string, unknown>) => { status: number; body: unknown }> = {
    'no token_strs': (normal) => ({ status: 200, body: { tokens: normal['tokens'] } }),
    'empty lists': () => ({ status: 200, body: { tokens: [], token_strs: [] } }),
    'pieces that do not rebuild the text': (normal) => ({
      status: 200,
      body: { ...normal, token_strs: (normal['token_strs'] as string[]).map(() => 'x') },
    }),
    'ids that are not integers': (normal) => ({ status: 200, body: { ...normal, tokens: (normal['tokens'] as number[]).map(() => -1.5) } }),
    'HTTP 400': () => ({ status: 400, body: { error: 'no' } }),
  };
  try {
    for (const [what, misbehave] of Object.entries(misbehaviours)) {
      const server = await startFakeVllm(() => 'ok', { tokenize: (n, normal) => (n <= 3 ? undefined : misbehave(normal)) });
      try {
        const db = join(makeTempDir(), 'r.duckdb');
        const r = await runHumanlikeAsync([
          'eval',
          source,
          '--endpoint',
          server.url,
          '--db',
          db,
          '--max-attempts',
          '2',
          '--timeout-ms',
          '2000',
        ]);
        assert.equal(r.code, 2, `${what}: exit code (stderr ${r.stderr})`);
        assert.match(
          r.stderr,
          /humanlike: no participant could be scored: all 12 attempted failed with backend errors; the last: .*\/tokenize.*run the same command again to resume/,
          what,
        );
        const runs = await queryDb<{ status: string; error: string }>(db, 'SELECT status, error FROM runs');
        assert.equal(runs[0]?.status, 'failed', what);
        const [p] = await queryDb<{ n: number }>(db, 'SELECT count(*)::INTEGER AS n FROM participants');
        assert.equal(p?.n, 0, `${what}: no participant is recorded as done`);
      } finally {
        await server.close();
      }
    }
    const db = join(makeTempDir(), 'resume.duckdb');
    const server = await startFakeVllm(() => 'ok', {
      tokenize: (n, normal) => (n <= 3 ? undefined : { status: 200, body: { tokens: normal['tokens'] } }),
    });
    await runHumanlikeAsync(['eval', source, '--endpoint', server.url, '--db', db]);
    await server.close();
    const r = await runHumanlikeAsync(['eval', source, '--endpoint', clean.url, '--db', db]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await queryDb(db, ROWS), await queryDb(dbClean, ROWS));
  } finally {
    await clean.close();
  }
});

test('a server reporting max_model_len of 3 (or none that is usable) is refused before the run', async () => {
  const source = await sample();
  for (const maxModelLen of [3, 0, -1, 'many']) {
    const server = await startFakeVllm(() => 'ok', { maxModelLen });
    try {
      const db = join(makeTempDir(), 'r.duckdb');
      const r = await runHumanlikeAsync(['eval', source, '--endpoint', server.url, '--db', db]);
      assert.equal(r.code, 2, `max_model_len ${maxModelLen}: ${r.stderr}`);
      assert.match(r.stderr, /reports max_model_len .*; humanlike needs at least 16 tokens per window/);
      // The store is opened first (a locked database fails before any work), but no run is recorded in it.
      const runs = existsSync(db) ? await queryDb<{ n: number }>(db, 'SELECT count(*)::INTEGER AS n FROM runs') : [{ n: 0 }];
      assert.equal(runs[0]?.n, 0, 'no run is recorded');
    } finally {
      await server.close();
    }
  }
});

test('429 with Retry-After: 86400 waits at most --max-retry-after, says so on stderr, and counts as a failed attempt', async () => {
  const source = await sample();
  const server = await startFakeVllm((n) => (n === 2 || n === 3 ? '429' : 'ok'), { retryAfter: '86400' });
  const always = await startFakeVllm((n) => (n === 1 ? 'ok' : '429'), { retryAfter: '86400' });
  try {
    const t0 = Date.now();
    const r = await runHumanlikeAsync(
      ['eval', source, '--endpoint', server.url, '--db', join(makeTempDir(), 'r.duckdb'), '--max-retry-after', '1'],
      { timeoutMs: 60_000 },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.ok(Date.now() - t0 < 30_000, `took ${Date.now() - t0} ms`);
    assert.match(r.stderr, /asks to wait 86400 s \(Retry-After\); waiting 1 s \(--max-retry-after\)/);
    // Past the cap, each 429 is a failed attempt: with --max-attempts 2 every participant gives up quickly.
    const t1 = Date.now();
    const g = await runHumanlikeAsync(
      ['eval', source, '--endpoint', always.url, '--db', join(makeTempDir(), 'g.duckdb'), '--max-retry-after', '1', '--max-attempts', '2'],
      { timeoutMs: 60_000 },
    );
    assert.equal(g.code, 2, g.stderr);
    assert.match(g.stderr, /gave up after 2 attempts; last error: .*HTTP 429/);
    assert.ok(Date.now() - t1 < 30_000, `took ${Date.now() - t1} ms`);
  } finally {
    await Promise.all([server.close(), always.close()]);
  }
});

test('canary secrets (URL user and password, API key) reach no byte of the database, export, report, stdout or stderr', async () => {
  const source = await sample();
  const user = 'canaryuser7';
  const password = 'canary-pass:w0rd'; // ':' is percent-encoded in the URL
  const key = 'sk-canary-key-42';
  const basic = Buffer.from(`${user}:${password}`).toString('base64');
  const secrets = [user, password, encodeURIComponent(password), key, basic];
  // Errors echoing the request headers: from scoring (400 and 500) and from /tokenize mid-run.
  const server = await startFakeVllm((n) => (n % 5 === 2 ? 'echo400' : n % 5 === 4 ? 'echo500' : 'ok'), {
    tokenize: (n, normal, headers) =>
      n === 6
        ? { status: 400, body: { error: 'bad', headers } }
        : n === 8
          ? { status: 200, body: { tokens: normal['tokens'] } }
          : undefined,
  });
  const echoAll = await startFakeVllm((n) => (n === 1 ? 'ok' : 'echo400'));
  const dir = makeTempDir();
  const db = join(dir, 'secret.duckdb');
  const withCredentials = (u: string): string => u.replace('http://', `http://${user}:${encodeURIComponent(password)}@`);
  const url = withCredentials(server.url);
  try {
    const outputs: string[] = [];
    const run = async (args: string[], env: Record<string, string> = {}): Promise<void> => {
      const r = await runHumanlikeAsync(args, { env: { HUMANLIKE_API_KEY: key, ...env } });
      outputs.push(r.stdout, r.stderr);
    };
    // A small error budget stops the runs on an echoed error, so that it reaches stderr and runs.error.
    await run(['eval', source, '--endpoint', url, '--db', db, '--max-attempts', '1', '--error-budget', '2', '--concurrency', '1']);
    await run(['eval', source, '--endpoint', url, '--db', db, '--max-attempts', '1', '--json']);
    // Without an API key the URL credentials are sent as Basic authentication, and echoed back.
    await run(['eval', source, '--endpoint', withCredentials(echoAll.url), '--db', db, '--max-attempts', '1', '--error-budget', '1'], {
      HUMANLIKE_API_KEY: '',
    });
    await run(['runs', '--db', db]);
    await run(['runs', '--db', db, '--json']);
    await run(['export', join(dir, 'out.csv'), '--db', db]);
    await run(['report', '--db', db, '--out', join(dir, 'report.html')]);
    assert.match(outputs[1]!, /\/tokenize: HTTP 400 .*"authorization":"\*\*\*"/, 'the echoed headers reached stderr, scrubbed');
    assert.match(outputs[5]!, /HTTP 400 .*"authorization":"\*\*\*"/, 'and the echoed Basic authentication');
    const files = [db, `${db}.wal`, join(dir, 'out.csv'), join(dir, 'report.html')].filter((f) => existsSync(f));
    const texts = [...outputs, ...files.map((f) => readFileSync(f).toString('latin1'))];
    for (const s of secrets) {
      texts.forEach(
        (t, i) =>
          void assert.ok(
            !t.includes(s),
            `secret ${JSON.stringify(s)} found in ${i < outputs.length ? `output ${i}` : files[i - outputs.length]}: …${t.slice(Math.max(0, t.indexOf(s) - 120), t.indexOf(s) + 40)}…`,
          ),
      );
    }
  } finally {
    await Promise.all([server.close(), echoAll.close()]);
  }
});

test('a run that scores no response at all (a /tokenize lumping each text into one token) fails, never complete', async () => {
  const source = await sample();
  const server = await startFakeVllm(() => 'ok', {
    tokenize: (n, normal) => {
      const tokens = normal['tokens'] as number[];
      const strs = normal['token_strs'] as string[] | undefined;
      if (n === 1) return { status: 200, body: { ...normal, tokens: tokens.slice(1) } }; // no BOS
      if (n <= 3 || !strs) return undefined;
      return { status: 200, body: { tokens: [65], token_strs: [strs.join('')] } };
    },
  });
  try {
    const db = join(makeTempDir(), 'r.duckdb');
    const r = await runHumanlikeAsync(['eval', source, '--endpoint', server.url, '--db', db]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /humanlike: no response was scored \(0 of 96\): 96 × first token has no preceding context/);
    const [run] = await queryDb<{ status: string; error: string }>(db, 'SELECT status, error FROM runs');
    assert.equal(run?.status, 'failed');
    assert.match(run?.error ?? '', /no response was scored/);
  } finally {
    await server.close();
  }
});

test('server tokenization fails over: /tokenize faults and a first endpoint that dies mid-run leave results identical to a clean run', async () => {
  const source = await sample();
  const clean = await startFakeVllm();
  // The first endpoint (the one the tokenizer was created on) answers /tokenize with 500s and resets, then dies.
  const first = await startFakeVllm(() => 'ok', {
    tokenize: (n) => (n > 2 && n % 3 === 0 ? { status: 500, body: { error: 'tokenizer overloaded' } } : undefined),
  });
  const second = await startFakeVllm();
  try {
    const dbClean = join(makeTempDir(), 'clean.duckdb');
    await evaluate(config(source, dbClean, [clean.url]));
    const db = join(makeTempDir(), 'failover.duckdb');
    let done = 0;
    const r = await evaluate(config(source, db, [first.url, second.url]), {
      onProgress: (p) => {
        // Kill the first endpoint once the run is under way: its remaining /tokenize and scoring calls must go elsewhere.
        if (p.participantsDone >= 3 && done++ === 0) void first.close();
      },
    });
    assert.equal(r.run.status, 'complete');
    assert.deepEqual(await queryDb(db, ROWS), await queryDb(dbClean, ROWS));
  } finally {
    await Promise.all([clean.close(), second.close(), first.close().catch(() => undefined)]);
  }
});

test('a scoring server that redirects is refused: participants’ data never follows a redirect to another host', async () => {
  const { createServer } = await import('node:http');
  let reached = 0; // requests that reached the other host
  const other = createServer((_req, res) => {
    reached++;
    res.writeHead(404);
    res.end();
  });
  let redirected = 0;
  const redirector = createServer((req, res) => {
    redirected++;
    res.writeHead(307, { location: `http://127.0.0.1:${(other.address() as { port: number }).port}${req.url ?? '/'}` });
    res.end();
  });
  for (const s of [other, redirector]) await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(redirector.address() as { port: number }).port}`;
  try {
    const db = join(makeTempDir(), 'r.duckdb');
    const r = await runHumanlikeAsync(['eval', await sample(), '--endpoint', url, '--db', db, '--max-attempts', '1']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /redirects to http:\/\/127\.0\.0\.1:\d+\/v1\/models; humanlike does not follow redirects/);
    assert.ok(redirected > 0);
    assert.equal(reached, 0, 'the other host received nothing');
  } finally {
    redirector.close();
    other.close();
  }
});
