import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

type Logger = NonNullable<NonNullable<Parameters<typeof compile>[1]>['logger']>;

// Vega-Lite warns that faceted panels with independent x scales read one data source: that is what the size charts
// mean (each family's own size range), so that warning is dropped; any other goes to stderr.
const BENIGN = /faceted independent scales/;
function createChartLogger(): Logger {
  let level = 0;
  const logger: Logger = {
    level(l?: number) {
      if (l === undefined) return level;
      level = l;
      return logger;
    },
    error(...args: unknown[]) {
      process.stderr.write(`humanlike: chart: ${args.join(' ')}\n`);
      return logger;
    },
    warn(...args: unknown[]) {
      if (!BENIGN.test(args.join(' '))) process.stderr.write(`humanlike: chart warning: ${args.join(' ')}\n`);
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  return logger;
}

/** Render a Vega-Lite spec to SVG in Node (no browser, no network: data is inline). */
export async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  const compiled = compile(spec as unknown as TopLevelSpec, { logger: createChartLogger() }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterise an SVG to PNG (2× scale) with resvg, using the system's fonts. */
export function svgToPng(svg: string): Buffer {
  return Buffer.from(
    new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } })
      .render()
      .asPng(),
  );
}
