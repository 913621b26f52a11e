import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { parseTranscript } from '../../src/data/parseTranscript.js';
import { applyReferencePreset } from '../../src/prompts/referencePreset.js';
import { directLogprobs, loadDirectModel, prefixRanges } from '../helpers/directScoring.js';
import { makeTempDir, modelsDir, noSharedData, noSharedModels } from '../helpers/paths.js';
import { writeRealSubset } from '../helpers/realSubset.js';
import { runHumanlike } from '../helpers/runCliProcess.js';

const MODEL = join(modelsDir, 'stories260K.gguf');

async function storedRows(db: string): Promise<{ participant: string; response_index: number; nll: number; skip_reason?: string }[]> {
  const inst = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
  const c = await inst.connect();
  const r = await c.runAndReadAll('SELECT participant, response_index, nll FROM responses ORDER BY participant, response_index');
  const rows = r.getRowObjectsJson() as never[];
  c.closeSync();
  inst.closeSync();
  return rows;
}

// stories260K's GGUF says context 2048 (trained at 512): a transcript of ~3,000 tokens is scored in one pass, as the
// paper's eval.py does, and equals a direct fp32 softmax over the whole cut text.
test('--policy reference scores the cut text in one pass beyond the model context and equals a direct fp32 computation', {
  skip: noSharedModels || noSharedData,
  timeout: 600_000,
}, async (ctx) => {
  const { dir, transcripts } = await writeRealSubset({ studies: ['thoma2025problearn'], perStudy: 1, maxChars: 9000 });
  const t = transcripts[0]!;
  const db = join(makeTempDir(), 'r.duckdb');
  const r = runHumanlike(['eval', dir, '--model', MODEL, '--policy', 'reference', '--gpu', 'cpu', '--db', db, '--json']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const rows = await storedRows(db);
  const text = applyReferencePreset(t.text);
  const spans = parseTranscript(text).spans;
  const { model, dispose } = await loadDirectModel(MODEL);
  try {
    const tokens = [model.tokens.bos as number, ...(model.tokenize(text) as number[])];
    assert.ok(tokens.length > 2048, `the transcript (${tokens.length} tokens) is longer than the model's context`);
    const ranges = [[0, 0] as [number, number], ...prefixRanges(model, tokens.slice(1))];
    const lp = await directLogprobs(model, tokens, tokens.length + 16, { exact: true });
    assert.equal(rows.length, spans.length, 'every response inside the cut is scored');
    let worst = 0;
    spans.forEach((span, i) => {
      const idx = ranges
        .map((rg, k) => [rg, k] as const)
        .filter(([[s, e], k]) => k > 0 && (s === e ? s > span.start && s < span.end : s < span.end && e > span.start))
        .map(([, k]) => k);
      const expected = -idx.reduce((sum, k) => sum + (lp[k] as number), 0);
      worst = Math.max(worst, Math.abs(rows[i]!.nll - expected));
    });
    ctx.diagnostic(`${tokens.length} tokens, ${spans.length} responses, max |ΔNLL| ${worst.toExponential(2)} nats`);
    assert.ok(worst < 1e-3, `max |ΔNLL| ${worst} nats`);
  } finally {
    await dispose();
  }
});

test('--policy reference repairs `More Details >>` and skips only an empty response <<>>', {
  skip: noSharedModels,
  timeout: 300_000,
}, async () => {
  const tmp = makeTempDir();
  const data = join(tmp, 'd.jsonl');
  const text = 'Pick a box. More Details >> are below. You chose <<A>>. Then you chose <<>>. Finally you chose <<B>>.';
  writeFileSync(data, JSON.stringify({ study: 's1', experiment: 'e', participant: 'p1', text }) + '\n');
  const db = join(tmp, 'r.duckdb');
  const r = runHumanlike(['eval', data, '--model', MODEL, '--policy', 'reference', '--gpu', 'cpu', '--db', db, '--json']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const rows = await storedRows(db);
  assert.deepEqual(
    rows.map((x) => x.response_index),
    [0, 2],
    'responses 0 and 2 scored, the empty one skipped',
  );
  const run = JSON.parse(r.stdout) as { run: { skippedResponses?: number; responsesSkipped?: number }; stats: Record<string, unknown> };
  assert.match(JSON.stringify(run), /empty response/);
  // The default policy stays strict: the record fails validation.
  const strict = runHumanlike(['eval', data, '--model', MODEL, '--gpu', 'cpu', '--db', join(tmp, 's.duckdb'), '--json']);
  assert.notEqual(strict.code, 0);
});

test('--policy reference refuses a text longer than the engine context (a recorded skip naming the size), never windows it', {
  skip: noSharedModels,
  timeout: 300_000,
}, async () => {
  const tmp = makeTempDir();
  const data = join(tmp, 'd.jsonl');
  const text = `${'Once upon a time there was a cat. '.repeat(40)}It chose <<A>>.`;
  writeFileSync(data, JSON.stringify({ study: 's1', experiment: 'e', participant: 'p1', text }) + '\n');
  const r = runHumanlike([
    'eval',
    data,
    '--model',
    MODEL,
    '--policy',
    'reference',
    '--context-size',
    '128',
    '--gpu',
    'cpu',
    '--db',
    join(tmp, 'r.duckdb'),
    '--json',
  ]);
  // Nothing else to score, so the run fails (exit 2) and says why; llama.cpp rounds the context up to 256.
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /one pass: it is \d+ tokens and the engine's context holds 256 \(give --context-size \d+ or more\)/);
  assert.equal((await storedRows(join(tmp, 'r.duckdb'))).length, 0);
});
