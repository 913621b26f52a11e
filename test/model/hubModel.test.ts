import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startFakeHub } from '../helpers/fakeHub.js';
import { makeTempDir, modelsDir, noSharedModels } from '../helpers/paths.js';
import { runHumanlikeAsync } from '../helpers/runCliAsync.js';

test('eval --model hf:... downloads a real GGUF from a hub (a local mimic), shows progress, scores, then runs from the cache', {
  skip: noSharedModels,
  timeout: 300_000,
}, async () => {
  const gguf = readFileSync(join(modelsDir, 'stories260K.gguf'));
  const hub = await startFakeHub({ models: { 'karpathy/tinyllamas-GGUF': { 'stories260K.gguf': gguf } }, viaCdn: true });
  try {
    const tmp = makeTempDir();
    writeFileSync(
      join(tmp, 'd.jsonl'),
      ['one <<A>> two <<B>>', 'once upon <<a>> time']
        .map((text, p) => JSON.stringify({ text, experiment: 's/e', participant: p }))
        .join('\n') + '\n',
    );
    const args = [
      'eval',
      join(tmp, 'd.jsonl'),
      '--model',
      'hf:karpathy/tinyllamas-GGUF/stories260K.gguf',
      '--gpu',
      'cpu',
      '--db',
      join(tmp, 'r.duckdb'),
      '--json',
    ];
    const env = { HF_ENDPOINT: hub.url, HUMANLIKE_CACHE: join(tmp, 'cache') };
    const first = await runHumanlikeAsync(args, { env, timeoutMs: 240_000 });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /downloading stories260K\.gguf: 1\.1 MB of 1\.1 MB \(100%\)/);
    assert.deepEqual(readFileSync(join(tmp, 'cache', 'models', 'karpathy', 'tinyllamas-GGUF', 'stories260K.gguf')), gguf);
    const downloads = hub.cdnRequests.length;
    assert.equal(downloads, 1);

    // Offline now (the hub is closed): the cached file is used without network.
    await hub.close();
    const second = await runHumanlikeAsync([...args.slice(0, -3), '--db', join(tmp, 'r2.duckdb'), '--json'], { env, timeoutMs: 240_000 });
    assert.equal(second.code, 0, second.stderr);
    assert.doesNotMatch(second.stderr, /downloading/);
  } finally {
    await hub.close();
  }
});
