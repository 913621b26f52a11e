import assert from 'node:assert/strict';
import { test } from 'node:test';

test('the library API exposes the pipeline as named exports', async () => {
  const api = await import('../../src/index.js');
  for (const name of [
    'readTranscripts',
    'validateSource',
    'writeSplit',
    'computeStats',
    'evaluate',
    'LlamaCppBackend',
    'RemoteBackend',
    'compareModels',
    'writeReport',
    'createScoringServer',
    'cohensD',
    'VERSION',
  ]) {
    assert.ok(name in api, name);
  }
  const parsed = api.parseTranscript('Pick <<A>> then <<B>>.');
  assert.deepEqual(parsed.spans, [
    { start: 7, end: 8 },
    { start: 18, end: 19 },
  ]);
});

test('VERSION (recorded in every run) is the package version, and CHANGELOG.md has its section', async () => {
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { repoRoot } = await import('../helpers/paths.js');
  const { VERSION } = await import('../../src/version.js');
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  assert.equal(VERSION, pkg.version);
  assert.match(readFileSync(join(repoRoot, 'CHANGELOG.md'), 'utf8'), new RegExp(`\\n## ${VERSION.replace(/\./g, '\\.')}\\b`));
});
