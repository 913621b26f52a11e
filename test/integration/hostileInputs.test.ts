import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { compareConfigSchema } from '../../src/analysis/compareConfig.js';
import { writeSampleDataset } from '../../src/data/createSampleStudy.js';
import { startFakeHub } from '../helpers/fakeHub.js';
import { startFakeVllm } from '../helpers/fakeScoringServer.js';
import { makeTempDir } from '../helpers/paths.js';
import { type CliResult, runHumanlike, runHumanlikeAsync } from '../helpers/runCliProcess.js';
import { writeSyntheticStore } from '../helpers/syntheticStore.js';

// Inputs from users, files and servers that once ended in an internal error (exit 70) or in a quiet misbehaviour:
// each must now be one line naming what is wrong (exit 2), or work.

async function sample(participants = 3): Promise<string> {
  const { datasetDir } = await writeSampleDataset(makeTempDir(), { participants, trials: 4 });
  return datasetDir;
}

/** One clear line on stderr and exit 2: never `internal error`, never a stack trace. */
function assertOneLine(r: CliResult, pattern: RegExp): void {
  assert.equal(r.code, 2, `exit ${r.code}: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  assert.match(r.stderr, pattern);
}

const listen = (server: Server): Promise<string> =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
const close = (server: Server): Promise<void> =>
  new Promise((done) => {
    server.closeAllConnections();
    server.close(() => done());
  });

test('an endpoint password holding a bare % is sent as typed (Basic authentication) and printed or stored nowhere', async () => {
  const source = await sample();
  const seen: string[] = [];
  const server = await startFakeVllm(() => 'ok', {
    tokenize: (_n, _normal, headers) => void seen.push(String(headers['authorization'])),
  });
  const password = 'half%off-canary';
  const db = join(makeTempDir(), 'r.duckdb');
  try {
    const url = server.url.replace('http://', `http://canaryuser:${password}@`);
    const r = await runHumanlikeAsync(['eval', source, '--endpoint', url, '--db', db], { env: { HUMANLIKE_API_KEY: '' } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(seen[0], `Basic ${Buffer.from(`canaryuser:${password}`).toString('base64')}`);
    for (const text of [r.stdout, r.stderr, readFileSync(db).toString('latin1')]) assert.ok(!text.includes(password));
  } finally {
    await server.close();
  }
});

test('timeouts past 2^31−1 ms are refused by name (Node would fire them after 1 ms), for eval and serve', async () => {
  const source = await sample();
  const server = await startFakeVllm();
  try {
    const db = join(makeTempDir(), 'r.duckdb');
    const common = ['eval', source, '--endpoint', server.url, '--db', db, '--max-attempts', '1', '--error-budget', '1'];
    const timeout = await runHumanlikeAsync([...common, '--timeout-ms', '3000000000'], { timeoutMs: 60_000 });
    assertOneLine(timeout, /model\.timeoutMs: at most 2147483647 ms \(24\.8 days/);
    assert.equal(server.completions(), 0, 'refused before any request');
    const retry = await runHumanlikeAsync([...common, '--max-retry-after', '3000000'], { timeoutMs: 60_000 });
    assertOneLine(retry, /model\.maxRetryAfterMs: at most 2147483647 ms/);
  } finally {
    await server.close();
  }
  // serve checks its options before it loads the model (here, a file that does not exist).
  for (const flag of ['--request-timeout-ms', '--headers-timeout-ms', '--shutdown-grace-ms']) {
    const r = runHumanlike(['serve', '--model', '/nonexistent/model.gguf', flag, '3000000000']);
    assertOneLine(r, /invalid serve options: (headersTimeoutMs|requestTimeoutMs|shutdownGraceMs): at most 2147483647 ms/);
  }
});

test('HF_ENDPOINT without a scheme, and a hub redirect to something that is not an http(s) URL, are one line', async () => {
  const source = await sample();
  const model = 'hf:org/repo/model.gguf';
  const db = join(makeTempDir(), 'r.duckdb');
  const noScheme = runHumanlike(['eval', source, '--model', model, '--db', db], {
    env: { HF_ENDPOINT: 'huggingface.co', HUMANLIKE_CACHE: makeTempDir(), HF_TOKEN: '' },
  });
  assertOneLine(noScheme, /HF_ENDPOINT "huggingface\.co" is not an http\(s\) URL \(expected e\.g\. https:\/\/hf-mirror\.com\)/);
  for (const location of ['http://[broken', 'file:///etc/passwd']) {
    const hub = createServer((_req, res) => void res.writeHead(302, { location }).end());
    const url = await listen(hub);
    try {
      const r = await runHumanlikeAsync(['eval', source, '--model', model, '--db', db], {
        env: { HF_ENDPOINT: url, HUMANLIKE_CACHE: makeTempDir(), HF_TOKEN: '' },
        timeoutMs: 60_000,
      });
      assertOneLine(r, /model hf:org\/repo\/model\.gguf: the hub redirected .* to ".*", which is not an http\(s\) URL/);
    } finally {
      await close(hub);
    }
  }
  // A listing whose next page is not a URL.
  const lister = createServer(
    (_req, res) => void res.writeHead(200, { 'content-type': 'application/json', link: '<http://[broken>; rel="next"' }).end('[]'),
  );
  const url = await listen(lister);
  try {
    const r = await runHumanlikeAsync(['fetch', 'psych201', '--out', join(makeTempDir(), 'out')], {
      env: { HF_ENDPOINT: url, HF_TOKEN: '', HUMANLIKE_CACHE: makeTempDir() },
      timeoutMs: 60_000,
    });
    assertOneLine(
      r,
      /dataset marcelbinz\/Psych-201: the hub's listing points to a next page that is not an http\(s\) URL \("http:\/\/\[broken"\)/,
    );
  } finally {
    await close(lister);
  }
});

test('a dangling symbolic link in a folder of studies, or a FIFO as the source, is one line naming it', async () => {
  const root = join(makeTempDir(), 'studies');
  mkdirSync(join(root, 'alpha'), { recursive: true });
  writeFileSync(join(root, 'alpha', 'prompts.jsonl'), `${JSON.stringify({ text: 'You press <<A>>.', experiment: 'e', participant: 1 })}\n`);
  symlinkSync(join(root, 'moved-away'), join(root, 'beta'));
  for (const command of ['validate', 'stats']) {
    assertOneLine(runHumanlike([command, root]), /studies\/beta: cannot read \(nothing is there: a dangling symbolic link\?\)/);
  }
  const fifo = join(makeTempDir(), 'data.jsonl');
  execFileSync('mkfifo', [fifo]);
  assertOneLine(runHumanlike(['validate', fifo]), /data\.jsonl: not a regular file or a folder/);
});

test('hub downloads: a body longer than announced stops at the announced size; a cache path that cannot hold files is one line', async () => {
  // The listing says 64 bytes; the file endpoint streams 8 MiB without a length (a lying mirror).
  const big = Buffer.alloc(8 * 1024 * 1024, 0x61);
  let sent = 0;
  const liar = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path.startsWith('/api/datasets/')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify([{ type: 'file', path: 'data/train.parquet', size: 64 }]));
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const chunk = 64 * 1024;
    const pump = (): void => {
      while (sent < big.length) {
        const ok = res.write(big.subarray(sent, sent + chunk));
        sent += chunk;
        if (!ok) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  const url = await listen(liar);
  const out = join(makeTempDir(), 'release');
  try {
    const r = await runHumanlikeAsync(['fetch', 'psych201', '--out', out], {
      env: { HF_ENDPOINT: url, HF_TOKEN: '', HUMANLIKE_CACHE: makeTempDir() },
      timeoutMs: 60_000,
    });
    assertOneLine(r, /dataset marcelbinz\/Psych-201: data\/train\.parquet: the hub sent more than the 64 bytes it announced/);
    assert.equal(existsSync(join(out, 'data', 'train.parquet.part')), false, 'the oversized part file is removed');
    assert.equal(existsSync(join(out, 'data', 'train.parquet')), false);
  } finally {
    await close(liar);
  }

  // A cache that is a file (HUMANLIKE_CACHE set wrong) and a .part path that is a folder: one line each.
  const source = await sample();
  const hub = await startFakeHub({ models: { 'org/repo': { 'model.gguf': Buffer.from('GGUF and some bytes') } } });
  try {
    const fileCache = join(makeTempDir(), 'cache-file');
    writeFileSync(fileCache, 'not a folder');
    const db = join(makeTempDir(), 'r.duckdb');
    const blocked = await runHumanlikeAsync(['eval', source, '--model', 'hf:org/repo/model.gguf', '--db', db], {
      env: { HF_ENDPOINT: hub.url, HUMANLIKE_CACHE: fileCache, HF_TOKEN: '' },
      timeoutMs: 60_000,
    });
    assertOneLine(blocked, /cache-file\/models\/org\/repo\/model\.gguf: cannot create its folder .* \(a file is in the way\)/);
    const cache = makeTempDir();
    mkdirSync(join(cache, 'models', 'org', 'repo', 'model.gguf.part'), { recursive: true });
    const partDir = await runHumanlikeAsync(['eval', source, '--model', 'hf:org/repo/model.gguf', '--db', db], {
      env: { HF_ENDPOINT: hub.url, HUMANLIKE_CACHE: cache, HF_TOKEN: '' },
      timeoutMs: 60_000,
    });
    assertOneLine(partDir, /model\.gguf\.part: cannot write \(it is a folder\)/);
  } finally {
    await hub.close();
  }
});

test('compare --bootstrap past 1,000,000 replicates is refused by name (it failed to allocate the draws: exit 70)', async () => {
  const db = join(makeTempDir(), 'r.duckdb');
  await writeSyntheticStore(
    db,
    [
      { model: 'Qwen2.5-7B', shift: 0 },
      { model: 'Qwen2.5-7B-Instruct', shift: 0.3 },
    ],
    { studies: 3, participants: 10, responses: 5 },
  );
  assertOneLine(
    runHumanlike(['compare', '--db', db, '--bootstrap', '10000000000']),
    /invalid options: bootstrap: at most 1,000,000 replicates/,
  );
  const report = runHumanlike(['report', '--db', db, '--bootstrap', '10000000000', '--out', join(makeTempDir(), 'r.html')]);
  assertOneLine(report, /invalid options: bootstrap: at most 1,000,000 replicates/);
  assert.equal(compareConfigSchema.safeParse({ bootstrap: 1_000_000 }).success, true, 'the limit itself is accepted');
});

test('split that meets a file-size limit (ulimit -f) is one line naming the output; the earlier split stays', async () => {
  const source = await sample(1000);
  const out = join(makeTempDir(), 'split');
  assert.equal(runHumanlike(['split', source, '--seed', '1', '--out', out]).code, 0);
  const before = readFileSync(join(out, 'sample_bandit', 'prompts.jsonl'));
  assert.ok(before.length > 200 * 1024, `the sample is ${before.length} bytes`);
  const r = await runHumanlikeAsync(['split', source, '--seed', '2', '--out', out], { shellPrefix: 'ulimit -f 100', timeoutMs: 60_000 });
  assertOneLine(r, /split: cannot write \(File too large\): the disk is full or a file-size limit \(ulimit -f\) was reached/);
  assert.deepEqual(readFileSync(join(out, 'sample_bandit', 'prompts.jsonl')), before, 'the earlier split is untouched');
});

test('export --context-chars below 0 is refused (every context was silently empty)', async () => {
  const source = await sample();
  const db = join(makeTempDir(), 'r.duckdb');
  assert.equal(runHumanlike(['eval', source, '--baseline', 'uniform', '--db', db]).code, 0);
  const out = join(makeTempDir(), 'out.csv');
  const r = runHumanlike(['export', out, '--db', db, '--source', source, '--text', '--context-chars', '-5']);
  assertOneLine(r, /--context-chars expects 0 or more characters, found -5/);
  assert.equal(existsSync(out), false);
});

test('a reply that inflates past 256 MiB (a gzip bomb) is refused as it streams, not read whole and retried', async () => {
  const source = await sample();
  // Request 1 is the check before the run; the first participant's request gets the bomb.
  const server = await startFakeVllm((n) => (n === 2 ? 'gzipBomb' : 'ok'));
  try {
    const db = join(makeTempDir(), 'r.duckdb');
    const args = ['eval', source, '--endpoint', server.url, '--db', db, '--concurrency', '1', '--error-budget', '1'];
    const r = await runHumanlikeAsync(args, { timeoutMs: 90_000 });
    // Not retried (the same request gets the same reply): the run stops at its error budget of 1.
    assertOneLine(r, /stopped after 1 backend failures .*\/v1\/completions: the reply is over 256 MiB \(after decompression\)/);
  } finally {
    await server.close();
  }
});

test("a DuckDB file with someone else's runs table is refused by name and left untouched (eval, runs, compare, merge)", async () => {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const dir = makeTempDir();
  const foreign = join(dir, 'mine.duckdb');
  const tables = async (): Promise<string[]> => {
    const db = await DuckDBInstance.create(foreign, { access_mode: 'READ_ONLY' });
    const c = await db.connect();
    const rows = (
      await c.runAndReadAll(`SELECT table_name || '.' || column_name AS c FROM information_schema.columns ORDER BY table_name, column_name`)
    ).getRowObjectsJson();
    c.closeSync();
    db.closeSync();
    return rows.map((r) => String(r['c']));
  };
  {
    const db = await DuckDBInstance.create(foreign);
    const c = await db.connect();
    await c.run('CREATE TABLE runs (id INTEGER, started TIMESTAMP); CREATE TABLE responses (id INTEGER, answer VARCHAR)');
    c.closeSync();
    db.closeSync();
  }
  const before = await tables();
  const source = await sample();
  const good = join(dir, 'good.duckdb');
  assert.equal(runHumanlike(['eval', source, '--baseline', 'uniform', '--db', good]).code, 0);
  const expected =
    /mine\.duckdb: (a DuckDB database, but )?not a humanlike results database \(no runs table with run_id, config_key, status, model\)/;
  assertOneLine(runHumanlike(['eval', source, '--baseline', 'uniform', '--db', foreign]), expected);
  assertOneLine(runHumanlike(['runs', '--db', foreign]), expected);
  assertOneLine(runHumanlike(['compare', '--db', good, '--db', foreign]), expected);
  assertOneLine(runHumanlike(['merge', join(dir, 'all.duckdb'), good, foreign]), expected);
  assert.deepEqual(await tables(), before, 'the foreign database is unchanged');
});

test('demo never deletes a folder it did not write, and checks its numbers before it writes anything', () => {
  const dir = makeTempDir();
  writeFileSync(join(dir, 'thesis.tex'), 'years of work');
  assertOneLine(runHumanlike(['demo', '--dir', dir]), /exists and is not an earlier demo folder \(it holds thesis\.tex\)/);
  assert.equal(readFileSync(join(dir, 'thesis.tex'), 'utf8'), 'years of work');
  const fresh = join(makeTempDir(), 'demo');
  const bad: [string, string, RegExp][] = [
    ['--participants', 'abc', /--participants expects an integer, found "abc"/],
    ['--participants', '0', /--participants expects 1 to 100000, found 0/],
    ['--context-size', 'abc', /--context-size expects an integer, found "abc"/],
  ];
  for (const [flag, value, message] of bad) {
    assertOneLine(runHumanlike(['demo', '--dir', fresh, flag, value]), message);
    assert.equal(existsSync(fresh), false, `${flag} ${value}: nothing written`);
  }
  // An earlier demo folder is replaced; a file the user put beside its outputs is kept.
  const again = join(makeTempDir(), 'demo');
  assert.equal(runHumanlike(['demo', '--dir', again, '--participants', '10']).code, 0);
  writeFileSync(join(again, 'notes.txt'), 'mine');
  const second = runHumanlike(['demo', '--dir', again, '--participants', '10']);
  assert.equal(second.code, 0, second.stderr);
  assert.equal(readFileSync(join(again, 'notes.txt'), 'utf8'), 'mine');
});

test("a domains table 'study,domain,notes' reads as study,domain (it was taken for the one-hot layout and refused)", async () => {
  const source = await sample();
  const table = join(makeTempDir(), 'domains.csv');
  writeFileSync(table, '\uFEFFstudy,domain,notes\r\nsample_bandit,Reinforcement Learning,"two arms,\nsimulated"\r\n');
  const r = runHumanlike(['stats', source, '--domains', table, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const stats = JSON.parse(r.stdout) as { domains: Record<string, unknown> | { domain: string }[] };
  assert.match(JSON.stringify(stats.domains), /Reinforcement Learning/);
  assert.doesNotMatch(JSON.stringify(stats.domains), /\(none\)/);
});

test('a --db that is a FIFO or a folder is one line (a FIFO made DuckDB wait for ever)', async () => {
  const source = await sample();
  const dir = makeTempDir();
  const fifo = join(dir, 'pipe.duckdb');
  execFileSync('mkfifo', [fifo]);
  const folder = join(dir, 'folder.duckdb');
  mkdirSync(folder);
  for (const [db, what] of [
    [fifo, 'not a regular file \\(a FIFO or device\\)'],
    [folder, 'a folder'],
  ] as const) {
    for (const args of [['runs'], ['eval', source, '--baseline', 'uniform'], ['compare'], ['merge', join(dir, 'all.duckdb')]]) {
      const withDb = args[0] === 'merge' ? [...args, db] : [...args, '--db', db];
      const r = await runHumanlikeAsync(withDb, { timeoutMs: 20_000 });
      assertOneLine(r, new RegExp(`${db.replace(/[.]/g, '\\.')}: ${what}, not a results database; give the database file as --db`));
    }
  }
});

test('a /v1/models list holding null entries is read past them (it made the endpoint look unreachable)', async () => {
  const source = await sample();
  const server = await startFakeVllm(() => 'ok', {
    extraRoutes: { 'GET /v1/models': { object: 'list', data: [null, 7, { id: 'fake-model', max_model_len: 4096 }] } },
  });
  try {
    const db = join(makeTempDir(), 'r.duckdb');
    const r = await runHumanlikeAsync(['eval', source, '--endpoint', server.url, '--served-model', 'fake-model', '--db', db]);
    assert.equal(r.code, 0, r.stderr);
  } finally {
    await server.close();
  }
});

test('a reply holding a bare NaN (a Python server, a model overflow) fails the participant by name, not as truncated JSON', async () => {
  const source = await sample();
  const server = await startFakeVllm((n) => (n === 2 ? 'nan' : 'ok'));
  try {
    const db = join(makeTempDir(), 'r.duckdb');
    const args = ['eval', source, '--endpoint', server.url, '--db', db, '--concurrency', '1', '--error-budget', '1'];
    const r = await runHumanlikeAsync(args, { timeoutMs: 60_000 });
    assertOneLine(r, /\/v1\/completions: the reply holds NaN or Infinity, which JSON does not allow/);
  } finally {
    await server.close();
  }
});

test("a participant id too large for a double (1e400) is named with its value, not 'found number'", async () => {
  const file = join(makeTempDir(), 'big.jsonl');
  writeFileSync(file, '{"text":"You press <<A>>.","experiment":"e","participant":1e400}\n');
  const r = runHumanlike(['validate', file]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /'participant' should be a string or a number, found Infinity \(a number too large for a double/);
});

test('a hub whose file listing sends its headers and then stalls fails after HUMANLIKE_HUB_TIMEOUT_MS (it hung for ever)', async () => {
  const sockets = new Set<import('node:net').Socket>();
  const staller = createServer((req, res) => {
    sockets.add(req.socket);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('[{"type":"file","path":"data/');
  });
  const url = await listen(staller);
  try {
    const t0 = Date.now();
    const r = await runHumanlikeAsync(['fetch', 'psych201', '--out', join(makeTempDir(), 'out')], {
      env: { HF_ENDPOINT: url, HF_TOKEN: '', HUMANLIKE_CACHE: makeTempDir(), HUMANLIKE_HUB_TIMEOUT_MS: '1000' },
      timeoutMs: 30_000,
    });
    assertOneLine(r, /cannot reach the Hugging Face hub at http:\/\/127\.0\.0\.1:\d+ \(the file listing stopped: no data for 1 s\)/);
    assert.ok(Date.now() - t0 < 15_000, `took ${Date.now() - t0} ms`);
  } finally {
    for (const s of sockets) s.destroy();
    await close(staller);
  }
});

test('an API key holding a line ending or a non-ASCII letter is named by its variable (the endpoints were blamed)', async () => {
  const source = await sample();
  const server = await startFakeVllm();
  try {
    for (const key of ['sk-canary-key\r', 'sk-canary-ключ']) {
      const r = await runHumanlikeAsync(['eval', source, '--endpoint', server.url, '--db', join(makeTempDir(), 'r.duckdb')], {
        env: { HUMANLIKE_API_KEY: key },
      });
      assertOneLine(r, /\$HUMANLIKE_API_KEY holds a character an HTTP header cannot carry at position \d+ of \d+/);
      assert.ok(!`${r.stdout}${r.stderr}`.includes('canary'), 'the key is never shown');
    }
  } finally {
    await server.close();
  }
});

test('serve refuses an API key no client could send (a space, a line ending), before loading the model', () => {
  const r = runHumanlike(['serve', '--model', '/nonexistent/model.gguf', '--api-key-env', 'SERVE_KEY_TEST'], {
    env: { SERVE_KEY_TEST: 'canary key\n' },
  });
  assertOneLine(r, /\$SERVE_KEY_TEST holds a character an HTTP header cannot carry at position 7/);
  assert.ok(!r.stderr.includes('canary'));
});

test('a GGUF header listing more entries than its file can hold is refused at once (the parser read for ever)', async () => {
  const file = join(makeTempDir(), 'crafted.gguf');
  const head = Buffer.alloc(24);
  head.write('GGUF', 0, 'latin1');
  head.writeUInt32LE(3, 4);
  head.writeBigUInt64LE(0n, 8);
  head.writeBigUInt64LE(2n ** 40n, 16);
  writeFileSync(file, head);
  const source = await sample();
  const t0 = Date.now();
  const r = await runHumanlikeAsync(['stats', source, '--tokenizer', file], { timeoutMs: 60_000 });
  assertOneLine(
    r,
    /crafted\.gguf: damaged GGUF model: its header lists 1099511627776 metadata entries and 0 tensors, more than a file of 24 bytes can hold/,
  );
  assert.ok(Date.now() - t0 < 30_000, `took ${Date.now() - t0} ms`);
});

test('a FIFO given as a table, a study list, a run configuration or a study file is refused at once, never waited on', async () => {
  const source = await sample();
  const dir = makeTempDir();
  const fifo = join(dir, 'pipe.csv');
  execFileSync('mkfifo', [fifo]);
  const db = join(dir, 'r.duckdb');
  assert.equal(runHumanlike(['eval', source, '--baseline', 'uniform', '--db', db]).code, 0);
  for (const [args, what] of [
    [['compare', '--db', db, '--domains', fifo], 'cannot read'],
    [['compare', '--db', db, '--models', fifo], 'cannot read'],
    [['compare', '--db', db, '--exclude-studies', fifo], 'cannot read the study list'],
    [['eval', source, '--config', fifo, '--db', db], 'cannot read the run configuration'],
  ] as const) {
    const r = await runHumanlikeAsync([...args], { timeoutMs: 20_000 });
    assertOneLine(r, new RegExp(`pipe\\.csv: ${what}.*not a regular file \\(a FIFO or a device cannot be read here\\)`));
  }
  // A study folder whose prompts.jsonl is a FIFO: that file is unreadable (validate names it), the others are read.
  const root = makeTempDir();
  mkdirSync(join(root, 'good'));
  writeFileSync(join(root, 'good', 'prompts.jsonl'), `${JSON.stringify({ text: 'x <<A>>', experiment: 'e', participant: 1 })}\n`);
  mkdirSync(join(root, 'piped'));
  execFileSync('mkfifo', [join(root, 'piped', 'prompts.jsonl')]);
  const v = await runHumanlikeAsync(['validate', root, '--json'], { timeoutMs: 20_000 });
  assert.equal(v.code, 1, v.stderr);
  const report = JSON.parse(v.stdout) as { summary: { transcripts: number }; problems: { code: string; message: string }[] };
  assert.equal(report.summary.transcripts, 1);
  assert.deepEqual(
    report.problems.map((p) => p.code),
    ['unreadable-file'],
  );
  assert.match(report.problems[0]!.message, /piped\/prompts\.jsonl: not a regular file/);
});
