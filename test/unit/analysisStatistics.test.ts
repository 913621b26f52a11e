import assert from 'node:assert/strict';
import { test } from 'node:test';
import { averageIntervals, bootstrapMeanD, meanStudyD, type PairedStudy } from '../../src/analysis/bootstrap.js';
import { cohensD, type Moments } from '../../src/analysis/cohensD.js';
import { inferModelFacts, resolveModelFacts } from '../../src/analysis/modelTable.js';

const moments = (xs: number[]): Moments => ({ n: xs.length, sum: xs.reduce((a, b) => a + b, 0), sumSq: xs.reduce((a, b) => a + b * b, 0) });

test("Cohen's d with pooled sample SD, against a hand calculation", () => {
  // base: 1, 2, 3 (mean 2, sample var 1); post: 2, 4, 6 (mean 4, sample var 4); d = 2 / sqrt((1 + 4) / 2) = 1.264911…
  assert.ok(Math.abs(cohensD(moments([1, 2, 3]), moments([2, 4, 6])) - 2 / Math.sqrt(2.5)) < 1e-12);
  assert.ok(Math.abs(cohensD(moments([2, 4, 6]), moments([1, 2, 3])) + 2 / Math.sqrt(2.5)) < 1e-12);
});

test('the average is over studies of per-study d, not a pooled d', () => {
  // Study 1: base [1,2,3] post [2,4,6]: d1 = 1.2649; study 2: base [0,0,1,1] post [0,1,1,1]: means .5 and .75,
  // sample vars 1/3 and 1/4: d2 = .25 / sqrt(7/24) = 0.46291.
  const s1: PairedStudy = { study: 's1', a: [moments([1]), moments([2]), moments([3])], b: [moments([2]), moments([4]), moments([6])] };
  const s2: PairedStudy = { study: 's2', a: [moments([0, 0]), moments([1, 1])], b: [moments([0, 1]), moments([1, 1])] };
  const r = meanStudyD([s1, s2]);
  const d1 = 2 / Math.sqrt(2.5);
  const d2 = 0.25 / Math.sqrt(7 / 24);
  assert.ok(Math.abs(r.perStudy[0]! - d1) < 1e-12);
  assert.ok(Math.abs(r.perStudy[1]! - d2) < 1e-12);
  assert.ok(Math.abs(r.mean - (d1 + d2) / 2) < 1e-12);
});

test('bootstrap: a known answer when participants are identical within studies', () => {
  // Within a study every participant has the same data, so resampling participants changes nothing; resampling
  // two studies gives d1, the mean, or d2 with probabilities 1/4, 1/2, 1/4: the 95% interval is [d1, d2].
  const same = (base: number[], post: number[], n: number): PairedStudy => ({
    study: 'x',
    a: Array.from({ length: n }, () => moments(base)),
    b: Array.from({ length: n }, () => moments(post)),
  });
  // Ten copies of [1,2,3]: sample variance 20/29 in both arms, so d = shift / sqrt(20/29).
  const unit = 1 / Math.sqrt(20 / 29);
  const sA = same([1, 2, 3], [2, 3, 4], 10); // d1 = unit
  const sB = same([1, 2, 3], [3, 4, 5], 10); // d2 = 2 unit
  const r = bootstrapMeanD([sA, sB], 4000, 7);
  assert.ok(Math.abs(r.estimate - 1.5 * unit) < 1e-12);
  assert.ok(Math.abs(r.low - unit) < 1e-9 && Math.abs(r.high - 2 * unit) < 1e-9, `${r.low} ${r.high}`);
  const shares = [1, 1.5, 2].map((v) => r.draws.filter((x) => Math.abs(x - v * unit) < 1e-9).length / r.draws.length);
  assert.ok(Math.abs(shares[0]! - 0.25) < 0.03 && Math.abs(shares[1]! - 0.5) < 0.03 && Math.abs(shares[2]! - 0.25) < 0.03, `${shares}`);
  // Identical studies: a degenerate interval.
  const one = bootstrapMeanD([sA, sA], 200, 1);
  assert.ok(Math.abs(one.low - unit) < 1e-12 && Math.abs(one.high - unit) < 1e-12);
  const avg = averageIntervals([
    { ...r, draws: r.draws },
    { ...one, draws: one.draws },
  ])!;
  assert.ok(Math.abs(avg.estimate - 1.25 * unit) < 1e-12);
});

test('model facts inferred from names, pairs found, unknown families listed', () => {
  const names = [
    'Qwen2.5-7B',
    'Qwen2.5-7B-Instruct-Q8_0.gguf',
    'Llama-3.1-8B',
    'Llama-3.1-8B-Instruct',
    'DeepSeek-R1-Distill-Qwen-7B',
    'Qwen2.5-VL-7B-Instruct',
    'mystery-model',
  ];
  const f = inferModelFacts('Qwen2.5-7B-Instruct-Q8_0.gguf', names)!;
  assert.deepEqual(f, {
    model: 'Qwen2.5-7B-Instruct-Q8_0.gguf',
    family: 'Qwen',
    generation: '2.5',
    sizeB: 7,
    type: 'instruct',
    base: 'Qwen2.5-7B',
  });
  assert.equal(inferModelFacts('Llama-3.1-8B-Instruct', names)?.base, 'Llama-3.1-8B');
  assert.equal(inferModelFacts('Llama-3.1-8B', names)?.type, 'base');
  assert.equal(inferModelFacts('Qwen2.5-VL-7B-Instruct', names)?.type, 'vision');
  assert.equal(inferModelFacts('DeepSeek-R1-Distill-Qwen-7B', names)?.type, 'reasoning');
  assert.equal(inferModelFacts('Qwen2.5-0.5B', names)?.sizeB, 0.5);
  assert.deepEqual(resolveModelFacts(names).unclassified, ['mystery-model']);
});
