import type { CompareResult } from '../analysis/compareModels.js';
import { calibrationChart } from './calibrationChart.js';
import { type ChartSpec, categoricalScale, chartBase } from './chartStyle.js';
import { accuracyChart, chatTemplateChart, fig2Chart, fig3Chart, fig4Chart, fig5Chart } from './paperCharts.js';

export type { ChartRow, ChartSpec } from './chartStyle.js';

export interface DatasetRow {
  study: string;
  domain: string | null;
  participants: number;
  responses: number;
}

/** What the charts need beyond the comparison of the main format. */
export interface ChartExtras {
  /** Chance accuracy: mean over studies of the mean over discrete responses of 1/|choice set| (null: not stored). */
  chance: number | null;
  /** The same comparison for chat-template runs (the paper's Fig. S1), when the store holds them. */
  chat: CompareResult | null;
}

/** The report's charts in the paper's layout, then the dataset overview. Charts without data are left out. */
export function buildCharts(c: CompareResult, dataset: DatasetRow[], extras: ChartExtras = { chance: null, chat: null }): ChartSpec[] {
  const charts = [
    fig2Chart(c),
    fig3Chart(c),
    fig4Chart(c),
    fig5Chart(c),
    accuracyChart(c, extras.chance),
    calibrationChart(c),
    chatTemplateChart(c, extras.chat),
    datasetChart(dataset),
  ];
  return charts.filter((x): x is ChartSpec => x !== null);
}

function datasetChart(dataset: DatasetRow[]): ChartSpec | null {
  if (!dataset.length) return null;
  const rows = dataset.map((d) => ({ ...d, domain: d.domain ?? '(no domain)' }));
  return {
    id: 'dataset-overview',
    title: 'Dataset overview',
    rows,
    caption: 'Responses scored per study (the most any compared run scored), coloured by domain.',
    spec: {
      ...chartBase(),
      width: 480,
      height: Math.max(120, 18 * dataset.length),
      title: 'Responses per study',
      data: { values: rows },
      mark: 'bar',
      encoding: {
        y: { field: 'study', type: 'nominal', sort: '-x', title: null },
        x: { field: 'responses', type: 'quantitative', title: 'Responses scored' },
        // Up to 20 distinct colours: the paper's 11 domains (and "no domain") never share one.
        color: { field: 'domain', type: 'nominal', title: 'Domain', scale: categoricalScale(new Set(rows.map((r) => r.domain)).size) },
        tooltip: [{ field: 'study' }, { field: 'participants' }, { field: 'responses' }],
      },
    },
  };
}
