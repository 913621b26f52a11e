import { type Command, Option } from 'commander';
import { compareConfigSchema, compareConfigShape } from '../analysis/compareConfig.js';
import type { CompareOptions } from '../analysis/loadComparison.js';
import { loadModelTable } from '../analysis/loadModelTable.js';
import { readDomainsTable } from '../data/readDomainsTable.js';
import { readStudyList } from '../data/readStudyList.js';
import { UsageError } from '../errors.js';
import { describeConfigError } from '../eval/evalConfig.js';
import { PROMPT_FORMATS } from '../prompts/types.js';
import { definedEntries, integerFlag, withDefault } from './sourceOptions.js';

/** The flags of the commands that analyse stored runs (compare, report): no Commander defaults, the schema's apply. */
export function addAnalysisOptions(cmd: Command): Command {
  return cmd
    .option(
      '--models <table>',
      "model table: 'paper' (the paper's pairs, built in) or a CSV model,family,generation,size_b,type,base\n(default: inferred from names)",
    )
    .option('--domains <csv>', "domains table: 'study,domain' or the reference's one-hot layout")
    .option(
      '--exclude-studies <file>',
      'studies behavioural fine-tunes (Centaur) were trained on, one name per line: their pairs use\nthe other studies only (example: docs/psych101-studies.txt, the Psych-101 studies)',
    )
    .addOption(
      new Option('--format <format>', withDefault('prompt format of the runs compared', compareConfigShape.format)).choices(PROMPT_FORMATS),
    )
    .option('--bootstrap <n>', withDefault('bootstrap replicates (0: no intervals)', compareConfigShape.bootstrap))
    .option('--seed <n>', withDefault('bootstrap seed (the same store and seed give the same intervals)', compareConfigShape.seed))
    .option('--set <id>', 'analyse this comparison set (compare lists the sets a store holds; default: the largest)')
    .option('--run <id...>', 'analyse only these runs');
}

/** The analysis options from the flags given, validated by the schema, with the tables read. */
export async function analysisOptionsFrom(opts: Record<string, unknown>): Promise<CompareOptions> {
  const given = definedEntries({
    format: opts['format'],
    set: opts['set'],
    runs: opts['run'],
    bootstrap: integerFlag(opts, 'bootstrap', '--bootstrap'),
    seed: integerFlag(opts, 'seed', '--seed'),
  });
  const parsed = compareConfigSchema.safeParse(given);
  if (!parsed.success) throw new UsageError(describeConfigError(parsed.error, 'options'));
  const models = typeof opts['models'] === 'string' ? await loadModelTable(opts['models']) : undefined;
  if (models?.incomplete.length)
    process.stderr.write(
      `humanlike: ${String(opts['models'])} lists ${models.incomplete.join(', ')} without facts (empty type): fill in family, generation, size_b, type and base\n`,
    );
  return {
    ...parsed.data,
    ...(models && { modelTable: models.table }),
    ...(typeof opts['domains'] === 'string' && { domains: await readDomainsTable(opts['domains']) }),
    ...(typeof opts['excludeStudies'] === 'string' && { excludeStudies: await readStudyList(opts['excludeStudies']) }),
  };
}
