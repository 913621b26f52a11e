import type { ChartRow } from './chartStyle.js';

const cell = (v: string | number | null): string => {
  if (v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** A chart's rows as RFC 4180 CSV: the header is every column in order of first appearance; numbers at full precision. */
export function formatChartCsv(rows: readonly ChartRow[]): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return [columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c] ?? null)).join(','))].join('\n') + '\n';
}
