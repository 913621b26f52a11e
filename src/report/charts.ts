import type { CompareResult } from '../analysis/compareModels.js';

/** A Vega-Lite spec with what the report says about it. */
export interface ChartSpec {
  id: string;
  title: string;
  caption: string;
  spec: Record<string, unknown>;
}

export interface DatasetRow {
  study: string;
  domain: string | null;
  participants: number;
  responses: number;
}

const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';
const base = (width: number, height: number): Record<string, unknown> => ({
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  width,
  height,
  background: 'white',
  padding: 12,
  config: { font: FONT, axis: { labelFontSize: 11, titleFontSize: 12, labelLimit: 420 }, legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 260, titleLimit: 320 }, title: { fontSize: 14, anchor: 'start' } },
});

/** The report's charts, from a comparison and the dataset overview. Charts without data are left out. */
export function buildCharts(c: CompareResult, dataset: DatasetRow[]): ChartSpec[] {
  const charts: ChartSpec[] = [];
  const sized = c.models.filter((m) => m.facts?.sizeB);
  if (sized.length) {
    charts.push({
      id: 'nll-vs-size',
      title: 'Response NLL against model size',
      caption: 'Alignment score (mean over studies of the mean response NLL, nats; lower is more human-like) by parameter count, per family and model type.',
      spec: {
        ...base(520, 320),
        title: 'Alignment score vs. model size',
        // One line per family, generation and type: models of one series across sizes.
        data: { values: sized.map((m) => ({ model: m.model, size: m.facts!.sizeB, score: m.score, series: `${m.facts!.family} ${m.facts!.generation}`, type: m.facts!.type, line: `${m.facts!.family} ${m.facts!.generation} ${m.facts!.type}` })) },
        layer: [
          { mark: { type: 'line', opacity: 0.6 }, encoding: { x: { field: 'size', type: 'quantitative', scale: { type: 'log', nice: false, padding: 20 }, title: 'Parameters (billions, log scale)' }, y: { field: 'score', type: 'quantitative', title: 'Mean response NLL (nats)', scale: { zero: false, padding: 10 } }, detail: { field: 'line' }, color: { field: 'series', type: 'nominal', title: 'Family and generation' }, strokeDash: { field: 'type', type: 'nominal', title: 'Type' } } },
          { mark: { type: 'point', filled: true, size: 90 }, encoding: { x: { field: 'size', type: 'quantitative' }, y: { field: 'score', type: 'quantitative' }, color: { field: 'series', type: 'nominal' }, shape: { field: 'type', type: 'nominal', title: 'Type' }, tooltip: [{ field: 'model' }, { field: 'score', format: '.3f' }] } },
        ],
      },
    });
  }
  const gens = c.byGeneration.filter((g) => g.d);
  if (gens.length) {
    charts.push({
      id: 'misalignment-by-generation',
      title: 'Post-training misalignment by generation',
      caption: "Mean over (base, post-trained) pairs of the mean over studies of Cohen's d (post − base) with 95% bootstrap intervals; above 0 the post-trained model is less human-like.",
      spec: {
        ...base(480, 280),
        title: "Misalignment (Cohen's d) by model generation",
        data: { values: gens.map((g) => ({ generation: `${g.family} ${g.generation}`, d: g.d!.estimate, low: g.d!.low, high: g.d!.high, pairs: g.pairs })) },
        layer: [
          { mark: { type: 'rule', color: '#888', strokeDash: [4, 4] }, encoding: { y: { datum: 0 } } },
          { mark: { type: 'rule', strokeWidth: 2 }, encoding: { x: { field: 'generation', type: 'ordinal', sort: null, title: 'Family and generation', axis: { labelAngle: 0 } }, y: { field: 'low', type: 'quantitative', title: "Cohen's d (post-trained − base), 95% CI" }, y2: { field: 'high' } } },
          { mark: { type: 'point', filled: true, size: 100, color: '#c0392b' }, encoding: { x: { field: 'generation', type: 'ordinal', sort: null }, y: { field: 'd', type: 'quantitative' }, tooltip: [{ field: 'generation' }, { field: 'd', format: '.3f' }, { field: 'pairs' }] } },
        ],
      },
    });
  }
  if (c.domains && c.domains.rows.length) {
    const cells = c.domains.rows.flatMap((r) => r.values.map((v, i) => ({ pair: r.pair, domain: c.domains!.domains[i], d: v }))).filter((x) => x.d !== null);
    const extent = Math.max(0.1, ...cells.map((x) => Math.abs(x.d as number)));
    charts.push({
      id: 'domain-heatmap',
      title: 'Misalignment by domain',
      caption: "Mean Cohen's d (post − base) over the studies of each domain, per pair. Red: post-trained less human-like; blue: more.",
      spec: {
        ...base(Math.max(300, 70 * c.domains.domains.length), Math.max(80, 28 * c.domains.rows.length)),
        title: "Misalignment (Cohen's d) by domain",
        data: { values: cells },
        encoding: { x: { field: 'domain', type: 'nominal', title: 'Domain', axis: { labelAngle: -30 } }, y: { field: 'pair', type: 'nominal', title: null } },
        layer: [
          { mark: 'rect', encoding: { color: { field: 'd', type: 'quantitative', title: "Cohen's d", scale: { scheme: 'redblue', reverse: true, domain: [-extent, extent] } } } },
          { mark: { type: 'text', fontSize: 10 }, encoding: { text: { field: 'd', type: 'quantitative', format: '.2f' } } },
        ],
      },
    });
  }
  if (c.persona.length) {
    const values = c.persona.flatMap((p) => [
      ['persona vs raw', p.personaVsRaw], ['shuffled persona vs raw', p.shuffledVsRaw], ['persona vs shuffled persona', p.personaVsShuffled],
    ].filter(([, i]) => i).map(([name, i]) => ({ model: p.model, comparison: name, d: (i as { estimate: number }).estimate, low: (i as { low: number }).low, high: (i as { high: number }).high })));
    charts.push({
      id: 'persona-benefit',
      title: 'Persona benefit',
      caption: "Cohen's d of response NLL between prompt formats on the same participants, 95% bootstrap intervals. Below 0 the first format predicts better; the shuffled persona (another participant's metadata) is the control.",
      spec: {
        ...base(460, 40 + 30 * values.length),
        title: 'Does stating the participant help? (same participants)',
        data: { values: values.map((v) => ({ ...v, label: `${v.model}: ${v.comparison}` })) },
        layer: [
          { mark: { type: 'rule', color: '#888', strokeDash: [4, 4] }, encoding: { x: { datum: 0 } } },
          { mark: { type: 'rule', strokeWidth: 2 }, encoding: { y: { field: 'label', type: 'nominal', title: null, sort: null }, x: { field: 'low', type: 'quantitative', title: "Cohen's d (first − second format), 95% CI" }, x2: { field: 'high' } } },
          { mark: { type: 'point', filled: true, size: 90 }, encoding: { y: { field: 'label', type: 'nominal', sort: null }, x: { field: 'd', type: 'quantitative' }, color: { field: 'comparison', type: 'nominal', title: 'Comparison' }, tooltip: [{ field: 'label' }, { field: 'd', format: '.3f' }] } },
        ],
      },
    });
  }
  const accuracy = c.models.flatMap((m) => [
    ...(m.accuracy !== null ? [{ model: m.model, kind: 'full vocabulary (argmax)', accuracy: m.accuracy }] : []),
    ...(m.accuracyRestricted !== null ? [{ model: m.model, kind: 'restricted to the options', accuracy: m.accuracyRestricted }] : []),
  ]);
  if (accuracy.length) {
    charts.push({
      id: 'accuracy',
      title: 'Accuracy on discrete choices',
      caption: "Share of discrete responses (single capital letters) predicted correctly, mean over studies: the model's argmax over the whole vocabulary, and over the study's options only.",
      spec: {
        ...base(480, Math.max(120, 34 * new Set(accuracy.map((a) => a.model)).size)),
        title: 'Accuracy on discrete responses',
        data: { values: accuracy },
        encoding: {
          y: { field: 'model', type: 'nominal', title: null },
          yOffset: { field: 'kind' },
          x: { field: 'accuracy', type: 'quantitative', title: 'Accuracy', axis: { format: '%' }, scale: { domain: [0, 1] } },
          color: { field: 'kind', type: 'nominal', title: 'Prediction' },
          tooltip: [{ field: 'model' }, { field: 'kind' }, { field: 'accuracy', format: '.1%' }],
        },
        // Values are printed too, so that a bar of 0% is still visible as a number.
        layer: [{ mark: 'bar' }, { mark: { type: 'text', align: 'left', dx: 4, fontSize: 10 }, encoding: { text: { field: 'accuracy', format: '.1%' }, color: { value: '#333' } } }],
      },
    });
  }
  if (dataset.length) {
    charts.push({
      id: 'dataset-overview',
      title: 'Dataset overview',
      caption: 'Responses scored per study (the run with the most responses), coloured by domain.',
      spec: {
        ...base(480, Math.max(120, 18 * dataset.length)),
        title: 'Responses per study',
        data: { values: dataset.map((d) => ({ ...d, domain: d.domain ?? '(no domain)' })) },
        mark: 'bar',
        encoding: {
          y: { field: 'study', type: 'nominal', sort: '-x', title: null },
          x: { field: 'responses', type: 'quantitative', title: 'Responses scored' },
          color: { field: 'domain', type: 'nominal', title: 'Domain' },
          tooltip: [{ field: 'study' }, { field: 'participants' }, { field: 'responses' }],
        },
      },
    });
  }
  return charts;
}
