import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { RemoteBackend } from '../../src/backends/remote/RemoteBackend.js';
import { hasModels, modelsDir } from '../helpers/paths.js';
import { openSlowConnection, postJson, requestRaw, type SlowConnection } from '../helpers/rawHttp.js';
import { runHumanlike } from '../helpers/runCliProcess.js';
import { startServe } from '../helpers/startServe.js';

const skip = hasModels ? false : '../shared/models not found: serve hardening tests skipped';
const MODEL = join(modelsDir, 'stories260K.gguf'); // vocabulary of 512
const BASE = ['--model', MODEL, '--context-size', '256', '--gpu', 'cpu', '--threads', '1'];

async function waitFor(condition: () => boolean, ms: number): Promise<void> {
  for (const end = Date.now() + ms; !condition() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
}

function messageOf(json: unknown): string {
  return String((json as { error?: { message?: unknown } }).error?.message);
}

test('serve range-checks every token id (0 ≤ id < 512) with a 400 and stays up', { skip, timeout: 120_000 }, async () => {
  const s = await startServe(BASE);
  try {
    for (const tokens of [[-1], [512], [99999999], [2 ** 32 + 5], [3, 1.5], ['7'], [null]]) {
      const r = await postJson(s.url, '/detokenize', { tokens });
      assert.equal(r.status, 400, `detokenize ${JSON.stringify(tokens)}`);
      assert.match(messageOf(r.json), /'tokens'\[\d\] .*token ids are integers from 0 to 511/, `detokenize ${JSON.stringify(tokens)}`);
    }
    for (const prompt of [
      [1, 512],
      [1, 2 ** 32 + 5],
      [1, -1],
    ]) {
      const c = await postJson(s.url, '/v1/completions', { prompt, prompt_logprobs: 0 });
      assert.equal(c.status, 400, `completions ${JSON.stringify(prompt)}`);
      assert.match(messageOf(c.json), /'prompt'\[1\] .*from 0 to 511/);
      const t = await postJson(s.url, '/tokenize', { prompt });
      assert.equal(t.status, 400, `tokenize ${JSON.stringify(prompt)}`);
    }
    const ok = await postJson(s.url, '/detokenize', { tokens: [0, 511] });
    assert.equal(ok.status, 200);
    const scored = await postJson(s.url, '/v1/completions', { prompt: [1, 511, 300], prompt_logprobs: 0 });
    assert.equal(scored.status, 200);
    assert.equal(s.child.exitCode, null, 'the server is still running');
    assert.deepEqual(await (await fetch(s.url + '/health')).json(), { status: 'ok' });
    assert.equal(await s.stop(), 0);
  } finally {
    await s.stop('SIGKILL');
  }
});

test('serve refuses non-JSON content types (415) and Host headers that do not name loopback (403)', {
  skip,
  timeout: 120_000,
}, async () => {
  const s = await startServe(BASE);
  const port = new URL(s.url).port;
  try {
    // What a web page can send cross-origin without a preflight: text/plain (fetch's default for a string body).
    const plain = await fetch(s.url + '/detokenize', { method: 'POST', mode: 'no-cors', body: JSON.stringify({ tokens: [5] }) });
    assert.equal(plain.status, 415);
    assert.match(messageOf(await plain.json()), /content-type must be application\/json/);
    const none = await requestRaw(s.url, { method: 'POST', path: '/tokenize', body: '{"prompt":"a"}' });
    assert.equal(none.status, 415);
    const form = await requestRaw(s.url, {
      method: 'POST',
      path: '/tokenize',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '{"prompt":"a"}',
    });
    assert.equal(form.status, 415);
    const withCharset = await requestRaw(s.url, {
      method: 'POST',
      path: '/tokenize',
      headers: { 'content-type': 'Application/JSON; charset=utf-8' },
      body: '{"prompt":"a"}',
    });
    assert.equal(withCharset.status, 200);

    // Any port: an SSH tunnel on another local port sends its own (ssh -L 9000:localhost:8000).
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`, 'localhost:9000', 'localhost']) {
      const r = await requestRaw(s.url, { path: '/v1/models', headers: { host } });
      assert.equal(r.status, 200, host);
    }
    for (const host of [
      `evil.example:${port}`,
      'evil.example',
      `127.0.0.1.evil.example:${port}`,
      `localhost.evil.example:${port}`,
      `[::2]:${port}`,
      `localhost:${port}@evil`,
    ]) {
      const r = await requestRaw(s.url, {
        method: 'POST',
        path: '/detokenize',
        headers: { host, 'content-type': 'application/json' },
        body: '{"tokens":[5]}',
      });
      assert.equal(r.status, 403, host);
      assert.match(r.text, /Host header .* is not this server/);
    }
    assert.equal(await s.stop(), 0);
  } finally {
    await s.stop('SIGKILL');
  }
});

test('serve --api-key-env asks for a Bearer key (never logged); --log writes one line per request; a network bind needs a key', {
  skip,
  timeout: 180_000,
}, async () => {
  const KEY = 'canary-key-5f2e9a';
  const s = await startServe([...BASE, '--api-key-env', 'SERVE_TEST_KEY', '--log'], { SERVE_TEST_KEY: KEY });
  try {
    const body = { prompt: 'secret-body-canary' };
    assert.equal((await postJson(s.url, '/tokenize', body)).status, 401);
    assert.equal((await postJson(s.url, '/tokenize', body, { authorization: `Bearer ${KEY}x` })).status, 401);
    assert.equal((await postJson(s.url, '/tokenize', body, { authorization: `Basic ${KEY}` })).status, 401);
    const models = await fetch(s.url + '/v1/models');
    assert.equal(models.status, 401);
    assert.equal(models.headers.get('www-authenticate'), 'Bearer');
    const ok = await postJson(s.url, '/tokenize', body, { authorization: `Bearer ${KEY}` });
    assert.equal(ok.status, 200);
    const n = (ok.json as { count: number }).count;
    assert.equal((await fetch(s.url + '/health')).status, 200, '/health is open (for load balancers)');

    // The eval client sends the key from its environment variable.
    process.env['SERVE_TEST_CLIENT_KEY'] = KEY;
    const remote = await RemoteBackend.create({
      endpoints: [{ url: s.url, concurrency: 1 }],
      protocol: 'vllm',
      apiKeyEnv: 'SERVE_TEST_CLIENT_KEY',
    });
    await remote.close();
    assert.equal(
      (await postJson(s.url, '/v1/completions', { prompt: [1, 2, 3], prompt_logprobs: 0 }, { authorization: `bearer ${KEY}` })).status,
      200,
    );

    await waitFor(() => s.stderr().includes('tokens=3\n'), 2000); // the line is written once the answer is sent
    const lines = s.stderr().trim().split('\n');
    const access = lines.filter((l) => /^\S+Z (GET|POST) \/\S* \d{3} \d+ms/.test(l));
    assert.equal(access.length, lines.length, `only access-log lines on stderr:\n${s.stderr()}`);
    assert.ok(access.length >= 7, `one line per request:\n${s.stderr()}`);
    assert.equal(
      access
        .slice(0, 6)
        .map((l) => l.split(' ').slice(1, 4).join(' '))
        .join('|'),
      'POST /tokenize 401|POST /tokenize 401|POST /tokenize 401|GET /v1/models 401|POST /tokenize 200|GET /health 200',
    );
    assert.match(access[4]!, new RegExp(` tokens=${n}$`));
    assert.ok(
      access.some((l) => /^\S+ GET \/v1\/models 200 \d+ms$/.test(l)),
      'the eval client sent the key',
    );
    assert.ok(
      access.some((l) => /^\S+ POST \/v1\/completions 200 \d+ms tokens=3$/.test(l)),
      'a scoring request is logged with its prompt tokens',
    );
    for (const secret of [KEY, 'secret-body-canary', 'authorization', 'Bearer']) {
      assert.ok(!s.stderr().includes(secret) && !s.stdout().includes(secret), `'${secret}' is not logged`);
    }
    assert.equal(await s.stop(), 0);
  } finally {
    delete process.env['SERVE_TEST_CLIENT_KEY'];
    await s.stop('SIGKILL');
  }

  const open = runHumanlike(['serve', ...BASE, '--host', '0.0.0.0', '--port', '0']);
  assert.equal(open.code, 2);
  assert.match(open.stderr, /--host 0\.0\.0\.0 is not a loopback address: give --api-key-env NAME \(or --api-key\), or --insecure-no-auth/);
  assert.doesNotMatch(open.stderr, /\n\s+at /, 'no stack trace');
  const unset = runHumanlike(['serve', ...BASE, '--api-key-env', 'SERVE_TEST_UNSET_VARIABLE']);
  assert.equal(unset.code, 2);
  assert.match(unset.stderr, /SERVE_TEST_UNSET_VARIABLE is not set/);
  const both = runHumanlike(['serve', ...BASE, '--api-key', 'k', '--api-key-env', 'SERVE_TEST_KEY']);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /--api-key-env or --api-key, not both/);
  const insecure = await startServe([...BASE, '--host', '0.0.0.0', '--insecure-no-auth']);
  try {
    await waitFor(() => insecure.stderr() !== '', 2000);
    assert.match(insecure.stderr(), /warning: serving 0\.0\.0\.0 without authentication/);
    assert.equal((await fetch(insecure.url + '/health')).status, 200);
    assert.equal(await insecure.stop(), 0);
  } finally {
    await insecure.stop('SIGKILL');
  }
});

test('serve times out slow bodies and caps connections; /health stays answered within 1 s', { skip, timeout: 120_000 }, async () => {
  const s = await startServe([...BASE, '--max-connections', '8', '--request-timeout-ms', '1500', '--headers-timeout-ms', '1000']);
  const slow: SlowConnection[] = [];
  try {
    for (let i = 0; i < 30; i++) slow.push(await openSlowConnection(s.url));
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    const health = await requestRaw(s.url, { path: '/health', timeoutMs: 1000 });
    assert.equal(health.status, 200);
    assert.ok(Date.now() - t0 < 1000, `/health answered in ${Date.now() - t0} ms`);
    const open = slow.filter((c) => !c.isClosed()).length;
    assert.ok(open <= 8, `at most 8 connections are held (the cap), found ${open} of 30 open`);
    // The rest time out while still sending their bodies: the request timeout limits receiving a request.
    const started = Date.now();
    await Promise.race([Promise.all(slow.map((c) => c.closed)), new Promise((r) => setTimeout(r, 6000))]);
    assert.equal(slow.filter((c) => !c.isClosed()).length, 0, 'every slow body is closed by the request timeout');
    assert.ok(Date.now() - started < 6000);
    assert.equal((await requestRaw(s.url, { path: '/health', timeoutMs: 1000 })).status, 200);
    for (const c of slow) c.socket.destroy();
    assert.equal(await s.stop(), 0);
  } finally {
    for (const c of slow) c.socket.destroy();
    await s.stop('SIGKILL');
  }
});

test('a client that stops reading its answer is dropped once no progress is made for --request-timeout-ms', {
  skip,
  timeout: 120_000,
}, async () => {
  const s = await startServe([...BASE, '--request-timeout-ms', '1500']);
  let socket: Socket | undefined;
  try {
    // A 16 MB answer (2,000,000 ids and their pieces), more than the socket buffers hold.
    const body = JSON.stringify({ prompt: Array.from({ length: 2_000_000 }, () => 1), return_token_strs: true });
    const u = new URL(s.url);
    const sock = connect({ host: u.hostname, port: Number(u.port) });
    socket = sock;
    sock.on('error', () => undefined);
    let received = 0;
    sock.on('data', (d: Buffer) => {
      received += d.length;
    });
    const closed = new Promise<void>((r) => sock.once('close', () => r()));
    sock.write(
      `POST /tokenize HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    sock.pause(); // stop reading: the server's writes stall
    await new Promise((r) => setTimeout(r, 6000));
    sock.resume(); // what the server wrote before giving up, then the end
    const ended = await Promise.race([closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
    assert.ok(ended, 'the server closed the stalled connection');
    assert.ok(received < 16_000_000, `only part of the answer was sent (${received} bytes)`);
    assert.equal((await requestRaw(s.url, { path: '/health', timeoutMs: 1000 })).status, 200);
    assert.equal(await s.stop(), 0);
  } finally {
    socket?.destroy();
    await s.stop('SIGKILL');
  }
});

test('SIGTERM with slow connections open exits 0 within the shutdown grace period', { skip, timeout: 120_000 }, async () => {
  const s = await startServe([...BASE, '--shutdown-grace-ms', '1000']);
  const slow: SlowConnection[] = [];
  try {
    for (let i = 0; i < 5; i++) slow.push(await openSlowConnection(s.url));
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    const code = await s.stop('SIGTERM', 10_000);
    const ms = Date.now() - t0;
    assert.equal(code, 0, `exit code (null: still running after 10 s, killed)`);
    assert.ok(ms < 4000, `exited ${ms} ms after SIGTERM (grace 1000 ms)`);
    assert.ok(slow.every((c) => c.isClosed()));
  } finally {
    for (const c of slow) c.socket.destroy();
    await s.stop('SIGKILL');
  }
});

test('a text prompt over --max-prompt-chars is refused before it is tokenized', { skip, timeout: 120_000 }, async () => {
  const s = await startServe(BASE);
  try {
    // 2,000,000 CJK characters (6 MB): the 512-piece vocabulary byte-falls back on them, super-linearly (minutes).
    const huge = '字'.repeat(2_000_000);
    for (const path of ['/v1/completions', '/tokenize']) {
      const t0 = Date.now();
      const r = await postJson(s.url, path, { prompt: huge, prompt_logprobs: 0 }, {}, 10_000);
      assert.equal(r.status, 400, path);
      assert.match(messageOf(r.json), /prompt of 2000000 characters is over the limit of 1000000 \(--max-prompt-chars\)/);
      assert.ok(Date.now() - t0 < 5000, `${path} answered in ${Date.now() - t0} ms`);
    }
    assert.equal((await requestRaw(s.url, { path: '/health', timeoutMs: 1000 })).status, 200);
    assert.equal(await s.stop('SIGTERM', 10_000), 0);
  } finally {
    await s.stop('SIGKILL');
  }
  const small = await startServe([...BASE, '--max-prompt-chars', '1000']);
  try {
    const over = await postJson(small.url, '/tokenize', { prompt: 'a'.repeat(1001) });
    assert.equal(over.status, 400);
    assert.match(messageOf(over.json), /1001 characters is over the limit of 1000/);
    assert.equal((await postJson(small.url, '/tokenize', { prompt: 'a'.repeat(1000) })).status, 200);
    assert.equal(await small.stop(), 0);
  } finally {
    await small.stop('SIGKILL');
  }
});
