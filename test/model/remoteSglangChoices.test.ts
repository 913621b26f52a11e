import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { LlamaCppBackend } from '../../src/backends/LlamaCppBackend.js';
import { RemoteBackend } from '../../src/backends/remote/RemoteBackend.js';
import { startFakeSglang } from '../helpers/fakeSglang.js';
import { makeTempDir, modelsDir, noSharedData, noSharedModels } from '../helpers/paths.js';
import { queryDb } from '../helpers/readDb.js';
import { writeRealSubset } from '../helpers/realSubset.js';
import { runHumanlikeAsync } from '../helpers/runCliAsync.js';

const skip = noSharedModels || noSharedData;
const MODEL = join(modelsDir, 'stories260K.gguf');

interface Row {
  model: string;
  key: string;
  nll: number;
  choice_nll: number | null;
  choice_prob: number | null;
  choice_entropy: number | null;
  choice_max_prob: number | null;
  choice_sum_sq: number | null;
  choice_correct_restricted: boolean | null;
}

test('--protocol sglang stores the same choice distributions as the embedded engine, and compare shows its calibration', {
  skip,
  timeout: 600_000,
}, async () => {
  const { dir } = await writeRealSubset({ studies: ['thoma2025problearn', 'franke2024bayesian'], perStudy: 2, maxChars: 2400 });
  const db = join(makeTempDir(), 'c.duckdb');
  const local = await runHumanlikeAsync(['eval', dir, '--model', MODEL, '--context-size', '2048', '--gpu', 'cpu', '--db', db], {
    timeoutMs: 300_000,
  });
  assert.equal(local.code, 0, local.stderr + local.stdout);
  // The fake server scores with the same engine and model, in this process, while the CLI runs in a child.
  const engine = await LlamaCppBackend.create({ model: MODEL, gpu: 'cpu', contextSize: 2048 });
  const server = await startFakeSglang(engine);
  try {
    const remote = await runHumanlikeAsync(
      ['eval', dir, '--protocol', 'sglang', '--endpoint', server.url, '--tokenizer', MODEL, '--context-size', '2048', '--db', db],
      { timeoutMs: 300_000 },
    );
    assert.equal(remote.code, 0, remote.stderr + remote.stdout);
  } finally {
    await server.close();
    await engine.close();
  }
  const rows = await queryDb<Row>(
    db,
    `SELECT r.model, s.study || '/' || s.participant || '/' || s.response_index AS key, s.nll, s.choice_nll, s.choice_prob,
       s.choice_entropy, s.choice_max_prob, s.choice_sum_sq, s.choice_correct_restricted
     FROM responses s JOIN runs r USING (run_id) ORDER BY key`,
  );
  const byModel = (m: string): Map<string, Row> => new Map(rows.filter((r) => r.model === m).map((r) => [r.key, r]));
  const remoteRows = byModel('fake-sglang');
  const localRows = byModel('stories260K.gguf');
  assert.equal(remoteRows.size, localRows.size);
  let withChoice = 0;
  for (const [key, l] of localRows) {
    const r = remoteRows.get(key)!;
    assert.ok(r, key);
    assert.ok(Math.abs(r.nll - l.nll) < 1e-4, `${key} nll ${r.nll} vs ${l.nll}`);
    for (const col of ['choice_nll', 'choice_prob', 'choice_entropy', 'choice_max_prob', 'choice_sum_sq'] as const) {
      const [a, b] = [r[col], l[col]];
      assert.equal(a === null, b === null, `${key} ${col}: ${a} vs ${b}`);
      if (a !== null && b !== null) assert.ok(Math.abs(a - b) < 1e-4, `${key} ${col}: ${a} vs ${b}`);
    }
    assert.equal(r.choice_correct_restricted, l.choice_correct_restricted, key);
    if (r.choice_prob !== null) withChoice++;
  }
  assert.ok(withChoice > 20, `${withChoice} responses with a choice distribution through SGLang`);

  const cmp = await runHumanlikeAsync(['compare', '--db', db, '--bootstrap', '20'], { timeoutMs: 120_000 });
  assert.equal(cmp.code, 0, cmp.stderr);
  const calibration = cmp.stdout.slice(cmp.stdout.indexOf('Calibration over choice sets'));
  assert.ok(calibration.length > 0 && cmp.stdout.includes('Calibration over choice sets'), cmp.stdout);
  assert.match(calibration, /^\s*fake-sglang\s/m, 'a calibration row for the remote model');
  assert.match(calibration, /^\s*stories260K\.gguf\s/m);
});

test('an SGLang without token_ids_logprob (ignored or refused) still scores: alternatives off, with a warning and a record', {
  skip: noSharedModels,
  timeout: 120_000,
}, async () => {
  const engine = await LlamaCppBackend.create({ model: MODEL, gpu: 'cpu', contextSize: 256 });
  try {
    for (const old of [undefined, 'ignore', 'reject'] as const) {
      const server = await startFakeSglang(engine, old ? { old } : {});
      const warnings: string[] = [];
      try {
        const b = await RemoteBackend.create({
          endpoints: [{ url: server.url }],
          protocol: 'sglang',
          tokenizer: MODEL,
          onWarning: (m) => warnings.push(m),
        });
        assert.equal(b.capabilities.alternatives, old === undefined, `${old}: capabilities.alternatives`);
        if (old === undefined) {
          assert.deepEqual(warnings, []);
          // Through the backend: the alternatives come back at the asked position, in the order asked.
          const tokens = [1, 300, 301, 302];
          const [scores] = await b.scoreTokens([{ tokens, positions: [2, 3], alternatives: new Map([[3, [302, 5, 300]]]) }]);
          assert.equal(scores![0]!.alternatives, undefined);
          const alts = scores![1]!.alternatives!;
          assert.equal(alts.length, 3);
          assert.ok(Math.abs(alts[0]! - scores![1]!.logprob) < 1e-9);
          const [direct] = await engine.scoreTokens([{ tokens, positions: [3], alternatives: new Map([[3, [302, 5, 300]]]) }]);
          for (const [i, v] of direct![0]!.alternatives!.entries())
            assert.ok(Math.abs(v - alts[i]!) < 1e-4, `alternative ${i}: ${v} vs ${alts[i]}`);
        } else {
          assert.equal(warnings.length, 1, `${old}: ${warnings.join('; ')}`);
          assert.match(warnings[0]!, /returns no log-probabilities of given tokens .*choice distributions are not stored/);
          assert.match(
            String(b.identity.details?.['alternatives']),
            old === 'ignore' ? /^off: no meta_info\.input_token_ids_logprobs/ : /^off: .*HTTP 400/,
          );
        }
      } finally {
        await server.close();
      }
    }
  } finally {
    await engine.close();
  }
});
