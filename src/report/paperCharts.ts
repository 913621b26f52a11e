import type { CompareResult, ModelScore } from '../analysis/compareModels.js';
import { average, type ChartRow, type ChartSpec, categoricalScale, chartBase, panelsOf, typeColourScale } from './chartStyle.js';

type Sized = ModelScore & { facts: NonNullable<ModelScore['facts']> & { sizeB: number } };
const sizedModels = (c: CompareResult): Sized[] =>
  c.models.filter((m): m is Sized => typeof m.facts?.sizeB === 'number' && m.facts.sizeB > 0);
const LOG_SIZE = { type: 'log', nice: false, padding: 14 };
const byFamilyAndSize = (a: Sized, b: Sized): number =>
  a.facts.family.localeCompare(b.facts.family) || a.facts.sizeB - b.facts.sizeB || a.model.localeCompare(b.model);

/** The paper's pivot: models of one panel, size and type averaged (e.g. Llama 8B base = Meta-Llama-3-8B and Llama-3.1-8B). */
function pivot(
  models: Sized[],
  value: (m: Sized) => number | null,
): { panel: string; size_b: number; type: string; models: string; value: number }[] {
  const panel = panelsOf(models.map((m) => m.facts));
  const groups = new Map<string, Sized[]>();
  for (const m of models.filter((x) => value(x) !== null)) {
    const k = `${panel(m.facts)}\u0000${m.facts.sizeB}\u0000${m.facts.type}`;
    groups.set(k, [...(groups.get(k) ?? []), m]);
  }
  return [...groups.values()]
    .map((ms) => ({
      panel: panel(ms[0]!.facts),
      size_b: ms[0]!.facts.sizeB,
      type: ms[0]!.facts.type,
      models: ms.map((m) => m.model).join('; '),
      value: average(ms.map((m) => value(m)!)),
    }))
    .sort((a, b) => a.panel.localeCompare(b.panel) || a.type.localeCompare(b.type) || a.size_b - b.size_b);
}

/** Panels side by side, one per family, sharing the y axis. */
const facetByPanel = (width: number, height: number, layer: unknown[]): Record<string, unknown> => ({
  facet: { column: { field: 'panel', type: 'nominal', title: null, header: { labelFontWeight: 'bold' } } },
  spec: { width, height, layer },
  resolve: { scale: { x: 'independent' } },
});

/** Fig. 2: response NLL against size, a panel per family, a line per type. */
export function fig2Chart(c: CompareResult): ChartSpec | null {
  const rows = pivot(sizedModels(c), (m) => m.score).map(({ value, ...r }) => ({ ...r, nll: value }));
  if (!rows.length) return null;
  const colour = { field: 'type', type: 'nominal', title: 'Model type', scale: typeColourScale(rows.map((r) => r.type)) };
  const x = { field: 'size_b', type: 'quantitative', scale: LOG_SIZE, title: 'Parameters (billions, log scale)' };
  const y = {
    field: 'nll',
    type: 'quantitative',
    scale: { zero: false, padding: 10 },
    title: 'Mean response NLL (nats; lower = more human-like)',
  };
  return {
    id: 'fig2-nll-vs-size',
    title: 'Fig. 2 — Response NLL against model size',
    rows,
    caption:
      'Alignment score (per study the mean response NLL, then the mean over studies; nats) by parameter count, one panel per family and major generation, one line per model type. Models of one panel, size and type are averaged, as in the paper (the CSV names them).',
    spec: {
      ...chartBase(),
      title: 'Response NLL vs. model size',
      data: { values: rows },
      ...facetByPanel(240, 340, [
        { mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y, color: colour } },
        {
          mark: { type: 'point', filled: true, size: 70 },
          encoding: { x, y, color: colour, tooltip: [{ field: 'models' }, { field: 'nll', format: '.3f' }] },
        },
      ]),
    },
  };
}

