import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { DownloadProgress } from '../../src/hub/downloadHubFile.js';
import { readHubSettings } from '../../src/hub/hubSettings.js';
import { hubModelCachePath, resolveHubModel } from '../../src/hub/resolveHubModel.js';
import { closedPortUrl, startFakeHub, startSilentServer } from '../helpers/fakeHub.js';
import { makeTempDir } from '../helpers/paths.js';
import { runHumanlikeAsync } from '../helpers/runCliAsync.js';

const MB = 1024 * 1024;
// Every download of this file goes to a temporary cache, never the user's.
process.env['HUMANLIKE_CACHE'] = makeTempDir('humanlike-cache-');
const hubAt = (endpoint: string, token?: string): ReturnType<typeof readHubSettings> =>
  readHubSettings({ HF_ENDPOINT: endpoint, HUMANLIKE_HUB_TIMEOUT_MS: '2000', ...(token && { HF_TOKEN: token }) });

function tinyDataset(): string {
  const dir = makeTempDir();
  writeFileSync(join(dir, 'd.jsonl'), JSON.stringify({ text: 'pick <<A>>', experiment: 's/e', participant: 1 }) + '\n');
  return join(dir, 'd.jsonl');
}

test('eval with an hf: model fails within seconds when the hub cannot be reached (connection refused)', async () => {
  const cache = makeTempDir();
  const r = await runHumanlikeAsync(
    ['eval', tinyDataset(), '--model', 'hf:Qwen/Qwen2.5-0.5B-GGUF/qwen2.5-0.5b-q8_0.gguf', '--db', join(cache, 'r.duckdb')],
    {
      env: { HF_ENDPOINT: await closedPortUrl(), HUMANLIKE_CACHE: cache },
      timeoutMs: 30_000,
    },
  );
  assert.equal(r.timedOut, false, 'eval hung');
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^humanlike: cannot reach the Hugging Face hub at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  assert.ok(r.ms < 10_000, `took ${r.ms} ms`);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('a hub that accepts the connection but never answers fails after HUMANLIKE_HUB_TIMEOUT_MS', async () => {
  const silent = await startSilentServer();
  try {
    const cache = makeTempDir();
    const r = await runHumanlikeAsync(['eval', tinyDataset(), '--model', 'hf:a/b/c.gguf', '--db', join(cache, 'r.duckdb')], {
      env: { HF_ENDPOINT: silent.url, HUMANLIKE_CACHE: cache, HUMANLIKE_HUB_TIMEOUT_MS: '1000' },
      timeoutMs: 30_000,
    });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /cannot reach the Hugging Face hub at .* \(no answer in 1 s\)/);
    assert.ok(r.ms < 10_000, `took ${r.ms} ms`);
  } finally {
    await silent.close();
  }
});

test('an hf: model downloads into the cache with progress, then is used from the cache without any request', async () => {
  const data = randomBytes(3 * MB);
  const hub = await startFakeHub({ models: { 'org/model-GGUF': { 'sub/model-q8_0.gguf': data } } });
  try {
    const seen: DownloadProgress[] = [];
    const path = await resolveHubModel('hf:org/model-GGUF/sub/model-q8_0.gguf', { hub: hubAt(hub.url), onProgress: (p) => seen.push(p) });
    assert.equal(path, hubModelCachePath({ repo: 'org/model-GGUF', path: 'sub/model-q8_0.gguf' }));
    assert.equal(path, join(process.env['HUMANLIKE_CACHE']!, 'models', 'org', 'model-GGUF', 'sub', 'model-q8_0.gguf'));
    assert.deepEqual(readFileSync(path), data);
    assert.equal(existsSync(`${path}.part`), false);
    const last = seen.at(-1)!;
    assert.deepEqual([last.done, last.receivedBytes, last.totalBytes, last.label], [true, 3 * MB, 3 * MB, 'model-q8_0.gguf']);
    assert.deepEqual(
      hub.requests.map((r) => r.path),
      ['/org/model-GGUF/resolve/main/sub/model-q8_0.gguf'],
    );
    await resolveHubModel('hf:org/model-GGUF/sub/model-q8_0.gguf', { hub: hubAt(hub.url) });
    assert.equal(hub.requests.length, 1, 'a cached model needs no network');
  } finally {
    await hub.close();
  }
});

test('an interrupted download resumes from <file>.part with a Range request', async () => {
  const data = randomBytes(3 * MB);
  const hub = await startFakeHub({ models: { 'org/m': { 'm.gguf': data } }, cutFirstGetAfterBytes: MB });
  try {
    await assert.rejects(
      resolveHubModel('hf:org/m/m.gguf', { hub: hubAt(hub.url), onProgress: () => undefined }),
      /download interrupted at \d+ of 3145728 bytes .*run the same command again to resume from .*m\.gguf\.part/,
    );
    const dest = join(process.env['HUMANLIKE_CACHE']!, 'models', 'org', 'm', 'm.gguf');
    assert.equal(existsSync(dest), false, 'no partial file under the final name');
    const partial = statSync(`${dest}.part`).size;
    assert.ok(partial > 0 && partial <= MB, `part holds ${partial} bytes`);
    const progress: DownloadProgress[] = [];
    const path = await resolveHubModel('hf:org/m/m.gguf', { hub: hubAt(hub.url), onProgress: (p) => progress.push(p) });
    assert.equal(path, dest);
    assert.deepEqual(readFileSync(path), data);
    assert.equal(hub.requests.at(-1)!.range, `bytes=${partial}-`);
    assert.equal(progress.at(-1)!.resumedFromBytes, partial);
  } finally {
    await hub.close();
  }
});

test('gated and missing files: 401 asks for HF_TOKEN, 404 says not found; the token never reaches the CDN', async () => {
  const data = randomBytes(64 * 1024);
  const hub = await startFakeHub({ models: { 'org/gated': { 'g.gguf': data } }, gated: ['org/gated'], token: 'hf_secret', viaCdn: true });
  try {
    const quiet = { onProgress: (): void => undefined };
    await assert.rejects(
      resolveHubModel('hf:org/gated/g.gguf', { hub: hubAt(hub.url), ...quiet }),
      /model hf:org\/gated\/g\.gguf: the hub refused access \(HTTP 401\): .*set HF_TOKEN/,
    );
    await assert.rejects(
      resolveHubModel('hf:org/gated/g.gguf', { hub: hubAt(hub.url, 'hf_wrong'), ...quiet }),
      /HTTP 401\): the token in HF_TOKEN has no access/,
    );
    await assert.rejects(
      resolveHubModel('hf:org/gated/nope.gguf', { hub: hubAt(hub.url, 'hf_secret'), ...quiet }),
      /not found on the hub \(HTTP 404/,
    );
    await assert.rejects(resolveHubModel('hf:org/none/x.gguf', { hub: hubAt(hub.url), ...quiet }), /HTTP 401|HTTP 404/);
    const path = await resolveHubModel('hf:org/gated/g.gguf', { hub: hubAt(hub.url, 'hf_secret'), ...quiet });
    assert.deepEqual(readFileSync(path), data);
    assert.equal(hub.requests.at(-1)!.authorization, 'Bearer hf_secret');
    assert.ok(hub.cdnRequests.length > 0);
    assert.ok(
      hub.cdnRequests.every((r) => r.authorization === undefined),
      'the token went to another origin',
    );
  } finally {
    await hub.close();
  }
});

test('a malformed hf: reference is a usage error naming the expected form', async () => {
  await assert.rejects(resolveHubModel('hf:Qwen/Qwen2.5-0.5B-GGUF'), /expected hf:<user>\/<repo>\/<file>\.gguf/);
  await assert.rejects(resolveHubModel('hf:a/b/../../etc/passwd'), /expected hf:/);
});
