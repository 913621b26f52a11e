import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTempDir } from '../helpers/paths.js';
import { runHumanlike } from '../helpers/runCliProcess.js';

/** A dataset of two studies of 20 participants each. */
function writeTwoStudies(): string {
  const root = makeTempDir();
  for (const study of ['alpha', 'beta']) {
    mkdirSync(join(root, study));
    const lines = Array.from({ length: 20 }, (_, p) =>
      JSON.stringify({ text: `pick <<${p % 2 ? 'A' : 'B'}>>`, experiment: `${study}/e`, participant: p }),
    );
    writeFileSync(join(root, study, 'prompts.jsonl'), lines.join('\n') + '\n');
  }
  return root;
}

test('re-running split into its own earlier output rewrites it whole: no folder outlives the manifest', () => {
  const source = writeTwoStudies();
  const out = join(makeTempDir(), 'split');
  assert.equal(runHumanlike(['split', source, '--seed', '2', '--out', out]).code, 0);
  assert.deepEqual(readdirSync(out).sort(), ['alpha', 'beta', 'humanlike-split.json']);

  const again = runHumanlike(['split', source, '--seed', '2', '--out', out, '--study', 'alpha']);
  assert.equal(again.code, 0, again.stderr);
  // The other study's folder is gone with the old manifest: its held-out participants cannot leak into training.
  assert.deepEqual(readdirSync(out).sort(), ['alpha', 'humanlike-split.json']);
  const manifest = JSON.parse(readFileSync(join(out, 'humanlike-split.json'), 'utf8')) as { studies: Record<string, unknown> };
  assert.deepEqual(Object.keys(manifest.studies), ['alpha']);
  // Nothing is left beside it (the temporary folder was renamed into place).
  assert.deepEqual(readdirSync(join(out, '..')), ['split']);
  const train = JSON.parse(runHumanlike(['stats', out, '--train-only', '--json']).stdout) as { participants: number };
  assert.equal(train.participants, 18);
});

test('split refuses a non-empty folder that is not a split, and leaves it untouched', () => {
  const source = writeTwoStudies();
  const out = makeTempDir();
  writeFileSync(join(out, 'notes.txt'), 'mine');
  const r = runHumanlike(['split', source, '--out', out]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /exists and is not empty/);
  assert.deepEqual(readdirSync(out), ['notes.txt']);
});

test('a split that fails part-way leaves the earlier output as it was', () => {
  const source = writeTwoStudies();
  const out = join(makeTempDir(), 'split');
  assert.equal(runHumanlike(['split', source, '--seed', '2', '--out', out]).code, 0);
  const before = readFileSync(join(out, 'humanlike-split.json'), 'utf8');
  const r = runHumanlike(['split', join(source, 'nonexistent'), '--seed', '3', '--out', out]);
  assert.equal(r.code, 2);
  assert.equal(readFileSync(join(out, 'humanlike-split.json'), 'utf8'), before);
  assert.ok(existsSync(join(out, 'beta', 'prompts.jsonl')));
  assert.deepEqual(readdirSync(join(out, '..')), ['split']);
});