/** Fig. 3: base NLL by generation (left), each pair's misalignment by generation as a box with its points (right). */
export function fig3Chart(c: CompareResult): ChartSpec | null {
  const order = c.byGeneration.map((g) => `${g.family} ${g.generation}`);
  const series = (f: { family: string; generation: string }): string => `${f.family} ${f.generation}`;
  const left: ChartRow[] = sizedModels(c)
    .filter((m) => m.facts.type === 'base' && m.score !== null)
    .sort(byFamilyAndSize)
    .map((m) => ({
      panel: 'base NLL',
      series: series(m.facts),
      model: m.model,
      base: null,
      type: 'base',
      size_b: m.facts.sizeB,
      value: m.score,
    }));
  // Only the pairs of each generation's general-purpose post-training, as in byGeneration's means and the paper.
  const postType = new Map(c.byGeneration.map((g) => [series(g), g.postType]));
  const right: ChartRow[] = c.pairs
    .filter((p) => p.type === postType.get(series(p)))
    .map((p) => ({
      panel: 'misalignment',
      series: series(p),
      model: p.post,
      base: p.base,
      type: p.type,
      size_b: c.models.find((m) => m.model === p.post)?.facts?.sizeB ?? null,
      value: p.d.estimate,
    }));
  if (!right.length) return null;
  const used = order.filter((g) => [...left, ...right].some((r) => r['series'] === g));
  const colour = { field: 'series', type: 'nominal', title: 'Generation', sort: used, scale: categoricalScale(used.length) };
  const gx = { field: 'series', type: 'nominal', sort: used, title: 'Generation', axis: { labelAngle: -30 } };
  const dy = { field: 'value', type: 'quantitative', title: "Misalignment (Cohen's d)" };
  return {
    id: 'fig3-generations',
    title: 'Fig. 3 — Model generations',
    rows: [...left, ...right],
    caption: `Left: base models' response NLL by size, one line per generation. Right: each (base, post-trained) pair's Cohen's d (mean over studies; > 0 = the post-trained model is less human-like), grouped by generation: box from the lowest to the highest pair with the quartiles, black tick = mean, points = pairs. ${fig3Pairs(c)}`,
    spec: {
      ...chartBase(),
      title: 'Model generations',
      data: { values: [...left, ...right] },
      hconcat: [
        {
          width: 300,
          height: 260,
          title: 'Base models',
          transform: [{ filter: "datum.panel === 'base NLL'" }],
          layer: [
            {
              mark: { type: 'line', strokeWidth: 2 },
              encoding: {
                x: { field: 'size_b', type: 'quantitative', scale: LOG_SIZE, title: 'Parameters (billions, log scale)' },
                y: { field: 'value', type: 'quantitative', scale: { zero: false, padding: 10 }, title: 'Mean response NLL (nats)' },
                color: colour,
              },
            },
            {
              mark: { type: 'point', filled: true, size: 60 },
              encoding: {
                x: { field: 'size_b', type: 'quantitative' },
                y: { field: 'value', type: 'quantitative' },
                color: colour,
                tooltip: [{ field: 'model' }, { field: 'value', format: '.3f' }],
              },
            },
          ],
        },
        {
          width: Math.max(200, 70 * used.length),
          height: 260,
          title: 'Base → post-trained pairs',
          transform: [{ filter: "datum.panel === 'misalignment'" }],
          layer: [
            { mark: { type: 'rule', color: '#888', strokeDash: [4, 4] }, encoding: { y: { datum: 0 } } },
            {
              mark: { type: 'boxplot', extent: 'min-max', opacity: 0.35, median: { color: 'transparent' }, size: 36 },
              encoding: { x: gx, y: dy, color: colour },
            },
            {
              mark: { type: 'tick', color: '#111', thickness: 2, size: 36 },
              encoding: { x: gx, y: { aggregate: 'mean', field: 'value', type: 'quantitative' } },
            },
            {
              mark: { type: 'point', filled: true, size: 55, stroke: 'white', strokeWidth: 0.6 },
              encoding: {
                x: gx,
                y: dy,
                color: colour,
                shape: { field: 'type', type: 'nominal', title: 'Post-training' },
                tooltip: [{ field: 'model' }, { field: 'base' }, { field: 'type' }, { field: 'value', format: '.3f', title: 'd' }],
              },
            },
          ],
        },
      ],
    },
  };
}

/** Fig. 3's caption on its right panel: which post-training type each generation is drawn with, and what is left out. */
function fig3Pairs(c: CompareResult): string {
  const shown = c.byGeneration
    .filter((g) => g.pairs || g.leftOut.length)
    .map((g) => {
      const what = g.postType ? `${g.postType} (${g.pairs} ${g.pairs === 1 ? 'pair' : 'pairs'})` : 'none (no instruct or reasoning pair)';
      return `${g.family} ${g.generation}: ${what}`;
    });
  return `A generation is drawn with the pairs of its general-purpose post-training only, as its by-generation mean: instruct where it has an instruct model, else reasoning (the paper's Fig. 3a: Qwen2 and Qwen2.5 Instruct, Qwen3 and Qwen3.5 the reasoning models). Here ${shown.join('; ')}. Other pairs (code, math, vision, behavioural fine-tunes, and reasoning distills beside an instruct model) are in the pair tables and the by-type means, not here.`;
}

