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

test('the built executable runs directly (the build keeps its executable bit, as npx needs)', async () => {
  const { spawnSync } = await import('node:child_process');
  const { cliPath } = await import('../helpers/paths.js');
  const r = spawnSync(cliPath, ['--version'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.error?.message ?? ''} ${r.stderr}`);
  assert.match(r.stdout, /^\d+\.\d+\.\d+/);
});

test('with HUMANLIKE_REQUIRE_SHARED=1 (as in CI), tests that need ../shared fail instead of skipping when it is missing', async () => {
  const { spawnSync } = await import('node:child_process');
  const { repoRoot } = await import('../helpers/paths.js');
  const file = join(repoRoot, 'dist', 'test', 'model', 'evalFaults.test.js');
  // NODE_TEST_CONTEXT would make the child report to this runner instead of printing its own summary.
  const { NODE_TEST_CONTEXT: _context, ...parentEnv } = process.env;
  const env = { ...parentEnv, HUMANLIKE_SHARED: join(makeTempDir(), 'no-shared') };
  const skipped = spawnSync(process.execPath, ['--test', file], { encoding: 'utf8', env: { ...env, HUMANLIKE_REQUIRE_SHARED: '' } });
  assert.equal(skipped.status, 0);
  assert.match(skipped.stdout, /# skipped [1-9]/);
  const required = spawnSync(process.execPath, ['--test', file], { encoding: 'utf8', env: { ...env, HUMANLIKE_REQUIRE_SHARED: '1' } });
  assert.notEqual(required.status, 0);
  assert.match(required.stdout, /# fail [1-9]/);
});

test('output into a pipe that closes early (| head) ends quietly: no stack trace, exit 141 like other Unix tools', async () => {
  const { spawnSync } = await import('node:child_process');
  const { cliPath } = await import('../helpers/paths.js');
  for (const args of ['--help', 'eval --help', 'demo --help']) {
    // `true` exits without reading, so every write of humanlike meets a closed pipe.
    const r = spawnSync('bash', ['-c', `"$0" "$1" ${args} | true; echo "status=\${PIPESTATUS[0]}" >&2`, process.execPath, cliPath], {
      encoding: 'utf8',
    });
    assert.doesNotMatch(r.stderr, /EPIPE|Error|at /, args);
    assert.match(r.stderr, /status=(0|141)\n$/, args);
  }
});
