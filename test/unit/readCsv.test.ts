import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCsv } from '../../src/util/readCsv.js';

test('CSV: quoted fields hold commas, doubled quotes and line breaks; rows know their first line', () => {
  const text = '\uFEFFmodel,notes\r\n"Qwen2.5-7B","a, b"\n"Llama-3.1-8B","line one\nline two ""quoted"""\n\nlast,x\n';
  assert.deepEqual(parseCsv(text), [
    { line: 1, cells: ['model', 'notes'] },
    { line: 2, cells: ['Qwen2.5-7B', 'a, b'] },
    { line: 3, cells: ['Llama-3.1-8B', 'line one\nline two "quoted"'] },
    { line: 6, cells: ['last', 'x'] },
  ]);
  assert.throws(() => parseCsv('a,"open\n'), /line 1: a quoted field is never closed/);
});
