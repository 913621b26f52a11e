import { join, resolve } from 'node:path';
import { type CompareOptions, compareModels } from '../analysis/compareModels.js';
import { readTranscripts } from '../data/readTranscripts.js';
import { chanceAccuracySql, datasetOverviewSql, HARDEST_RESPONSES_SQL } from '../store/queries.js';
import type { ResultsStore, RunRecord } from '../store/ResultsStore.js';
import { ensureDir, ensureParentDir, writeOutputFile } from '../util/outputFiles.js';
import { sqlString } from '../util/sqlString.js';
import { buildReport, type ResponseExample } from './buildReport.js';
import { buildCharts, type DatasetRow } from './charts.js';
import { formatChartCsv } from './formatChartCsv.js';
import { renderSvg, svgToPng } from './renderChart.js';

/** Default file of the report, under the working directory. */
export const DEFAULT_REPORT = 'humanlike-report.html';

export interface ReportOptions extends CompareOptions {
  out: string;
  /** Also write each chart as PNG / SVG into these folders. */
  pngDir?: string;
  svgDir?: string;
  /** Write each chart's data as CSV into this folder (default: beside the PNG, else the SVG files). */
  csvDir?: string;
  /** The dataset the runs scored: adds the hardest responses with their context. */
  source?: string;
}

/** The dataset overview over the compared runs (never a run of another comparison set). */
async function datasetRows(store: ResultsStore, runIds: readonly string[], domains: CompareOptions['domains']): Promise<DatasetRow[]> {
  if (!runIds.length) return [];
  const rows = await store.query<{ study: string; participants: number; responses: number }>(datasetOverviewSql(runIds));
  return rows.map((r) => ({ ...r, domain: domains?.get(r.study) ?? null }));
}

async function chanceAccuracy(
  store: ResultsStore,
  c: { format: string; runs: { runId: string; format: string }[] },
): Promise<number | null> {
  const ids = c.runs.filter((r) => r.format === c.format).map((r) => sqlString(r.runId));
  if (!ids.length) return null;
  const [row] = await store.query<{ chance: number | null }>(chanceAccuracySql(ids));
  return row?.chance ?? null;
}

async function hardestResponses(store: ResultsStore, runs: RunRecord[], source: string): Promise<ResponseExample[]> {
  // The runs that scored this very dataset, a model's before a baseline's.
  const mine = runs.filter((r) => r.source === resolve(source) && r.status === 'complete');
  const first = mine.find((r) => r.promptFormat === 'raw' && !r.model.startsWith('baseline:')) ?? mine[0];
  if (!first) return [];
  const picks = await store.query<{
    study: string;
    experiment: string;
    participant: string;
    char_start: number;
    char_end: number;
    nll: number;
  }>(HARDEST_RESPONSES_SQL, [first.runId]);
  const out: ResponseExample[] = [];
  for await (const { transcript: t } of readTranscripts(source, {
    studies: [...new Set(picks.map((p) => p.study))],
    ignoreMissingStudies: true,
  })) {
    if (!t) continue;
    for (const p of picks) {
      if (p.study !== t.study || p.experiment !== t.experiment || p.participant !== t.participant) continue;
      out.push({
        study: t.study,
        participant: t.participant,
        model: first.model,
        nll: p.nll,
        before: t.text.slice(Math.max(0, p.char_start - 2 - 160), p.char_start - 2),
        response: t.text.slice(p.char_start, p.char_end),
      });
    }
  }
  return out.sort((a, b) => a.study.localeCompare(b.study) || b.nll - a.nll);
}

/** Compare the stored runs, render the charts, and write the self-contained HTML report (and PNG/SVG files). */
export async function writeReport(store: ResultsStore, o: ReportOptions): Promise<{ charts: string[]; files: string[] }> {
  const compare = await compareModels(store, o);
  // Fig. S1 needs the chat-template runs' scores too (no intervals: only the scores are plotted).
  const chat =
    compare.format === 'raw' && compare.runs.some((r) => r.format === 'chat')
      ? await compareModels(store, { ...o, format: 'chat', bootstrap: 0 })
      : null;
  const compared = compare.runs.map((r) => r.runId);
  const dataset = await datasetRows(store, compared, o.domains);
  const specs = buildCharts(compare, dataset, { chance: await chanceAccuracy(store, compare), chat });
  const charts = await Promise.all(specs.map(async (s) => ({ ...s, svg: await renderSvg(s.spec) })));
  const used = new Set(compare.runs.map((r) => r.runId));
  // Examples come from a run of the compared set that scored --source, else from any run that did (a baseline scored
  // alone forms a comparison set of its own).
  const all = (await store.listRuns()) as RunRecord[];
  const runs = all.filter((r) => used.has(r.runId));
  const examples = o.source ? await hardestResponses(store, [...runs, ...all.filter((r) => !used.has(r.runId))], o.source) : [];
  const files: string[] = [o.out];
  await ensureParentDir(o.out);
  await writeOutputFile(o.out, buildReport({ compare, charts, runs, examples, generatedAt: new Date().toISOString() }));
  for (const [dir, ext] of [
    [o.svgDir, 'svg'],
    [o.pngDir, 'png'],
  ] as const) {
    if (!dir) continue;
    await ensureDir(dir);
    for (const c of charts) {
      const file = join(dir, `${c.id}.${ext}`);
      await writeOutputFile(file, ext === 'svg' ? c.svg : svgToPng(c.svg));
      files.push(file);
    }
  }
  const csvDir = o.csvDir ?? o.pngDir ?? o.svgDir;
  if (csvDir) {
    await ensureDir(csvDir);
    for (const c of charts) {
      const file = join(csvDir, `${c.id}.csv`);
      await writeOutputFile(file, formatChartCsv(c.rows));
      files.push(file);
    }
  }
  return { charts: charts.map((c) => c.id), files };
}
