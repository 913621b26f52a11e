import type { Command } from 'commander';
import { ResultsStore } from '../../store/ResultsStore.js';
import { formatCount } from '../../util/formatCount.js';

export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description(
      'Copy the runs of several results databases (e.g. one per cluster job) into one. Refused as a whole when a run\nis in two of them or already in the target: a run is never counted twice. The inputs are only read.',
    )
    .argument('<out>', 'the database to merge into (created when missing)')
    .argument('<inputs...>', 'databases to copy from')
    .addHelpText(
      'after',
      '\nExamples:\n  $ humanlike merge all.duckdb job1.duckdb job2.duckdb job3.duckdb\n  $ humanlike compare --db job1.duckdb --db job2.duckdb      (the same, without copying)',
    )
    .action(async (out: string, inputs: string[]) => {
      const store = await ResultsStore.open(out);
      try {
        const runs = await store.mergeFrom(inputs);
        process.stdout.write(`merged ${formatCount(inputs.length, 'database')} into ${out}: it now holds ${formatCount(runs, 'run')}\n`);
      } finally {
        store.close();
      }
    });
}
