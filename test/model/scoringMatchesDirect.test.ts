import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { directLogprobs, loadDirectModel, prefixRanges } from '../helpers/directScoring.js';
import { makeTempDir, modelsDir, noSharedData, noSharedModels } from '../helpers/paths.js';
import { writeRealSubset } from '../helpers/realSubset.js';
import { runHumanlike } from '../helpers/runCliProcess.js';

const skip = noSharedModels || noSharedData;
const MODEL = join(modelsDir, 'stories260K.gguf');

async function storedRows(
  db: string,
  runFilter = '',
): Promise<
  {
    study: string;
    participant: string;
    response_index: number;
    nll: number;
    n_tokens: number;
    greedy_match: boolean;
    context_tokens: number;
  }[]
> {
  const inst = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
  const c = await inst.connect();
  const r = await c.runAndReadAll(
    `SELECT study, participant, response_index, nll, n_tokens, greedy_match, context_tokens FROM responses ${runFilter} ORDER BY study, participant, response_index`,
  );
  const rows = r.getRowObjectsJson() as never[];
  c.closeSync();
  inst.closeSync();
  return rows;
}

test('eval NLLs equal a direct teacher-forced softmax within 1e-4 nats on real transcripts', { skip, timeout: 600_000 }, async () => {
  const studies = [
    'franke2024bayesian',
    'guenther2023associations_individual',
    'thoma2025problearn',
    'guenther2024substitutions',
    'busch2024_stroop',
  ];
  const { dir, transcripts } = await writeRealSubset({ studies, perStudy: 3, maxChars: 2400 });
  const db = join(makeTempDir(), 'r.duckdb');
  const r = runHumanlike(['eval', dir, '--model', MODEL, '--context-size', '2048', '--gpu', 'cpu', '--db', db, '--json']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const rows = await storedRows(db);
  const { model, dispose } = await loadDirectModel(MODEL);
  try {
    let compared = 0;
    for (const t of transcripts) {
      const tokens = [model.tokens.bos as number, ...(model.tokenize(t.text) as number[])];
      assert.ok(tokens.length <= 2048);
      const ranges = [[0, 0] as [number, number], ...prefixRanges(model, tokens.slice(1))];
      const lp = await directLogprobs(model, tokens, 2048);
      const mine = rows.filter((x) => x.study === t.study && x.participant === t.participant);
      assert.equal(mine.length, t.spans.length, `${t.study}/${t.participant}: every response scored`);
      t.spans.forEach((span, i) => {
        const idx = ranges
          .map((rg, k) => [rg, k] as const)
          .filter(([[s, e], k]) => k > 0 && (s === e ? s > span.start && s < span.end : s < span.end && e > span.start))
          .map(([, k]) => k);
        const expected = -idx.reduce((sum, k) => sum + (lp[k] as number), 0);
        const row = mine[i]!;
        assert.equal(row.response_index, i);
        assert.equal(row.n_tokens, idx.length, `${t.study}/${t.participant} response ${i}: token count`);
        assert.ok(Math.abs(row.nll - expected) < 1e-4, `${t.study}/${t.participant} response ${i}: ${row.nll} vs direct ${expected}`);
        compared++;
      });
    }
    assert.ok(compared > 100, `compared ${compared} responses`);
  } finally {
    await dispose();
  }
});

test('windowed scoring keeps every response, and responses in the first window score as without windows', {
  skip,
  timeout: 600_000,
}, async () => {
  const { dir } = await writeRealSubset({ studies: ['thoma2025problearn'], perStudy: 2, maxChars: 2800 });
  const tmp = makeTempDir();
  const full = runHumanlike([
    'eval',
    dir,
    '--model',
    MODEL,
    '--context-size',
    '2048',
    '--gpu',
    'cpu',
    '--db',
    join(tmp, 'full.duckdb'),
    '--json',
  ]);
  const windowed = runHumanlike([
    'eval',
    dir,
    '--model',
    MODEL,
    '--context-size',
    '384',
    '--gpu',
    'cpu',
    '--db',
    join(tmp, 'win.duckdb'),
    '--json',
  ]);
  assert.equal(full.code, 0, full.stderr);
  assert.equal(windowed.code, 0, windowed.stderr);
  const a = await storedRows(join(tmp, 'full.duckdb'));
  const b = await storedRows(join(tmp, 'win.duckdb'));
  assert.equal(b.length, a.length, 'windowing scores every response');
  let same = 0;
  b.forEach((row, i) => {
    const ref = a[i]!;
    assert.equal(row.n_tokens, ref.n_tokens);
    // A response whose context is the whole prefix (it lies in the first window) must score identically.
    if (row.context_tokens === ref.context_tokens) {
      assert.ok(Math.abs(row.nll - ref.nll) < 1e-4, `response ${i}: ${row.nll} vs ${ref.nll}`);
      same++;
    } else {
      // Later windows start half a window (191 tokens, BOS aside) before the first unscored response.
      assert.ok(row.context_tokens >= 191, `context ${row.context_tokens}`);
    }
  });
  assert.ok(same >= 1 && same < b.length, `some responses in the first window (${same}) and some later`);
});

test('record version 3: the stored choice distribution of a real model is one distribution over the set, agreeing with choice_nll', {
  skip,
  timeout: 600_000,
}, async () => {
  const { dir } = await writeRealSubset({ studies: ['thoma2025problearn', 'franke2024bayesian'], perStudy: 2, maxChars: 2400 });
  const db = join(makeTempDir(), 'c.duckdb');
  const r = runHumanlike(['eval', dir, '--model', MODEL, '--context-size', '2048', '--gpu', 'cpu', '--db', db, '--json']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const inst = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
  const c = await inst.connect();
  const q = await c.runAndReadAll(`SELECT count(*)::INTEGER AS n,
      count(*) FILTER (WHERE abs(choice_nll + ln(choice_prob)) < 1e-9 AND choice_prob <= choice_max_prob + 1e-15 AND choice_max_prob >= 1.0 / choice_set_size - 1e-12
        AND choice_entropy >= -1e-12 AND choice_entropy <= ln(choice_set_size) + 1e-9 AND choice_sum_sq >= 1.0 / choice_set_size - 1e-12 AND choice_sum_sq <= 1 + 1e-12
        AND choice_correct_restricted = (choice_prob >= choice_max_prob) AND length(choice_set) = choice_set_size AND contains(choice_set, choice_answer))::INTEGER AS ok
    FROM responses WHERE choice_nll IS NOT NULL`);
  const [row] = q.getRowObjectsJson() as { n: number; ok: number }[];
  c.closeSync();
  inst.closeSync();
  assert.ok(row!.n > 20, `${row!.n} responses with a choice distribution`);
  assert.equal(row!.ok, row!.n);
});
