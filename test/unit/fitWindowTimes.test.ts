import assert from 'node:assert/strict';
import { test } from 'node:test';
import { estimateSeconds, fitWindowTimes } from '../../src/eval/fitWindowTimes.js';

test('fitWindowTimes recovers a·n + b·n² from timed windows, and estimates other lengths from it', () => {
  const a = 2e-3;
  const b = 1e-7;
  const timings = [64, 512, 2048].map((n) => ({ tokens: n, seconds: a * n + b * n * n }));
  const fit = fitWindowTimes(timings);
  assert.ok(Math.abs(fit.a - a) / a < 1e-9, `a ${fit.a}`);
  assert.ok(Math.abs(fit.b - b) / b < 1e-6, `b ${fit.b}`);
  // Two windows of 4,096 tokens: 2·(a·4096 + b·4096²).
  assert.ok(Math.abs(estimateSeconds(fit, 8192, 2 * 4096 ** 2) - 2 * (a * 4096 + b * 4096 ** 2)) < 1e-9);
});

test('fitWindowTimes falls back to one rate when every window has one length or the fit would go negative', () => {
  assert.deepEqual(
    fitWindowTimes([
      { tokens: 100, seconds: 1 },
      { tokens: 100, seconds: 3 },
    ]),
    { a: 0.02, b: 0 },
  );
  // Longer windows faster per token (noise): no negative a or b.
  const fit = fitWindowTimes([
    { tokens: 100, seconds: 2 },
    { tokens: 1000, seconds: 3 },
  ]);
  assert.equal(fit.b, 0);
  assert.ok(fit.a > 0);
});
