import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspectJsonShape, locateInJsonString, replacePythonLiterals, scanJson } from '../../src/data/scanJson.js';

test('finds Python NaN/Infinity outside strings only', () => {
  const line = '{"text": "NaN is fine <<x>>", "age": NaN, "y": [1, -Infinity, Infinity]}';
  const scan = scanJson(line);
  assert.equal(scan.errorAt, -1);
  assert.equal(scan.pythonLiterals.length, 3);
  assert.equal(line.slice(scan.pythonLiterals[0], scan.pythonLiterals[0]! + 3), 'NaN');
  const fixed = JSON.parse(replacePythonLiterals(line, scan.pythonLiterals));
  assert.deepEqual(fixed, { text: 'NaN is fine <<x>>', age: null, y: [1, null, null] });
});

test('reports the position and expectation of a syntax error', () => {
  assert.deepEqual(scanJson('{"a": 1,}').errorAt, 8);
  assert.match(scanJson('{"a": 1,}').expected, /string/);
  assert.equal(scanJson('{"a": tru}').errorAt, 6);
  assert.equal(scanJson('{"a": "x"} trailing').errorAt, 11);
  assert.equal(scanJson('{"a": "unterminated').errorAt, 19);
});

test('locates a character of a string value in the raw line, through escapes', () => {
  const line = '{"experiment": "e", "text": "a\\n\\"b\\u00e9 <<c>>"}';
  const decoded = JSON.parse(line).text as string;
  const offset = decoded.indexOf('<<');
  const col = locateInJsonString(line, 'text', offset);
  assert.equal(line.slice(col, col + 2), '<<');
  assert.equal(locateInJsonString(line, 'missing', 0), -1);
});

test('deep nesting never overflows the stack: 100,000 levels scan to a position', () => {
  const open = '['.repeat(100_000);
  assert.deepEqual([scanJson(open).errorAt, scanJson(open).expected], [100_000, 'a JSON value']);
  const closed = '{"a": ' + open + 'NaN' + ']'.repeat(100_000) + '}';
  const scan = scanJson(closed);
  assert.equal(scan.errorAt, -1);
  assert.deepEqual(scan.pythonLiterals, [100_006]);
  assert.equal(scanJson('{"a": [1, {"b": [2]}, 3}').errorAt, 23);
});

test('inspectJsonShape: the first container past the depth limit and duplicate keys at any depth', () => {
  const deep = '{"a": ' + '['.repeat(300) + ']'.repeat(300) + '}';
  assert.equal(inspectJsonShape(deep, 256).tooDeepAt, 6 + 255);
  assert.equal(inspectJsonShape(deep, 301).tooDeepAt, -1);
  const dup = '{"text": "a \\"text\\": b", "x": {"k": 1, "k\\u0020": 2, "k": 3}, "text": "c"}';
  assert.doesNotThrow(() => JSON.parse(dup));
  const shape = inspectJsonShape(dup, 256);
  assert.deepEqual(
    shape.duplicates.map((d) => [d.key, dup.slice(d.at, d.at + 4)]),
    [
      ['k', '"k":'],
      ['text', '"tex'],
    ],
  );
  assert.deepEqual(inspectJsonShape('{"a": 1, "b": [{"a": 2}, {"a": 3}]}', 256).duplicates, []);
});
