import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTempDir } from '../helpers/paths.js';
import { runHumanlike } from '../helpers/runCliProcess.js';

test('demo: each step has its own heading, and each baseline is explained in one line', () => {
  const r = runHumanlike(['demo', '--dir', join(makeTempDir(), 'demo')]);
  assert.equal(r.code, 0, r.stderr);
  const headings = r.stdout.split('\n').filter((l) => /^\d+\. /.test(l));
  assert.deepEqual(
    headings.map((h) => Number(h.split('.')[0])),
    [1, 2, 3, 4, 5, 6, 7],
  );
  assert.equal(
    new Set(headings.map((h) => h.replace(/^\d+\. /, '').split(':')[0])).size,
    headings.length,
    `repeated headings:\n${headings.join('\n')}`,
  );
  assert.match(r.stdout, /\n5\. eval, uniform baseline \(chance\), on the 6 held-out participants:\n {3}\S.*ln K.*\n/);
  assert.match(r.stdout, /\n6\. eval, frequency baseline, on the 6 held-out participants:\n {3}\S.*\n/);
  // The frequency baseline is below chance on this task, and the demo says why.
  assert.match(r.stdout, /sample_bandit\s+6\s+240\s+0\.708\s+-0\.022/);
  assert.match(r.stdout, /below chance when options are randomised across people/);
});
