import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alignSpans } from '../../src/scoring/alignSpans.js';
import { pinnedHead, planWindows } from '../../src/scoring/planWindows.js';

const ranges = (pieces: string[]): { starts: Int32Array; ends: Int32Array } => {
  const starts = new Int32Array(pieces.length);
  const ends = new Int32Array(pieces.length);
  let c = 0;
  pieces.forEach((p, i) => {
    starts[i] = c;
    c += p.length;
    ends[i] = c;
  });
  return { starts, ends };
};

test('alignSpans: overlapping tokens belong to the response, straddles are flagged', () => {
  // "a <<AB>> c" tokenized as a| <<|A|B>>| c
  const { starts, ends } = ranges(['a', ' <<', 'A', 'B>>', ' c']);
  const [x] = alignSpans([{ start: 4, end: 6 }], starts, ends);
  assert.deepEqual(x, { first: 2, last: 3, straddleStart: false, straddleEnd: true });
  // " <<A" merged: the first token straddles the start.
  const r2 = ranges(['a', ' <<A', 'B', '>>']);
  assert.deepEqual(alignSpans([{ start: 4, end: 6 }], r2.starts, r2.ends)[0], {
    first: 1,
    last: 2,
    straddleStart: true,
    straddleEnd: false,
  });
});

test('alignSpans: byte tokens sharing a character range and empty tokens', () => {
  const starts = Int32Array.from([0, 3, 3, 4, 6]);
  const ends = Int32Array.from([3, 4, 4, 6, 8]);
  // tokens 1 and 2 are two byte-tokens of the character at [3,4)
  assert.deepEqual(alignSpans([{ start: 3, end: 4 }], starts, ends)[0], { first: 1, last: 2, straddleStart: false, straddleEnd: false });
  // an empty token at a boundary is outside, strictly inside is inside
  const s2 = Int32Array.from([0, 2, 2, 3]);
  const e2 = Int32Array.from([2, 2, 3, 4]);
  assert.deepEqual(alignSpans([{ start: 2, end: 4 }], s2, e2)[0], { first: 2, last: 3, straddleStart: false, straddleEnd: false });
  assert.deepEqual(alignSpans([{ start: 1, end: 3 }], s2, e2)[0], { first: 0, last: 2, straddleStart: true, straddleEnd: false });
});

test('planWindows: one window when it fits; otherwise every response once, with at least half a window of context', () => {
  const responses = Array.from({ length: 40 }, (_, i) => ({ first: 20 + i * 25, last: 21 + i * 25 }));
  const fits = planWindows(1100, responses, 2048, 1);
  assert.equal(fits.windows.length, 1);
  assert.equal(fits.windows[0]!.responses.length, 40);
  const plan = planWindows(1100, responses, 256, 1);
  const seen = plan.windows.flatMap((w) => w.responses);
  assert.deepEqual(
    seen,
    responses.map((_, i) => i),
    'each response exactly once, in order',
  );
  assert.equal(plan.unscorable.length, 0);
  for (const w of plan.windows) {
    const size = w.end - w.start + w.head;
    assert.ok(size <= 256, `window of ${size}`);
    for (const i of w.responses) {
      const r = responses[i]!;
      assert.ok(r.first > w.start && r.last < w.end, 'response inside its window');
      const context = r.first - w.start + w.head;
      assert.ok(w.start === 0 || context >= 127, `context ${context}`);
    }
  }
  const total = plan.windows.reduce((n, w) => n + (w.end - w.start), 0);
  assert.ok(total <= 2.2 * 1100, `work ${total} tokens for 1100`);
});

test('planWindows: every later window pins the head (instructions, persona prefix) before the recent context', () => {
  // 60 head tokens before the first response at 60, then a response every 20 tokens up to 2000.
  const responses = Array.from({ length: 97 }, (_, i) => ({ first: 60 + 20 * i, last: 61 + 20 * i }));
  const plan = planWindows(2000, responses, 256, 60);
  assert.deepEqual(
    plan.windows.flatMap((w) => w.responses),
    responses.map((_, i) => i),
  );
  for (const w of plan.windows.slice(1)) {
    assert.equal(w.head, 60, 'the whole head is pinned');
    assert.ok(w.start >= 60 && w.head + (w.end - w.start) <= 256, `window ${w.start}-${w.end}`);
    for (const i of w.responses)
      assert.ok(responses[i]!.first - w.start >= 97, 'at least half of the remaining capacity as recent context');
  }
  assert.equal(pinnedHead(60, 256), 60);
  assert.equal(pinnedHead(900, 256), 64, 'at most a quarter of the context');
});

test('planWindows: a response longer than the context, and one with no context, are unscorable with reasons', () => {
  const plan = planWindows(
    1000,
    [
      { first: 0, last: 1 },
      { first: 10, last: 12 },
      { first: 300, last: 700 },
    ],
    256,
    0,
  );
  assert.deepEqual(
    plan.unscorable.map((u) => u.index),
    [0, 2],
  );
  assert.match(plan.unscorable[0]!.reason, /no preceding context/);
  assert.match(plan.unscorable[1]!.reason, /401 tokens does not fit the context of 256/);
  assert.deepEqual(
    plan.windows.flatMap((w) => w.responses),
    [1],
  );
});

test('mapReadToGiven: whitespace a tokenizer drops or adds is absorbed; other changes are refused', async () => {
  const { mapReadToGiven } = await import('../../src/backends/tokenizeWithOffsets.js');
  // Given "<|end|>\n<|a|>\nA" but the model reads "<|end|><|a|> A".
  const given = '<|end|>\n<|a|>\nA';
  const read = '<|end|><|a|> A';
  const map = mapReadToGiven(read, given)!;
  assert.equal(given[map[read.indexOf('A')]!], 'A');
  assert.equal(map[read.indexOf('<|a|>')], given.indexOf('<|a|>'));
  assert.equal(given[map[read.indexOf(' ')]!], '\n', 'an added space stands where the given newline was');
  assert.equal(map[read.length], given.length);
  assert.equal(mapReadToGiven('abc', 'abd'), undefined);
  assert.equal(mapReadToGiven('ab', 'abc'), undefined);
});
