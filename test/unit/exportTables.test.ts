import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTranscript } from '../../src/data/parseTranscript.js';
import { contextBefore } from '../../src/store/loadExportTables.js';

test("a response's context: the text after the previous response, cut to its last characters, never inside a surrogate pair", () => {
  const text = 'Rules. You see 😀 now: <<A>>. Then 🙂: <<B>>';
  const t = { text, spans: parseTranscript(text).spans };
  assert.equal(contextBefore(t, 0, 1000), 'Rules. You see 😀 now: ');
  assert.equal(contextBefore(t, 1, 1000), '. Then 🙂: ');
  assert.equal(contextBefore(t, 0, 8), '😀 now: ');
  assert.equal(contextBefore(t, 0, 7), ' now: ', 'a cut falling between the two halves of 😀 drops the half');
  assert.equal(contextBefore(t, 1, 0), '');
  assert.equal(contextBefore(t, 2, 10), '', 'no such response');
});
