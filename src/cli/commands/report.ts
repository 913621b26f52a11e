import type { Command } from 'commander';
import { DEFAULT_REPORT, writeReport } from '../../report/writeReport.js';
import { DEFAULT_DB, ResultsStore } from '../../store/ResultsStore.js';
import { formatCount } from '../../util/formatCount.js';
import { addAnalysisOptions, analysisOptionsFrom } from '../analysisOptions.js';

export function registerReport(program: Command): void {
  const cmd = program
    .command('report')
    .description(
      "Write one self-contained HTML file: the paper's figures (Fig. 2 NLL vs size,\nFig. 3 generations, Fig. 4 domains, Fig. 5 persona benefit, accuracy vs size,\nFig. S1 chat template), the dataset overview, the tables of 'compare' with\nper-study d and persona benefit, and the run records. No model is called; the\nfile makes no external request. --png/--svg also write each chart as a file,\nwith its data as CSV (--csv: the CSV alone).",
    )
    .option('--db <file...>', `results database(s): several are read as one, e.g. one per cluster job (default: ${DEFAULT_DB})`)
    .option('--out <file>', `HTML file to write (default: ${DEFAULT_REPORT})`)
    .option('--png <dir>', 'also write each chart as PNG into this folder')
    .option('--svg <dir>', 'also write each chart as SVG into this folder')
    .option('--csv <dir>', "write each chart's data as CSV into this folder (default: the --png, else the --svg folder)")
    .option('--source <dataset>', 'the scored dataset: adds the hardest responses with their context');
  addAnalysisOptions(cmd)
    .addHelpText(
      'after',
      '\nExample:\n  $ humanlike report --out report.html --png charts --domains ../shared/psych201/experiment_domains.csv',
    )
    .action(async (opts: Record<string, string | undefined>) => {
      const store = await ResultsStore.openMany((opts['db'] as string[] | undefined) ?? [DEFAULT_DB]);
      try {
        const { charts, files } = await writeReport(store, {
          ...(await analysisOptionsFrom(opts)),
          out: opts['out'] ?? DEFAULT_REPORT,
          ...(opts['png'] && { pngDir: opts['png'] }),
          ...(opts['svg'] && { svgDir: opts['svg'] }),
          ...(opts['csv'] && { csvDir: opts['csv'] }),
          ...(opts['source'] && { source: opts['source'] }),
        });
        process.stdout.write(
          `wrote ${formatCount(files.length, 'file')} (${formatCount(charts.length, 'chart')}: ${charts.join(', ') || 'none'}): ${files[0]}\n`,
        );
      } finally {
        store.close();
      }
    });
}
