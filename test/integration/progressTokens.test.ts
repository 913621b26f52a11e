import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { evalConfigSchema } from '../../src/eval/evalConfig.js';
import { evaluate } from '../../src/eval/evaluate.js';
import type { EvalProgress } from '../../src/eval/runEval.js';
import { TokenScorer } from '../../src/scoring/TokenScorer.js';
import { createFakeBackend } from '../helpers/fakeBackend.js';
import { startFakeVllm } from '../helpers/fakeScoringServer.js';
import { makeTempDir } from '../helpers/paths.js';
import { runHumanlikeAsync } from '../helpers/runCliProcess.js';

/** One study of long transcripts: each takes many windows at a small context. */
function longDataset(participants: number, responses: number): string {
  const dir = makeTempDir();
  mkdirSync(join(dir, 's'));
  const text = (p: number): string =>
    Array.from({ length: responses }, (_, i) => `Trial ${i} of ${p}: you chose <<${i % 2 ? 'A' : 'B'}>>.`).join(' ');
  writeFileSync(
    join(dir, 's', 'prompts.jsonl'),
    Array.from({ length: participants }, (_, p) => JSON.stringify({ text: text(p), experiment: 'e', participant: p })).join('\n') + '\n',
  );
  return dir;
}

test('progress reports tokens within a participant, with an estimated total, before the participant is done', async () => {
  const dir = longDataset(2, 40);
  const scorer = new TokenScorer(createFakeBackend({ contextSize: 128, delayMs: 5 }), { format: 'raw', policy: 'windowed' });
  const config = evalConfigSchema.parse({ source: dir, db: join(makeTempDir(), 'r.duckdb'), model: { kind: 'baseline', name: 'uniform' } });
  const seen: EvalProgress[] = [];
  const r = await evaluate(config, { scorer, onProgress: (p) => seen.push({ ...p }) });
  const within = seen.filter((p) => p.participantsDone === 0 && p.tokens > 0);
  assert.ok(within.length >= 5, `${within.length} updates within the first participant (one per window)`);
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i]!.tokens >= seen[i - 1]!.tokens, 'tokens never go back');
  const last = seen.at(-1)!;
  assert.equal(last.participantsDone, 2);
  assert.equal(last.tokens, r.session?.tokens, 'the last update counts every token the session evaluated');
  assert.equal(last.tokensTotal, last.tokens, 'at the end the estimate is exact');
  // Once the first participant is planned, the estimate counts its planned windows and extrapolates the second
  // (same length) from it: within 10% of the truth.
  const estimate = within[0]!.tokensTotal;
  assert.ok(Math.abs(estimate - last.tokens) / last.tokens < 0.1, `estimate ${estimate} vs ${last.tokens}`);
});

test('eval --progress lines prints token progress within a participant every --progress-interval seconds', async () => {
  const dir = longDataset(1, 30);
  const server = await startFakeVllm(() => 'slow', { slowMs: 150 });
  try {
    const db = join(makeTempDir(), 'r.duckdb');
    const r = await runHumanlikeAsync([
      'eval',
      dir,
      '--endpoint',
      server.url,
      '--context-size',
      '128',
      '--concurrency',
      '1',
      '--db',
      db,
      '--progress',
      'lines',
      '--progress-interval',
      '0.3',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('progress: 0/1 participants'));
    assert.ok(lines.length >= 2, `lines within the participant:\n${r.stderr}`);
    assert.match(lines[0]!, /^progress: 0\/1 participants, 0 responses, \d+\/~\d+ tokens \(\d+\.\d%\), \d+ tok\/s, \d+ s, ETA \d+s$/);
    assert.match(r.stderr, /progress: 1\/1 participants, 30 responses, (\d+)\/~\1 tokens \(100\.0%\)/);
  } finally {
    await server.close();
  }
});
