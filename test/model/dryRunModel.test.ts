import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTempDir, modelsDir, noSharedData, noSharedModels } from '../helpers/paths.js';
import { writeRealSubset } from '../helpers/realSubset.js';
import { runHumanlike } from '../helpers/runCliProcess.js';

const MODEL = join(modelsDir, 'stories260K.gguf');
const skip = noSharedModels || noSharedData;

test('eval --dry-run with a model counts tokens as stats --tokenizer does, windows them, and times a calibration', {
  skip,
  timeout: 300_000,
}, async () => {
  const { dir } = await writeRealSubset({ studies: ['franke2024bayesian', 'thoma2025problearn'], perStudy: 4 });
  const db = join(makeTempDir(), 'never.duckdb');
  const r = runHumanlike(['eval', dir, '--model', MODEL, '--gpu', 'cpu', '--context-size', '256', '--db', db, '--dry-run', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!existsSync(db), 'no database created');
  const { dryRun } = JSON.parse(r.stdout) as {
    dryRun: {
      contextSize: number;
      studies: { study: string; tokens: number; tokensEvaluated: number; windows: number; estimatedSeconds: number }[];
      calibration: { windows: { tokens: number; seconds: number }[] };
      estimatedSeconds: number;
    };
  };
  const stats = JSON.parse(runHumanlike(['stats', dir, '--tokenizer', MODEL, '--json']).stdout) as {
    perStudy: { study: string; tokens: number }[];
  };
  // Raw format: the rendered text is the transcript, so the tokens (BOS included) are stats' tokens.
  assert.deepEqual(
    dryRun.studies.map((s) => [s.study, s.tokens]),
    stats.perStudy.map((s) => [s.study, s.tokens]),
  );
  assert.equal(dryRun.contextSize, 256);
  for (const s of dryRun.studies) {
    // Windows of 256 tokens: several per transcript; text after the last response is never evaluated.
    assert.ok(
      s.windows > 4 && s.tokensEvaluated > 256 * (s.windows - 4),
      `${s.study}: ${s.tokensEvaluated} evaluated in ${s.windows} windows`,
    );
    assert.ok(s.estimatedSeconds > 0);
  }
  assert.ok(dryRun.calibration.windows.length >= 2 && dryRun.calibration.windows.every((w) => w.tokens <= 256 && w.seconds > 0));
  assert.ok(Math.abs(dryRun.estimatedSeconds - dryRun.studies.reduce((a, s) => a + s.estimatedSeconds, 0)) < 1e-9);
});

test('eval --dry-run of a run already finished estimates no time left: finished participants are not planned again', {
  skip,
  timeout: 300_000,
}, async () => {
  const { dir } = await writeRealSubset({ studies: ['franke2024bayesian'], perStudy: 3 });
  const db = join(makeTempDir(), 'r.duckdb');
  const args = ['eval', dir, '--model', MODEL, '--gpu', 'cpu', '--context-size', '256', '--db', db, '--progress', 'none'];
  assert.equal(runHumanlike(args).code, 0);
  const r = runHumanlike([...args, '--dry-run', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const { dryRun } = JSON.parse(r.stdout) as {
    dryRun: {
      existing: { participantsDone: number };
      studies: {
        participants: number;
        participantsDone: number;
        tokensEvaluated: number;
        tokensEvaluatedLeft: number;
        estimatedSeconds: number;
      }[];
      estimatedSeconds: number;
    };
  };
  assert.equal(dryRun.existing.participantsDone, 3);
  const [s] = dryRun.studies;
  assert.ok(s && s.tokensEvaluated > 0, 'the counts still describe the whole run');
  assert.deepEqual([s.participants, s.participantsDone, s.tokensEvaluatedLeft, s.estimatedSeconds], [3, 3, 0, 0]);
  assert.equal(dryRun.estimatedSeconds, 0);
  const text = runHumanlike([...args, '--dry-run']);
  assert.match(text.stdout, /estimated time: 0s for the 0 participants left/);
});
