import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatChartCsv } from '../../src/report/formatChartCsv.js';
import { parseCsv } from '../../src/util/readCsv.js';

test('a chart CSV keeps every column, quotes what needs it, and numbers at full precision', () => {
  const rows = [
    { model: 'a, "b"', d: 0.1 + 0.2, low: null },
    { model: 'c', d: -1 / 3, extra: 'x\ny' },
  ];
  const text = formatChartCsv(rows);
  assert.equal(text.split('\n')[0], 'model,d,low,extra');
  const parsed = parseCsv(text).map((r) => r.cells);
  assert.deepEqual(parsed, [
    ['model', 'd', 'low', 'extra'],
    ['a, "b"', String(0.1 + 0.2), '', ''],
    ['c', String(-1 / 3), '', 'x\ny'],
  ]);
  assert.equal(Number(parsed[1]![1]), 0.1 + 0.2);
});
