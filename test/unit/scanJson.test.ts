import assert from 'node:assert/strict';
import { test } from 'node:test';
import { locateInJsonString, replacePythonLiterals, scanJson } from '../../src/data/scanJson.js';

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
