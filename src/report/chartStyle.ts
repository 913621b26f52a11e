import { MODEL_TYPES } from '../analysis/modelTable.js';

/** A chart's data as it is plotted and written to CSV: one flat row per mark. */
export type ChartRow = Record<string, string | number | null>;

/** A Vega-Lite spec with what the report says about it, and the rows it plots (its CSV). */
export interface ChartSpec {
  id: string;
  title: string;
  caption: string;
  spec: Record<string, unknown>;
  rows: ChartRow[];
}

const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

/** The top level every chart shares: fonts, label limits wide enough that no label is cut. */
export const chartBase = (): Record<string, unknown> => ({
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  background: 'white',
  padding: 12,
  config: {
    font: FONT,
    axis: { labelFontSize: 11, titleFontSize: 12, labelLimit: 420, titleLimit: 900 },
    legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 320, titleLimit: 400 },
    title: { fontSize: 14, anchor: 'start' },
    header: { labelFontSize: 12, titleFontSize: 12, labelLimit: 400 },
  },
});

// One colour per model type, the same in every chart: base dark, each post-training objective its own hue.
const TYPE_COLOURS: Record<string, string> = {
  base: '#222222',
  instruct: '#1f77b4',
  reasoning: '#d62728',
  vision: '#2ca02c',
  code: '#9467bd',
  math: '#ff7f0e',
  behavioural: '#8c564b',
};

/** Colour scale of `type`, listing only the types present (so the legend matches the marks). */
export function typeColourScale(types: Iterable<string>): { domain: string[]; range: string[] } {
  const present = new Set(types);
  const domain = [
    ...MODEL_TYPES.filter((t) => present.has(t)),
    ...[...present].filter((t) => !(MODEL_TYPES as readonly string[]).includes(t)).sort(),
  ];
  return { domain, range: domain.map((t, i) => TYPE_COLOURS[t] ?? ['#17becf', '#bcbd22', '#e377c2', '#7f7f7f'][i % 4]!) };
}

/**
 * A categorical colour scale for n categories: 10 well-separated colours up to 10, else 20 (tableau20, whose pairs
 * are light and dark shades of one hue) so that no two categories ever share a colour.
 */
export const categoricalScale = (n: number): { scheme: string } => ({ scheme: n <= 10 ? 'tableau10' : 'tableau20' });

/** Panel of a model in the size charts: family and major generation ("Qwen 3", "Llama 3.x" when 3, 3.1 and 3.2 mix). */
export function panelsOf(facts: readonly { family: string; generation: string }[]): (f: { family: string; generation: string }) => string {
  const gens = new Map<string, Set<string>>();
  const key = (f: { family: string; generation: string }): string => `${f.family} ${f.generation.split('.')[0]}`;
  for (const f of facts) gens.set(key(f), (gens.get(key(f)) ?? new Set()).add(f.generation));
  return (f) => `${key(f)}${(gens.get(key(f))?.size ?? 0) > 1 ? '.x' : ''}`;
}

/** Mean of numbers. */
export const average = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