/** Fig. 4: pairs × domains, rows sorted by their mean (most human-like post-training first) and an Average row. */
export function fig4Chart(c: CompareResult): ChartSpec | null {
  const m = c.domains;
  if (!m?.rows.length) return null;
  const short = new Map(c.pairs.map((p) => [`${p.post} vs ${p.base}`, p.post]));
  const rows = [...m.rows].sort((a, b) => (a.mean ?? Infinity) - (b.mean ?? Infinity));
  const columns = m.domains
    .map((d, i) => ({ d, mean: m.columnMeans[i] ?? null }))
    .sort((a, b) => (a.mean ?? Infinity) - (b.mean ?? Infinity))
    .map((x) => x.d);
  const cells: ChartRow[] = rows.flatMap((r) =>
    r.values.map((v, i) => ({ row: short.get(r.pair) ?? r.pair, pair: r.pair, domain: m.domains[i]!, d: v })).filter((x) => x.d !== null),
  );
  const average: ChartRow[] = m.columnMeans
    .map((v, i) => ({ row: 'Average', pair: '', domain: m.domains[i]!, d: v }))
    .filter((x) => x.d !== null);
  const all = [...cells, ...average];
  const extent = Math.max(0.05, ...all.map((x) => Math.abs(x.d as number)));
  const rowOrder = [...rows.map((r) => short.get(r.pair) ?? r.pair), 'Average'];
  return {
    id: 'fig4-domains',
    title: 'Fig. 4 — Post-training misalignment by domain',
    rows: all,
    caption: `Mean Cohen's d (post − base) over the studies of each domain, per pair (rows named by the post-trained model; its base is in the tables). Rows sorted by their mean, columns by theirs; the last row averages the pairs. Red: the post-trained model is less human-like; blue: more. Symmetric scale ±${extent.toFixed(2)} (the largest |d|).`,
    spec: {
      ...chartBase(),
      title: "Post-training misalignment (Cohen's d) by domain",
      data: { values: all },
      width: Math.max(300, 62 * columns.length),
      height: 24 * rowOrder.length,
      encoding: {
        x: { field: 'domain', type: 'nominal', sort: columns, title: null, axis: { labelAngle: -35, orient: 'bottom' } },
        y: { field: 'row', type: 'nominal', sort: rowOrder, title: null },
      },
      layer: [
        {
          mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
          encoding: {
            color: {
              field: 'd',
              type: 'quantitative',
              title: "Cohen's d",
              scale: { scheme: 'redblue', reverse: true, domain: [-extent, extent], clamp: true },
            },
            tooltip: [{ field: 'pair' }, { field: 'domain' }, { field: 'd', format: '.3f' }],
          },
        },
        ...[
          ["datum.row !== 'Average'", 'normal'],
          ["datum.row === 'Average'", 'bold'],
        ].map(([test, weight]) => ({
          transform: [{ filter: test }],
          mark: { type: 'text', fontSize: 10, fontWeight: weight },
          encoding: {
            text: { field: 'd', type: 'quantitative', format: '.2f' },
            color: { condition: { test: `abs(datum.d) > ${0.6 * extent}`, value: 'white' }, value: '#111' },
          },
        })),
      ],
    },
  };
}

