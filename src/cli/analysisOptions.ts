import { Option, type Command } from 'commander';
import { compareConfigSchema, compareConfigShape } from '../analysis/compareConfig.js';
import type { CompareOptions } from '../analysis/loadComparison.js';
import { readModelTable } from '../analysis/modelTable.js';
import { readDomainsTable } from '../data/readDomainsTable.js';
import { describeConfigError } from '../eval/evalConfig.js';
import { UsageError } from '../errors.js';
import { PROMPT_FORMATS } from '../prompts/types.js';
import { definedEntries, integerFlag, withDefault } from './sourceOptions.js';

/** The flags of the commands that analyse stored runs (compare, report): no Commander defaults, the schema's apply. */
export function addAnalysisOptions(cmd: Command): Command {
  return cmd
    .option('--models <csv>', 'model table: model,family,generation,size_b,type,base (default: inferred from names)')
    .option('--domains <csv>', "domains table: 'study,domain' or the reference's one-hot layout")
    .addOption(new Option('--format <format>', withDefault('prompt format of the runs compared', compareConfigShape.format)).choices(PROMPT_FORMATS))
    .option('--bootstrap <n>', withDefault('bootstrap replicates (0: no intervals)', compareConfigShape.bootstrap))
    .option('--seed <n>', withDefault('bootstrap seed (the same store and seed give the same intervals)', compareConfigShape.seed))
    .option('--set <id>', 'analyse this comparison set (compare lists the sets a store holds; default: the largest)')
    .option('--run <id...>', 'analyse only these runs');
}

/** The analysis options from the flags given, validated by the schema, with the tables read. */
export async function analysisOptionsFrom(opts: Record<string, unknown>): Promise<CompareOptions> {
  const given = definedEntries({
    format: opts['format'], set: opts['set'], runs: opts['run'],
    bootstrap: integerFlag(opts, 'bootstrap', '--bootstrap'), seed: integerFlag(opts, 'seed', '--seed'),
  });
  const parsed = compareConfigSchema.safeParse(given);
  if (!parsed.success) throw new UsageError(describeConfigError(parsed.error, 'options'));
  return {
    ...parsed.data,
    ...(typeof opts['models'] === 'string' && { modelTable: await readModelTable(opts['models']) }),
    ...(typeof opts['domains'] === 'string' && { domains: await readDomainsTable(opts['domains']) }),
  };
}
