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
