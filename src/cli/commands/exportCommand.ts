import { type Command, Option } from 'commander';
import {
  type ExportAdditions,
  type ExportFileFormat,
  exportComparisonSet,
  exportPairedResponses,
  exportReferenceLayout,
  exportResponseRows,
} from '../../analysis/exportResponses.js';
import { loadModelTable } from '../../analysis/loadModelTable.js';
import { readDomainsTable } from '../../data/readDomainsTable.js';
import { UsageError } from '../../errors.js';
import { PROMPT_FORMATS } from '../../prompts/types.js';
import { DEFAULT_CONTEXT_CHARS } from '../../store/loadExportTables.js';
import { DEFAULT_DB, ResultsStore, type RunRecord } from '../../store/ResultsStore.js';
import { formatCount } from '../../util/formatCount.js';
import { ensureParentDir, outputWriteError } from '../../util/outputFiles.js';
import { parseInteger } from '../sourceOptions.js';

interface ExportFlags {
  db: string;
  run?: string[];
  format?: ExportFileFormat;
  layout?: 'responses' | 'reference';
  promptFormat?: string;
  set?: string;
  pairs?: string;
  source?: string;
  text?: boolean;
  contextChars?: string;
  metadata?: boolean;
  domains?: string;
  models?: string;
  facts?: boolean;
  status?: boolean;
}

const formatOf = (file: string): ExportFileFormat | undefined =>
  file.endsWith('.csv') ? 'csv' : file.endsWith('.parquet') ? 'parquet' : undefined;

/** The additions the flags ask for (tables read here, so a bad file fails before the export starts). */
async function readAdditions(opts: ExportFlags): Promise<ExportAdditions> {
  if (opts.source && !opts.text && !opts.metadata) throw new UsageError('--source is read for --text or --metadata: add one of them');
  const a: ExportAdditions = {
    text: opts.text ?? false,
    metadata: opts.metadata ?? false,
    facts: (opts.facts ?? false) || opts.models !== undefined,
    status: opts.status ?? false,
  };
  if (opts.source) a.source = opts.source;
  if (opts.contextChars !== undefined) {
    a.contextChars = parseInteger(opts.contextChars, '--context-chars');
    // A negative count would give every row an empty context without a word.
    if (a.contextChars < 0) throw new UsageError(`--context-chars expects 0 or more characters, found ${a.contextChars}`);
  }
  if (opts.domains) a.domains = await readDomainsTable(opts.domains);
  if (opts.models) a.modelTable = (await loadModelTable(opts.models)).table;
  return a;
}

const added = (a: ExportAdditions): boolean => Boolean(a.text || a.metadata || a.domains || a.facts || a.status);

