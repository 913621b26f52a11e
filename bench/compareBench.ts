/**
 * `compare` at the full scale of Psych-201: a synthetic store of 26M response rows from 100 models (50 base /
 * instruct pairs with planted effects), against DuckDB's bare scan of the same table. Time and peak memory of each
 * are measured in child processes; the planted Cohen's d must be recovered.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from '../test/helpers/paths.js';
import { type SyntheticModel, writeSyntheticStore } from '../test/helpers/syntheticStore.js';
import { reportBench, timeMs } from './benchUtil.js';

function child(
  db: string,
  task: string,
): { ms: number; maxRssMb: number; rows?: number; groups?: number; pairs?: { post: string; d: number; low: number; high: number }[] } {
  const script = fileURLToPath(new URL('./compareChild.js', import.meta.url));
  const r = spawnSync(process.execPath, [script, db, task], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

export async function runCompareBench(): Promise<void> {
  const families = ['Qwen', 'Llama', 'Gemma', 'Phi', 'OLMo'];
  const models: SyntheticModel[] = [];
  const planted = new Map<string, number>();
  // 5 families × 2 generations × 5 sizes = 50 pairs, 100 models; planted d grows with the generation.
  for (const f of families)
    for (const gen of ['2', '3'])
      for (const size of ['0.5', '1.5', '3', '7', '14']) {
        const name = `${f}${gen}-${size}B`;
        const d = (gen === '2' ? 0.2 : 0.4) + families.indexOf(f) * 0.02;
        models.push(
          { model: name, shift: -0.05 * Math.log(Number(size)) },
          { model: `${name}-Instruct`, shift: -0.05 * Math.log(Number(size)) + d },
        );
        planted.set(`${name}-Instruct`, d);
      }
  const dir = makeTempDir('humanlike-bench-compare-');
  const db = join(dir, 'store.duckdb');
  const size = { studies: 20, participants: 130, responses: 100 }; // 260,000 rows per model
  const buildMs = await timeMs(() => writeSyntheticStore(db, models, size));
  const scan = child(db, 'scan');
  const group = child(db, 'group');
  const compare = child(db, 'compare');
  const errors = (compare.pairs ?? []).map((p) => Math.abs(p.d - (planted.get(p.post) ?? Number.NaN)));
  const covered = (compare.pairs ?? []).filter((p) => {
    const t = planted.get(p.post)!;
    return p.low <= t && t <= p.high;
  }).length;
  rmSync(dir, { recursive: true, force: true });
  reportBench(
    'compare',
    [
      { measure: 'rows in the store', value: scan.rows ?? 0 },
      { measure: 'models / pairs', value: `${models.length} / ${compare.pairs?.length ?? 0}` },
      { measure: 'build synthetic store (s)', value: (buildMs / 1000).toFixed(1) },
      { measure: 'DuckDB bare scan: time (s), peak RSS (MB)', value: `${(scan.ms / 1000).toFixed(2)}, ${scan.maxRssMb.toFixed(0)}` },
      {
        measure: 'compare (1000 bootstrap reps): time (s), peak RSS (MB)',
        value: `${(compare.ms / 1000).toFixed(2)}, ${compare.maxRssMb.toFixed(0)}`,
      },
      {
        measure: 'DuckDB GROUP BY participant: time (s), peak RSS (MB)',
        value: `${(group.ms / 1000).toFixed(2)}, ${group.maxRssMb.toFixed(0)}`,
      },
      { measure: 'time ratio compare / bare scan', value: (compare.ms / scan.ms).toFixed(1) },
      { measure: 'time ratio compare / GROUP BY participant', value: (compare.ms / group.ms).toFixed(1) },
      { measure: 'memory ratio compare / bare scan', value: (compare.maxRssMb / scan.maxRssMb).toFixed(2) },
      { measure: 'max |d − planted d| over pairs', value: Math.max(...errors).toFixed(4) },
      { measure: '95% intervals covering the planted d', value: `${covered} / ${compare.pairs?.length ?? 0}` },
    ],
    { scan, group, compare: { ms: compare.ms, maxRssMb: compare.maxRssMb }, loadAverage: (await import('node:os')).loadavg() },
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await runCompareBench();
