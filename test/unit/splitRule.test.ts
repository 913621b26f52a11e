import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { chooseTestSet, testSetSize } from '../../src/data/splitRule.js';

test('test set size is min(floor(10%), 100)', () => {
  assert.deepEqual([0, 9, 10, 19, 125, 999, 1000, 1001, 4673].map(testSetSize), [0, 0, 1, 1, 12, 99, 100, 100, 100]);
});

const ids = (n: number, exp = 'e'): { experiment: string; participant: string }[] =>
  Array.from({ length: n }, (_, i) => ({ experiment: exp, participant: String(i) }));

test('the split is the participants with the smallest sha256 of (seed, study, experiment, participant)', () => {
  const chosen = chooseTestSet(7, 'studyA', ids(50));
  const expected = ids(50)
    .map((id) => ({ id, h: createHash('sha256').update(`7\u0000studyA\u0000e\u0000${id.participant}`).digest('hex') }))
    .sort((a, b) => a.h.localeCompare(b.h))
    .slice(0, 5)
    .map((x) => x.id);
  assert.deepEqual(chosen, expected);
});

test('the split does not depend on input order, and depends on the seed', () => {
  const a = chooseTestSet(1, 's', ids(300));
  const b = chooseTestSet(1, 's', ids(300).reverse());
  assert.deepEqual(a, b);
  assert.notDeepEqual(chooseTestSet(2, 's', ids(300)), a);
});

test('adding participants moves few others', () => {
  const beforeRanked = chooseTestSet(3, 's', ids(500)).map((i) => i.participant);
  const before = new Set(beforeRanked);
  const after = chooseTestSet(3, 's', ids(520)).map((i) => i.participant);
  assert.equal(after.length, 52);
  // No old participant moves into the test set: the only entrants are new participants.
  const entrants = after.filter((p) => !before.has(p));
  assert.ok(
    entrants.every((p) => Number(p) >= 500),
    `old participants entered: ${entrants}`,
  );
  // The old ones that stay are the best-ranked of the old set: only those at the cut-off are pushed out.
  const stayed = new Set(after.filter((p) => before.has(p)));
  assert.deepEqual(new Set(beforeRanked.slice(0, stayed.size)), stayed);
  assert.ok(stayed.size >= 32);
});

test('duplicate ids count once', () => {
  assert.equal(chooseTestSet(1, 's', [...ids(20), ...ids(20)]).length, 2);
});