export function registerExport(program: Command): void {
  program
    .command('export')
    .description(
      "Write the response rows of runs (one row per scored response, NLL in nats) to Parquet or CSV.\nColumns: run_id, model, study, experiment, participant, response_index, char_start, char_end, n_tokens, nll, ...\nFlags add the response text, participant metadata, domain, model facts and run status; --layout reference writes the reference's CSV layout for its plotting scripts; --pairs writes NLL_base, NLL_post and their difference per response.",
    )
    .argument('[out]', 'output file (.parquet or .csv); may be left out with --pairs')
    .option('--db <file>', 'results database', DEFAULT_DB)
    .option('--run <id...>', 'runs to export (default: all; for --layout reference and --pairs, the comparison set compare analyses)')
    .option('--set <id>', 'for --layout reference and --pairs: this comparison set (compare lists them; default: the largest)')
    .addOption(new Option('--format <format>', 'file format (default: from the file name)').choices(['parquet', 'csv']))
    .addOption(
      new Option(
        '--layout <layout>',
        "'responses': the stored columns (default); 'reference': directory, experiment, model, participant, trial, nll as the reference's full_merge_jureca.py writes them",
      ).choices(['responses', 'reference']),
    )
    .addOption(new Option('--prompt-format <format>', 'only runs of this prompt format (default: all)').choices(PROMPT_FORMATS))
    .option(
      '--pairs <file>',
      'also write one row per response both runs of a (base, post-trained) pair scored: nll_base, nll_post, nll_diff',
    )
    .option('--source <data>', 'the scored dataset, read for --text and --metadata')
    .option('--text', 'add response_text and context (the text before the response, after the previous one)')
    .option('--context-chars <n>', `characters of context kept before each response (default ${DEFAULT_CONTEXT_CHARS})`)
    .option(
      '--metadata',
      "add the participant's metadata (age, gender, nationality, education, clinical_diagnosis, scores as JSON) and rt_ms",
    )
    .option('--domains <csv>', "add each study's domain: 'study,domain' or the reference's one-hot layout")
    .option('--models <table>', "add model facts from a model table: 'paper' (built in) or a CSV; also decides the pairs of --pairs")
    .option('--facts', 'add model facts (family, generation, size_b, model_type, base_model), inferred from names without --models')
    .option('--status', "add the run's status (run_status)")
    .addHelpText(
      'after',
      '\nExamples:\n  $ humanlike export results.parquet\n  $ humanlike export stories.csv --run stories260K-raw-1a2b3c4d\n  $ humanlike export rows.parquet --source ../shared/psych201 --text --metadata --domains domains.csv --models paper --status\n  $ humanlike export full_data_jureca_data.csv --layout reference --prompt-format raw\n  $ humanlike export --pairs pairs.csv --models paper --domains domains.csv',
    )
    .action(async (out: string | undefined, opts: ExportFlags) => {
      if (!out && !opts.pairs) throw new UsageError('give an output file, or --pairs FILE');
      const format = out ? (opts.format ?? formatOf(out)) : undefined;
      if (out && !format) throw new UsageError(`${out}: give a .parquet or .csv file name, or --format`);
      const pairsFormat = opts.pairs ? formatOf(opts.pairs) : undefined;
      if (opts.pairs && !pairsFormat) throw new UsageError(`${opts.pairs}: give the --pairs file a .parquet or .csv name`);
      const additions = await readAdditions(opts);
      if (opts.layout === 'reference' && out && added(additions) && !opts.pairs)
        throw new UsageError(
          'the reference layout has fixed columns (directory, experiment, model, participant, trial, nll): add columns to the default layout or to --pairs',
        );
      const store = await ResultsStore.open(opts.db, { readOnly: true });
      try {
        const all = (await store.listRuns()).filter((r) => !opts.promptFormat || r.promptFormat === opts.promptFormat);
        const known = all.map((r) => r.runId);
        const runs = opts.run ?? known;
        const unknown = runs.filter((r) => !known.includes(r));
        if (unknown.length) throw new UsageError(`no such run in ${opts.db}: ${unknown.join(', ')} (see humanlike runs)`);
        if (runs.length === 0) throw new UsageError(`${opts.db} has no runs to export`);
        const set =
          opts.layout === 'reference' || opts.pairs
            ? await exportComparisonSet(
                store,
                all.filter((r) => runs.includes(r.runId)),
                opts.set,
              )
            : undefined;
        if (out) await ensureParentDir(out);
        if (opts.pairs) await ensureParentDir(opts.pairs);
        await writeExports(store, opts, { out, format, pairsFormat, set, additions, all, runs });
      } finally {
        store.close();
      }
    });
}

interface ExportPlan {
  out: string | undefined;
  format: ExportFileFormat | undefined;
  pairsFormat: ExportFileFormat | undefined;
  set: Awaited<ReturnType<typeof exportComparisonSet>> | undefined;
  additions: ExportAdditions;
  all: RunRecord[];
  runs: string[];
}

/** Write the requested files; a failed write (a full disk, a file-size limit) names the file being written. */
async function writeExports(store: ResultsStore, opts: ExportFlags, plan: ExportPlan): Promise<void> {
  const { out, format, pairsFormat, set, additions, all, runs } = plan;
  try {
    if (out && format && set && opts.layout === 'reference') {
      const { rows } = await exportReferenceLayout(store, set, out, format);
      process.stdout.write(
        `wrote ${rows} response rows of ${set.units.length} models and formats (comparison set ${set.id}) in the reference layout to ${out}\n`,
      );
    } else if (out && format && added(additions)) {
      const { rows, missingText } = await exportResponseRows(
        store,
        all.filter((r) => runs.includes(r.runId)),
        out,
        format,
        additions,
      );
      process.stdout.write(`wrote ${formatCount(rows, 'response row')} of ${formatCount(runs.length, 'run')} to ${out}\n`);
      if (missingText)
        process.stderr.write(
          `humanlike: ${opts.source} has no transcript for ${missingText} of the rows: their text and metadata are empty\n`,
        );
    } else if (out && format) {
      const n = await store.exportResponses(runs, out, format);
      process.stdout.write(`wrote ${formatCount(n, 'response row')} of ${formatCount(runs.length, 'run')} to ${out}\n`);
    }
  } catch (e) {
    throw outputWriteError(out ?? '', e);
  }
  if (opts.pairs && pairsFormat && set) {
    try {
      const { rows, pairs } = await exportPairedResponses(store, set, opts.pairs, pairsFormat, additions);
      process.stdout.write(`wrote ${rows} paired response rows of ${pairs} pairs to ${opts.pairs}\n`);
    } catch (e) {
      throw outputWriteError(opts.pairs, e);
    }
  }
}