/** Fig. 5: per model, the benefit of stating the participant (−d of persona vs raw), base and post-trained panels. */
export function fig5Chart(c: CompareResult): ChartSpec | null {
  const facts = new Map(c.models.map((m) => [m.model, m.facts]));
  const order = [...c.persona].sort((a, b) => {
    const fa = facts.get(a.model),
      fb = facts.get(b.model);
    return (fa?.family ?? '').localeCompare(fb?.family ?? '') || (fa?.sizeB ?? 0) - (fb?.sizeB ?? 0) || a.model.localeCompare(b.model);
  });
  // Stored d is persona − raw (negative when the persona helps); the paper plots raw − persona, so the sign flips.
  const rows: ChartRow[] = order.flatMap((p) =>
    p.perStudy.map((s) => ({
      panel: facts.get(p.model)?.type === 'base' ? 'Base models' : facts.get(p.model) ? 'Post-trained models' : 'Unclassified models',
      model: p.model,
      family: facts.get(p.model)?.family ?? null,
      type: facts.get(p.model)?.type ?? null,
      study: s.study,
      benefit: -s.d,
    })),
  );
  if (!rows.length) return null;
  const panels = ['Base models', 'Post-trained models', 'Unclassified models'].filter((x) => rows.some((r) => r['panel'] === x));
  // The panel's name is its x-axis title (below the models: panel titles above would not line up).
  const px = (panel: string): Record<string, unknown> => ({
    field: 'model',
    type: 'nominal',
    sort: order.map((p) => p.model),
    title: panel,
    axis: { labelAngle: -35, titleFontSize: 13, titlePadding: 8 },
  });
  const y = {
    field: 'benefit',
    type: 'quantitative',
    title: ["Metadata benefit (Cohen's d, raw − persona)", '> 0: stating the participant helped'],
  };
  const colour = { field: 'family', type: 'nominal', title: 'Family', scale: categoricalScale(new Set(rows.map((r) => r['family'])).size) };
  return {
    id: 'fig5-persona',
    title: 'Fig. 5 — Does stating the participant help?',
    rows,
    caption:
      "Per model and study, Cohen's d of response NLL without minus with the participant's metadata stated before the transcript (same participants and responses), so positive = the metadata helped (the sign of the paper's Fig. 5; compare's table prints the opposite sign, persona − raw). Box: lowest to highest study with quartiles; black tick: the mean over studies; points: studies.",
    spec: {
      ...chartBase(),
      title: 'Metadata benefit per model',
      data: { values: rows },
      // One view per panel (not a facet): each panel's x holds only its own models, the y axis is shared.
      hconcat: panels.map((panel, i) => ({
        width: 62 * new Set(rows.filter((r) => r['panel'] === panel).map((r) => r['model'])).size,
        height: 380,
        transform: [{ filter: { field: 'panel', equal: panel } }],
        layer: [
          { mark: { type: 'rule', color: '#888', strokeDash: [4, 4] }, encoding: { y: { datum: 0 } } },
          {
            mark: { type: 'boxplot', extent: 'min-max', opacity: 0.35, median: { color: 'transparent' }, size: 30 },
            encoding: { x: px(panel), y: i ? { ...y, axis: { title: null } } : y, color: colour },
          },
          {
            mark: { type: 'tick', color: '#111', thickness: 2, size: 30 },
            encoding: { x: px(panel), y: { aggregate: 'mean', field: 'benefit', type: 'quantitative' } },
          },
          {
            mark: { type: 'point', filled: true, size: 30, opacity: 0.8 },
            encoding: {
              x: px(panel),
              y,
              color: colour,
              tooltip: [{ field: 'model' }, { field: 'study' }, { field: 'benefit', format: '.3f' }],
            },
          },
        ],
      })),
      resolve: { scale: { y: 'shared' } },
      spacing: 40,
    },
  };
}

