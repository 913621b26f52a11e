import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTempDir } from '../helpers/paths.js';
import { runHumanlike } from '../helpers/runCliProcess.js';

test('--help lists every command with examples', () => {
  const r = runHumanlike(['--help']);
  assert.equal(r.code, 0);
  for (const cmd of ['demo', 'validate', 'split', 'stats']) assert.match(r.stdout, new RegExp(`\\n  ${cmd} `));
  assert.match(r.stdout, /Examples:/);
  for (const cmd of ['demo', 'validate', 'split', 'stats']) {
    const h = runHumanlike([cmd, '--help']);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /Example/);
  }
});

test('demo runs the pipeline offline on the built-in sample', () => {
  const dir = join(makeTempDir(), 'demo');
  const r = runHumanlike(['demo', '--dir', dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /validate: 60 transcripts, 2400 responses, 0 errors/);
  assert.match(r.stdout, /6 of 60 participants held out/);
  assert.match(r.stdout, /sample_bandit\s+Reinforcement Learning\s+1\s+54\s+2,160/);
  assert.ok(existsSync(join(dir, 'split', 'humanlike-split.json')));
});

test('an unknown command or option exits 2 with a hint', () => {
  const r = runHumanlike(['frobnicate']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown command/);
});
