import { Option, type Command } from 'commander';
import { UsageError } from '../../errors.js';
import { DEFAULT_DB, ResultsStore } from '../../store/ResultsStore.js';
import { ensureParentDir } from '../../util/ensureParentDir.js';
import { formatCount } from '../../util/formatCount.js';

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('Write the response rows of runs (one row per scored response, NLL in nats) to Parquet or CSV.\nColumns: run_id, model, study, experiment, participant, response_index, char_start, char_end, n_tokens, nll, ...')
    .argument('<out>', 'output file (.parquet or .csv)')
    .option('--db <file>', 'results database', DEFAULT_DB)
    .option('--run <id...>', 'runs to export (default: all)')
    .addOption(new Option('--format <format>', 'file format (default: from the file name)').choices(['parquet', 'csv']))
    .addHelpText('after', '\nExamples:\n  $ humanlike export results.parquet\n  $ humanlike export stories.csv --run stories260K-raw-1a2b3c4d')
    .action(async (out: string, opts: { db: string; run?: string[]; format?: 'parquet' | 'csv' }) => {
      const format = opts.format ?? (out.endsWith('.csv') ? 'csv' : out.endsWith('.parquet') ? 'parquet' : undefined);
      if (!format) throw new UsageError(`${out}: give a .parquet or .csv file name, or --format`);
      const store = await ResultsStore.open(opts.db);
      try {
        const known = (await store.listRuns()).map((r) => r.runId);
        const runs = opts.run ?? known;
        const unknown = runs.filter((r) => !known.includes(r));
        if (unknown.length) throw new UsageError(`no such run in ${opts.db}: ${unknown.join(', ')} (see humanlike runs)`);
        if (runs.length === 0) throw new UsageError(`${opts.db} has no runs to export`);
        await ensureParentDir(out);
        const n = await store.exportResponses(runs, out, format);
        process.stdout.write(`wrote ${formatCount(n, 'response row')} of ${formatCount(runs.length, 'run')} to ${out}\n`);
      } finally {
        store.close();
      }
    });
}
