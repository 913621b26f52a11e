import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTranscript } from '../../src/data/parseTranscript.js';

const contents = (text: string): string[] => parseTranscript(text).spans.map((s) => text.slice(s.start, s.end));
const codes = (text: string): string[] => parseTranscript(text).problems.map((p) => p.code);

test('spans are the characters strictly inside the markers', () => {
  const text = 'You press <<A>>. Alien A wins. You type <<a long answer>> now.';
  assert.deepEqual(contents(text), ['A', 'a long answer']);
  assert.deepEqual(parseTranscript(text).spans[0], { start: 12, end: 13 });
  assert.deepEqual(codes(text), []);
});

test('offsets are right around multi-byte characters (UTF-16 units)', () => {
  const text = 'Wähle 🙂 <<Ä😀>> und <<日本>>';
  assert.deepEqual(contents(text), ['Ä😀', '日本']);
});

test('unbalanced, nested, empty and misused markers are errors at their offsets', () => {
  assert.deepEqual(
    parseTranscript('a <<b').problems.map((p) => [p.code, p.offset]),
    [['unbalanced-marker', 2]],
  );
  assert.deepEqual(
    parseTranscript('a b>> c').problems.map((p) => [p.code, p.offset]),
    [['unbalanced-marker', 3]],
  );
  assert.deepEqual(codes('x <<a <<b>> c'), ['nested-marker']);
  assert.deepEqual(contents('x <<a <<b>> c <<d>>'), ['d']);
  assert.deepEqual(codes('x <<>> y'), ['empty-response']);
  assert.deepEqual(codes('x <<  >> y'), ['empty-response']);
  assert.deepEqual(codes('if a >>> 2 then'), ['marker-misuse', 'unbalanced-marker']);
});

test('format hazards are warnings: glued marker and newline after >>', () => {
  const glued = parseTranscript('press <<A>>then');
  assert.deepEqual(
    glued.problems.map((p) => [p.severity, p.code, p.offset]),
    [['warning', 'marker-glued', 9]],
  );
  assert.deepEqual(contents('press <<A>>then'), ['A']);
  assert.deepEqual(codes('press <<A>>\nnext'), ['marker-newline']);
  assert.deepEqual(codes('press <<A>>. next'), []);
});
