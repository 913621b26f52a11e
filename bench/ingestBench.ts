/**
 * Ingest throughput: parse + validate all of ../shared/psych201, against the floor of reading the same lines
 * (same unzip and line splitting) and JSON.parse-ing them. Also peak memory of validate on the real data and on a
 * 10× copy, measured in child processes (maxRSS), to show that memory does not grow with input size.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readRawRecords, resolveSource } from '../src/data/readSource.js';
import { validateSource } from '../src/data/validateSource.js';
import { hasPsych201, makeTempDir, psych201Dir } from '../test/helpers/paths.js';
import { median, reportBench, timeMs } from './benchUtil.js';

async function floor(dir: string): Promise<number> {
  let n = 0;
  for await (const raw of readRawRecords(await resolveSource(dir))) {
    const line = raw.json ?? '';
    if (line === '') continue;
    try {
      JSON.parse(line);
    } catch {
      JSON.parse(line.replaceAll(': NaN', ': null'));
    }
    n++;
  }
  return n;
}

function peakRssMb(dir: string): number {
  const script = fileURLToPath(new URL('./validatePeakRss.js', import.meta.url));
  const r = spawnSync(process.execPath, [script, dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return Number(r.stdout.trim()) / 1024;
}

function tenfoldCopy(dir: string): string {
  const out = makeTempDir('humanlike-bench-10x-');
  for (const study of readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (let k = 0; k < 10; k++) {
      const target = join(out, `${study.name}_copy${k}`);
      mkdirSync(target);
      copyFileSync(join(dir, study.name, 'prompts.jsonl.zip'), join(target, 'prompts.jsonl.zip'));
    }
  }
  return out;
}

export async function runIngestBench(): Promise<void> {
  if (!hasPsych201) {
    console.log(`ingest bench skipped: ${psych201Dir} not found`);
    return;
  }
  let records = 0;
  let responses = 0;
  const floorMs: number[] = [];
  const oursMs: number[] = [];
  for (let i = 0; i < 3; i++) {
    floorMs.push(await timeMs(async () => void (records = await floor(psych201Dir))));
    oursMs.push(await timeMs(async () => void (responses = (await validateSource(psych201Dir)).responses)));
  }
  const f = median(floorMs);
  const o = median(oursMs);
  const copy = tenfoldCopy(psych201Dir);
  const rssReal = peakRssMb(psych201Dir);
  const rss10 = peakRssMb(copy);
  rmSync(copy, { recursive: true, force: true });
  reportBench(
    'ingest',
    [
      { measure: 'floor: unzip + split lines + JSON.parse', ms: f.toFixed(0), 'records/s': Math.round(records / (f / 1000)) },
      { measure: 'humanlike: parse + validate', ms: o.toFixed(0), 'records/s': Math.round(records / (o / 1000)) },
      { measure: 'throughput ratio (ours / floor), target >= 0.5', ms: '', 'records/s': (f / o).toFixed(2) },
      { measure: 'peak RSS validate, real data (MB)', ms: '', 'records/s': rssReal.toFixed(0) },
      { measure: 'peak RSS validate, 10x copy (MB)', ms: '', 'records/s': rss10.toFixed(0) },
      { measure: 'memory ratio 10x / 1x (flat = 1)', ms: '', 'records/s': (rss10 / rssReal).toFixed(2) },
    ],
    { records, responses, floorMs, oursMs, rssRealMb: rssReal, rss10xMb: rss10, ratio: f / o },
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await runIngestBench();
