import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { evalConfigSchema } from '../../src/eval/evalConfig.js';
import { evaluate } from '../../src/eval/evaluate.js';
import { TokenScorer } from '../../src/scoring/TokenScorer.js';
import { createFakeBackend } from '../helpers/fakeBackend.js';
import { makeTempDir } from '../helpers/paths.js';

function dataset(texts: string[]): string {
  const dir = makeTempDir();
  mkdirSync(join(dir, 's'));
  writeFileSync(
    join(dir, 's', 'prompts.jsonl'),
    texts.map((text, i) => JSON.stringify({ text, experiment: 'e', participant: i })).join('\n') + '\n',
  );
  return dir;
}

test("a tokenizer that changes one participant's text is a recorded skip of that participant, not a backend failure", async () => {
  // NFKC turns the ligature ﬁ into "fi": detokenize(tokenize(text)) no longer gives the text back.
  const dir = dataset(['You pick <<A>> then <<B>>.', 'The ﬁrst pick: <<B>>.', 'Again <<A>>.']);
  const scorer = new TokenScorer(createFakeBackend({ normalize: (t) => t.normalize('NFKC') }), { format: 'raw', policy: 'windowed' });
  const config = evalConfigSchema.parse({
    source: dir,
    db: join(makeTempDir(), 'r.duckdb'),
    model: { kind: 'baseline', name: 'uniform' },
    errorBudget: 1,
  });
  const r = await evaluate(config, { scorer });
  assert.equal(r.run.status, 'complete', 'a deterministic problem of one text never leaves the run interrupted');
  assert.equal(r.stats.participantsScored, 2);
  assert.equal(r.stats.participantsSkipped, 1);
  assert.equal(r.stats.responsesScored, 3);
  assert.match(Object.keys(r.stats.participantSkipReasons)[0] ?? '', /tokenizer changes this text beyond whitespace/);
  assert.equal(r.session?.participantsFailed, 0, 'the backend error budget is not spent');
});

test('a run with skipped responses enters compare with its skipped share; an unfinished model is named, not dropped', async () => {
  const { runHumanlike } = await import('../helpers/runCliProcess.js');
  const dir = dataset(['You pick <<A>> then <<B>>.', 'The ﬁrst pick: <<B>>.', 'Again <<A>>.', 'Once more <<B>>.']);
  const db = join(makeTempDir(), 'r.duckdb');
  const scorer = new TokenScorer(createFakeBackend({ normalize: (t) => t.normalize('NFKC') }), { format: 'raw', policy: 'windowed' });
  await evaluate(evalConfigSchema.parse({ source: dir, db, model: { kind: 'baseline', name: 'uniform' } }), { scorer });
  // A second model whose run never finished.
  await evaluate(evalConfigSchema.parse({ source: dir, db, model: { kind: 'baseline', name: 'frequency' } }));
  const { ResultsStore } = await import('../../src/store/ResultsStore.js');
  const store = await ResultsStore.open(db);
  await store.connection.run(`UPDATE runs SET status = 'interrupted' WHERE model = 'baseline:frequency'`);
  store.close();
  const c = JSON.parse(runHumanlike(['compare', '--db', db, '--bootstrap', '0', '--json']).stdout);
  const fake = c.models.find((m: { model: string }) => m.model === 'fake-model');
  assert.ok(Math.abs(fake.skippedShare - 1 / 5) < 1e-12, `${fake.skippedShare}: 1 of 5 responses skipped`);
  assert.deepEqual(
    c.notCompared.map((x: { model: string; status: string }) => [x.model, x.status]),
    [['baseline:frequency', 'interrupted']],
  );
  const runs = runHumanlike(['runs', '--db', db]).stdout;
  assert.match(runs, /fake-model\s+raw\s+windowed\s+all\s+complete\s+4\s+4\s+1\s/);
});
