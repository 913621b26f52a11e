import type { Command } from 'commander';
import { DEFAULT_DB, ResultsStore } from '../../store/ResultsStore.js';
import { formatTable } from '../formatTable.js';

export function registerRuns(program: Command): void {
  program
    .command('runs')
    .description('List the runs of a results database: model, format, policy, status, participants and responses done.\nOpens the database read-only; a run still marked running while no process writes the database (it was killed)\nshows as "interrupted (no live process)": run the same eval command to resume it.')
    .option('--db <file>', 'results database', DEFAULT_DB)
    .option('--json', 'print the full run records as JSON')
    .addHelpText('after', '\nExample:\n  $ humanlike runs --db humanlike.duckdb')
    .action(async (opts: { db: string; json?: boolean }) => {
      const store = await ResultsStore.open(opts.db, { readOnly: true });
      try {
        const runs = await store.listRuns();
        if (opts.json) {
          process.stdout.write(JSON.stringify(runs) + '\n');
          return;
        }
        if (runs.length === 0) {
          process.stdout.write(`no runs in ${opts.db}\n`);
          return;
        }
        process.stdout.write(formatTable(
          ['run', 'model', 'format', 'policy', 'selection', 'status', 'participants', 'responses', 'skipped', 'created'],
          runs.map((r) => [r.runId, r.model, r.promptFormat, r.contextPolicy, r.selection, r.liveProcess === false ? 'interrupted (no live process)' : r.status, r.participantsDone, r.responsesScored, r.responsesSkipped, r.createdAt.slice(0, 19)]),
        ) + '\n');
      } finally {
        store.close();
      }
    });
}