/** Accuracy against size, a panel per family, with chance (mean over studies of the mean 1/|choice set|). */
export function accuracyChart(c: CompareResult, chance: number | null): ChartSpec | null {
  const sized = sizedModels(c);
  const whole = pivot(sized, (m) => m.accuracy).map(({ value, ...r }) => ({
    ...r,
    prediction: 'whole vocabulary (argmax)',
    accuracy: value,
    chance,
  }));
  const options = pivot(sized, (m) => m.accuracyRestricted).map(({ value, ...r }) => ({
    ...r,
    prediction: 'among the options',
    accuracy: value,
    chance,
  }));
  const rows: ChartRow[] = [...whole, ...options];
  if (!rows.length) return null;
  const x = { field: 'size_b', type: 'quantitative', scale: LOG_SIZE, title: 'Parameters (billions, log scale)' };
  const y = {
    field: 'accuracy',
    type: 'quantitative',
    title: 'Accuracy (higher = better)',
    axis: { format: '%' },
    scale: { domain: [0, 1] },
  };
  const colour = { field: 'type', type: 'nominal', title: 'Model type', scale: typeColourScale(rows.map((r) => String(r['type']))) };
  const dash = { field: 'prediction', type: 'nominal', title: 'Prediction', sort: ['whole vocabulary (argmax)', 'among the options'] };
  return {
    id: 'accuracy-vs-size',
    title: 'Accuracy on discrete responses against model size',
    rows,
    caption: `Share of discrete responses whose human answer is the model's most likely token, over the whole vocabulary (the paper's measure, solid) and among the study's options (dashed); per study, then the mean over studies. Grey line: chance among the options = mean over studies of the mean of 1/|choice set| over the responses with a prediction among their options (the dashed lines' responses)${chance === null ? ' (not stored for these runs)' : ` (${(100 * chance).toFixed(1)}%)`}.`,
    spec: {
      ...chartBase(),
      title: 'Accuracy vs. model size',
      data: { values: rows },
      ...facetByPanel(230, 240, [
        ...(chance === null
          ? []
          : [
              {
                mark: { type: 'rule', color: '#888', strokeDash: [2, 3], strokeWidth: 1.5 },
                encoding: { y: { aggregate: 'mean', field: 'chance', type: 'quantitative' } },
              },
              {
                mark: { type: 'text', color: '#666', align: 'right', baseline: 'bottom', dy: -2, x: 'width', dx: -4, fontSize: 10 },
                encoding: { y: { aggregate: 'mean', field: 'chance', type: 'quantitative' }, text: { value: 'chance' } },
              },
            ]),
        { mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y, color: colour, strokeDash: dash, detail: { field: 'prediction' } } },
        {
          mark: { type: 'point', filled: true, size: 55 },
          encoding: { x, y, color: colour, tooltip: [{ field: 'models' }, { field: 'prediction' }, { field: 'accuracy', format: '.1%' }] },
        },
      ]),
    },
  };
}

/** The paper's Fig. S1: each model's NLL without and with its chat template, a panel per family. */
export function chatTemplateChart(raw: CompareResult, chat: CompareResult | null): ChartSpec | null {
  if (!chat) return null;
  const inChat = new Map(sizedModels(chat).map((m) => [m.model, m]));
  const both = sizedModels(raw)
    .filter((m) => m.score !== null && (inChat.get(m.model)?.score ?? null) !== null)
    .sort(byFamilyAndSize);
  const panel = panelsOf(both.map((m) => m.facts));
  const rows: ChartRow[] = both.flatMap((m) => [
    { panel: panel(m.facts), model: m.model, type: m.facts.type, size_b: m.facts.sizeB, template: 'no template', nll: m.score },
    {
      panel: panel(m.facts),
      model: m.model,
      type: m.facts.type,
      size_b: m.facts.sizeB,
      template: 'chat template',
      nll: inChat.get(m.model)!.score,
    },
  ]);
  if (!rows.length) return null;
  const x = { field: 'size_b', type: 'quantitative', scale: LOG_SIZE, title: 'Parameters (billions, log scale)' };
  const y = { field: 'nll', type: 'quantitative', scale: { zero: false, padding: 10 }, title: 'Mean response NLL (nats)' };
  const colour = {
    field: 'template',
    type: 'nominal',
    title: 'Prompt',
    sort: ['no template', 'chat template'],
    scale: { domain: ['no template', 'chat template'], range: ['#1f77b4', '#ff7f0e'] },
  };
  return {
    id: 'figS1-chat-template',
    title: 'Fig. S1 — Chat template against none',
    rows,
    caption:
      'Alignment score of each model run both as plain text (raw) and in its chat template (the transcript split into user and assistant turns), a panel per family, one line per format and model type (point shape = type).',
    spec: {
      ...chartBase(),
      title: 'Response NLL with and without the chat template',
      data: { values: rows },
      ...facetByPanel(230, 240, [
        {
          mark: { type: 'line', strokeWidth: 2 },
          encoding: {
            x,
            y,
            color: colour,
            strokeDash: { field: 'template', type: 'nominal', sort: ['no template', 'chat template'], title: 'Prompt' },
            detail: { field: 'type' },
          },
        },
        {
          mark: { type: 'point', filled: true, size: 60 },
          encoding: {
            x,
            y,
            color: colour,
            shape: { field: 'type', type: 'nominal', title: 'Model type' },
            tooltip: [{ field: 'model' }, { field: 'template' }, { field: 'nll', format: '.3f' }],
          },
        },
      ]),
    },
  };
}
