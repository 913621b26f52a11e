import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildComparisonSets } from '../../src/analysis/comparisonSets.js';
import type { RunRecord } from '../../src/store/ResultsStore.js';

const run = (runId: string, model: string, o: Partial<RunRecord> & { hashes?: Record<string, string> } = {}): RunRecord => ({
  runId,
  configKey: runId,
  recordVersion: 2,
  toolVersion: 't',
  status: 'complete',
  createdAt: o.createdAt ?? '2026-01-01',
  updatedAt: '',
  finishedAt: null,
  source: '/data',
  selection: o.selection ?? 'test',
  datasetHash: o.datasetHash ?? 'd',
  model,
  modelKind: 'gguf',
  modelSha256: null,
  modelIdentity: {},
  tokenizer: 't',
  promptFormat: o.promptFormat ?? 'raw',
  contextPolicy: o.contextPolicy ?? 'windowed',
  options: { windowing: `${o.contextPolicy ?? 'windowed'}/v1`, ...(o.hashes && { studyHashes: o.hashes }) },
  stats: null,
  timings: null,
  error: null,
});

test('runs of another selection or policy, or of other data, are never in the same comparison set', () => {
  const studies = new Map([
    ['a', ['s1', 's2']],
    ['b', ['s1', 's2']],
    ['c', ['s1', 's2']],
    ['d', ['s1']],
    ['e', ['s1', 's2']],
  ]);
  const sets = buildComparisonSets(
    [
      run('a', 'base', { hashes: { s1: 'h1', s2: 'h2' } }),
      run('b', 'post', { hashes: { s1: 'h1', s2: 'h2' } }),
      run('c', 'baseline:uniform', { selection: 'all', hashes: { s1: 'H1', s2: 'H2' } }),
      run('d', 'other', { hashes: { s1: 'changed' } }),
      run('e', 'ref', { contextPolicy: 'reference', hashes: { s1: 'h1', s2: 'h2' } }),
    ],
    studies,
  );
  assert.equal(sets.length, 4);
  assert.deepEqual(
    sets[0]!.units.map((u) => u.model),
    ['base', 'post'],
    'the largest set first',
  );
  assert.deepEqual(sets.map((s) => s.selection).sort(), ['all', 'test', 'test', 'test']);
  assert.ok(sets.every((s) => new Set(s.units.flatMap((u) => [...u.studies.values()].map((r) => r.selection))).size === 1));
});

test("a model's runs over different studies count as one; an older run of the same studies is superseded", () => {
  const studies = new Map([
    ['job1', ['s1']],
    ['job2', ['s2']],
    ['old', ['s1', 's2']],
    ['b', ['s1', 's2']],
  ]);
  const sets = buildComparisonSets(
    [
      run('job1', 'Qwen', { createdAt: '2026-02-01', hashes: { s1: 'h1' } }),
      run('job2', 'Qwen', { createdAt: '2026-02-02', hashes: { s2: 'h2' } }),
      run('old', 'Qwen', { createdAt: '2025-01-01', hashes: { s1: 'h1', s2: 'h2' } }),
      run('b', 'Llama', { hashes: { s1: 'h1', s2: 'h2' } }),
    ],
    studies,
  );
  assert.equal(sets.length, 1);
  const qwen = sets[0]!.units.find((u) => u.model === 'Qwen')!;
  assert.deepEqual(Object.fromEntries([...qwen.studies].map(([s, r]) => [s, r.runId])), { s1: 'job1', s2: 'job2' });
  assert.deepEqual(sets[0]!.superseded, ['old']);
});
