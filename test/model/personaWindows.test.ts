import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTempDir, modelsDir, noSharedData, noSharedModels } from '../helpers/paths.js';
import { queryDb } from '../helpers/readDb.js';
import { writeRealSubset } from '../helpers/realSubset.js';
import { runHumanlike } from '../helpers/runCliProcess.js';

const skip = noSharedModels || noSharedData;
const MODEL = join(modelsDir, 'stories260K.gguf');

test('every window keeps the persona prefix: on transcripts longer than the context, persona and raw NLLs differ in later windows too', {
  skip,
  timeout: 300_000,
}, async () => {
  // guenther2023associations_individual has age metadata and transcripts far longer than a 512-token context.
  const { dir } = await writeRealSubset({ studies: ['guenther2023associations_individual'], perStudy: 8 });
  const db = join(makeTempDir(), 'p.duckdb');
  for (const format of ['raw', 'persona']) {
    const r = runHumanlike([
      'eval',
      dir,
      '--model',
      MODEL,
      '--context-size',
      '512',
      '--gpu',
      'cpu',
      '--format',
      format,
      '--db',
      db,
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
  }
  const rows = await queryDb<{ n: number; same: number; later: number; later_same: number; pinned: number }>(
    db,
    `
    SELECT count(*)::INTEGER AS n, count(*) FILTER (WHERE abs(r.nll - p.nll) < 1e-9)::INTEGER AS same,
           count(*) FILTER (WHERE p.context_tokens < r.response_index)::INTEGER AS later,
           count(*) FILTER (WHERE r.char_start > 3000 AND abs(r.nll - p.nll) < 1e-9)::INTEGER AS later_same,
           count(*) FILTER (WHERE p.prefix_in_view AND r.prefix_in_view)::INTEGER AS pinned
    FROM responses r JOIN responses p USING (study, experiment, participant, response_index)
    JOIN runs ur ON ur.run_id = r.run_id JOIN runs up ON up.run_id = p.run_id
    WHERE ur.prompt_format = 'raw' AND up.prompt_format = 'persona'`,
  );
  const x = rows[0]!;
  assert.ok(x.n > 100, `${x.n} paired responses`);
  // Before: 393 of 420 responses had the same NLL with and without the persona (it existed only in the first window).
  assert.ok(x.same / x.n < 0.05, `${x.same} of ${x.n} responses unaffected by the persona`);
  assert.equal(x.later_same, 0, 'responses far past the first window still see the persona');
  assert.equal(x.pinned, x.n, 'the persona prefix was in view for every response');
});
