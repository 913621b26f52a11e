import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../test/helpers/paths.js';

/** Median of a list of numbers. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Print a table of rows and write the benchmark's JSON next to the others (bench/results/<name>.json). */
export function reportBench(name: string, rows: Record<string, string | number>[], extra: Record<string, unknown> = {}): void {
  const keys = Object.keys(rows[0] ?? {});
  const width = keys.map((k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length)));
  console.log(`\n== ${name}`);
  console.log(keys.map((k, i) => k.padEnd(width[i]!)).join('  '));
  for (const r of rows) console.log(keys.map((k, i) => String(r[k]).padEnd(width[i]!)).join('  '));
  const dir = join(repoRoot, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), JSON.stringify({ name, date: new Date().toISOString(), rows, ...extra }, null, 1));
}
