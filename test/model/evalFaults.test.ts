import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTempDir, modelsDir, noSharedModels } from '../helpers/paths.js';
import { runHumanlike } from '../helpers/runCliProcess.js';

const skip = noSharedModels;
const MODEL = join(modelsDir, 'stories260K.gguf');

function dataset(studies: Record<string, Record<string, unknown>[]>): string {
  const dir = makeTempDir();
  for (const [study, records] of Object.entries(studies)) {
    mkdirSync(join(dir, study));
    writeFileSync(join(dir, study, 'prompts.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  }
  return dir;
}

const story = 'Once upon a time, there was a little girl named Lily. She loved to play outside in the park. ';

test('a response longer than the context is skipped with its reason; the rest of the transcript is scored', {
  skip,
  timeout: 120_000,
}, () => {
  const long = 'a very long answer '.repeat(40);
  const dir = dataset({
    stories: [{ text: `${story}She said <<yes>>. Then <<${long}>>. At last <<no>>.`, experiment: 'e', participant: 1 }],
  });
  const r = runHumanlike([
    'eval',
    dir,
    '--model',
    MODEL,
    '--context-size',
    '128',
    '--gpu',
    'cpu',
    '--db',
    join(makeTempDir(), 'x.duckdb'),
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const { stats, run } = JSON.parse(r.stdout);
  assert.equal(stats.responsesScored, 2);
  assert.equal(stats.responsesSkipped, 1);
  // llama.cpp rounds the context up (to 256 here): the message names the context actually used.
  assert.match(Object.keys(stats.responseSkipReasons)[0] ?? '', /response of \d+ tokens does not fit the context of (128|256)/);
  assert.equal(run.stats.responsesSkipped, 1, 'the run record says what was skipped');
});

test('a model file that is not GGUF, and a missing one, give one clear line', { skip }, () => {
  const dir = dataset({ s: [{ text: 'Pick <<A>>.', experiment: 'e', participant: 1 }] });
  const fake = join(makeTempDir(), 'model.gguf');
  writeFileSync(fake, 'PK\u0003\u0004 this is a zip, not a model');
  const notGguf = runHumanlike(['eval', dir, '--model', fake, '--gpu', 'cpu', '--db', join(makeTempDir(), 'x.duckdb')]);
  assert.equal(notGguf.code, 2);
  assert.match(notGguf.stderr, /^humanlike: .*model\.gguf: not a GGUF model \(the file does not start with the GGUF magic bytes/);
  assert.doesNotMatch(notGguf.stderr, /\n\s+at /);
  const missing = runHumanlike(['eval', dir, '--model', '/nonexistent/m.gguf', '--gpu', 'cpu', '--db', join(makeTempDir(), 'x.duckdb')]);
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr.trim(), 'humanlike: /nonexistent/m.gguf: model file not found');
});

test('a study where nothing can be scored is recorded with its reasons; other studies are scored', { skip, timeout: 120_000 }, () => {
  const dir = dataset({
    good: [
      { text: `${story}She picked <<A>>.`, experiment: 'e', participant: 1 },
      { text: `${story}He picked <<B>>.`, experiment: 'e', participant: 2 },
    ],
    broken: [
      { text: 'Pick <<A and never close', experiment: 'e', participant: 1 },
      { text: 'Nothing here', experiment: 'e', participant: 2 },
    ],
  });
  const r = runHumanlike([
    'eval',
    dir,
    '--model',
    MODEL,
    '--context-size',
    '256',
    '--gpu',
    'cpu',
    '--db',
    join(makeTempDir(), 'x.duckdb'),
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const { stats } = JSON.parse(r.stdout);
  assert.equal(stats.participantsScored, 2);
  assert.equal(stats.participantsSkipped, 2);
  assert.deepEqual(stats.participantSkipReasons, {
    'invalid record (unbalanced-marker); see humanlike validate': 1,
    'invalid record (no-responses); see humanlike validate': 1,
  });
  assert.deepEqual(
    stats.perStudy.map((s: { study: string }) => s.study),
    ['good'],
  );

  const persona = runHumanlike([
    'eval',
    dir,
    '--model',
    MODEL,
    '--context-size',
    '256',
    '--gpu',
    'cpu',
    '--format',
    'persona',
    '--db',
    join(makeTempDir(), 'y.duckdb'),
    '--json',
  ]);
  // No participant has metadata: refused before the model loads (it used to load it and "complete" with 0 responses).
  assert.equal(persona.code, 2, persona.stderr);
  assert.match(persona.stderr, /--format persona states each participant's metadata, and no participant of good has any/);
});

test('nothing to score at all, and a chat format without a chat template, are refused before any work', { skip }, () => {
  const broken = dataset({ broken: [{ text: 'Pick <<A and never close', experiment: 'e', participant: 1 }] });
  const none = runHumanlike(['eval', broken, '--model', MODEL, '--gpu', 'cpu', '--db', join(makeTempDir(), 'x.duckdb')]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /nothing to score .*humanlike validate/);
  const ok = dataset({ s: [{ text: 'Pick <<A>>.', experiment: 'e', participant: 1 }] });
  const chat = runHumanlike(['eval', ok, '--model', MODEL, '--format', 'chat', '--gpu', 'cpu', '--db', join(makeTempDir(), 'x.duckdb')]);
  assert.equal(chat.code, 2);
  assert.match(chat.stderr, /stories260K\.gguf has no chat template, so --format chat cannot be used/);
});

test('the facts of ../shared/models/README.md hold through the backend', { skip, timeout: 120_000 }, async () => {
  const { LlamaCppBackend } = await import('../../src/backends/LlamaCppBackend.js');
  const backend = await LlamaCppBackend.create({ model: MODEL, gpu: 'cpu', contextSize: 512 });
  try {
    const sample =
      'Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball. She wanted to play with it, but it was too high';
    const tokens = [backend.tokenizer.bos!, ...backend.tokenizer.tokenize(sample, false)];
    assert.equal(tokens.length, 61);
    const positions = tokens.map((_, i) => i).slice(1);
    const [scores] = await backend.scoreTokens([{ tokens, positions }]);
    assert.ok(
      scores!.every((s) => s.top1),
      'every target of the published greedy sample is the top-1 token',
    );
    const perplexity = (text: string): Promise<number> => {
      const t = [backend.tokenizer.bos!, ...backend.tokenizer.tokenize(text, false)];
      return backend
        .scoreTokens([{ tokens: t, positions: t.map((_, i) => i).slice(1) }])
        .then(([s]) => Math.exp(-s!.reduce((a, x) => a + x.logprob, 0) / s!.length));
    };
    const natural = 'Lily was a happy girl. She liked to play with her toys and her friends in the park.';
    const shuffled = natural.split(' ').reverse().join(' ');
    const [pn, ps] = [await perplexity(natural), await perplexity(shuffled)];
    assert.ok(pn < 5, `natural perplexity ${pn}`);
    assert.ok(ps > 20 * pn, `shuffled perplexity ${ps} vs natural ${pn}`);
  } finally {
    await backend.close();
  }
});

test('a complete run is found before the model is loaded; a locked database fails before it', { skip, timeout: 120_000 }, async () => {
  const { copyFileSync, openSync, statSync, utimesSync, writeSync, closeSync } = await import('node:fs');
  const { spawn } = await import('node:child_process');
  const tmp = makeTempDir();
  const dir = dataset({ stories: [{ text: `${story}She said <<yes>>.`, experiment: 'e', participant: 1 }] });
  const model = join(tmp, 'model.gguf');
  copyFileSync(MODEL, model);
  // A whole-second mtime: utimes takes seconds as a float, so an arbitrary millisecond time can come back 1 ms off.
  const whole = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  utimesSync(model, whole, whole);
  const db = join(tmp, 'r.duckdb');
  const args = ['eval', dir, '--model', model, '--context-size', '128', '--gpu', 'cpu', '--db', db, '--json'];
  const first = runHumanlike(args);
  assert.equal(first.code, 0, first.stderr);
  // Spoil the weights but keep size and mtime: a load would now fail, the run's key does not change.
  const { size } = statSync(model);
  const fd = openSync(model, 'r+');
  writeSync(fd, Buffer.alloc(4096, 0x41), 0, 4096, 0);
  closeSync(fd);
  utimesSync(model, whole, whole);
  assert.equal(statSync(model).size, size);
  const again = runHumanlike(args);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout).alreadyComplete, true);
  // Another process holds the database: the error names it, without trying the (spoilt) model first.
  const holder = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { DuckDBInstance } = await import('@duckdb/node-api'); await DuckDBInstance.create(${JSON.stringify(db)}); console.log('ready'); setInterval(() => {}, 1000);`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], cwd: process.cwd() },
  );
  try {
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    const locked = runHumanlike([...args, '--new-run']);
    assert.equal(locked.code, 2, locked.stderr);
    assert.match(locked.stderr, /in use by another process/);
    assert.doesNotMatch(locked.stderr, /GGUF|model/i);
  } finally {
    holder.kill();
  }
});
