import { meanOf } from './alignmentScores.js';
import type { PairResult } from './misalignmentPairs.js';

export interface DomainMatrix {
  domains: string[];
  rows: { pair: string; values: (number | null)[]; mean: number | null }[];
  columnMeans: (number | null)[];
}

/** Pairs × domains: each cell the mean d over the pair's studies in that domain (the paper's Fig. 4). */
export function domainMatrix(pairs: readonly PairResult[]): DomainMatrix | null {
  if (pairs.length === 0) return null;
  const names = [...new Set(pairs.flatMap((p) => p.perStudy.map((s) => s.domain ?? '(none)')))].sort();
  const rows = pairs.map((p) => {
    const values = names.map((d) => meanOf(p.perStudy.filter((s) => (s.domain ?? '(none)') === d).map((s) => s.d)));
    return { pair: `${p.post} vs ${p.base}`, values, mean: meanOf(values) };
  });
  return { domains: names, rows, columnMeans: names.map((_, i) => meanOf(rows.map((r) => r.values[i] ?? null))) };
}
