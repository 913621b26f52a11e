import type { Command } from 'commander';
import { writeSplit } from '../../data/writeSplit.js';
import { UsageError } from '../../errors.js';
import { formatCount } from '../../util/formatCount.js';
import { formatTable } from '../formatTable.js';
import { addSourceOptions, parseInteger, readOptionsFrom } from '../sourceOptions.js';

export function registerSplit(program: Command): void {
  addSourceOptions(
    program
      .command('split')
      .description(
        'Write a held-out split: per study, min(floor(10%), 100) participants chosen by a seeded hash.\nThe output is a dataset folder that every command reads; select a side with --test-only or --train-only.',
      )
      .argument('<source>', 'dataset to split')
      .requiredOption('--out <dir>', 'output folder (new, or an earlier split output)')
      .option('--seed <n>', 'seed of the split hash', '0')
      .option('--json', 'print the result as JSON')
      .addHelpText(
        'after',
        '\nExamples:\n  $ humanlike split ../shared/psych201 --seed 1 --out data/psych201-split\n  $ humanlike stats data/psych201-split --test-only',
      ),
  ).action(async (source: string, opts: Record<string, unknown>) => {
    const read = readOptionsFrom(opts);
    if (read.select !== 'all') throw new UsageError('split reads the whole source; --test-only/--train-only apply to its output');
    const seed = parseInteger(opts['seed'], '--seed');
    const result = await writeSplit(source, String(opts['out']), seed, read);
    const rows = Object.entries(result.manifest.studies).map(([s, v]) => [s, v.participants, v.test.length] as [string, number, number]);
    if (opts['json']) {
      process.stdout.write(
        JSON.stringify({
          outDir: result.outDir,
          seed,
          written: result.written,
          skipped: result.skipped,
          skippedFiles: result.skippedFiles,
          studies: Object.fromEntries(rows.map(([s, n, t]) => [s, { participants: n, test: t }])),
        }) + '\n',
      );
      return;
    }
    process.stdout.write(formatTable(['study', 'participants', 'test'], rows) + '\n');
    process.stdout.write(`wrote ${formatCount(result.written, 'record')} to ${result.outDir} (seed ${seed})\n`);
    if (result.skipped || result.skippedFiles.length) {
      process.stdout.write(
        `skipped ${formatCount(result.skipped, 'record')} that ${result.skipped === 1 ? 'is' : 'are'} not a readable transcript and ${formatCount(result.skippedFiles.length, 'unreadable file')}: run 'humanlike validate' for details\n`,
      );
    }
  });
}
