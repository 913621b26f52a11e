import type { Command } from 'commander';
import { DatabaseLockedError } from '../../errors.js';
import { type ProgressSnapshot, progressFilePath, readProgressFile } from '../../store/progressFile.js';
import { DEFAULT_DB, ResultsStore } from '../../store/ResultsStore.js';
import { formatTable } from '../formatTable.js';
import { formatDuration, viewProgress } from '../progressBar.js';

type ListedRun = Awaited<ReturnType<ResultsStore['listRuns']>>[number];

const HEADER = ['run', 'model', 'format', 'policy', 'selection', 'status', 'participants', 'responses', 'skipped', 'created'];

export function registerRuns(program: Command): void {
  program
    .command('runs')
    .description(
      'List the runs of a results database: model, format, policy, status, participants and responses done.\nOpens the database read-only; a run still marked running while no process writes the database (it was killed)\nshows as "interrupted (no live process)": run the same eval command to resume it. While an eval writes the\ndatabase (DuckDB locks it), shows the live snapshot that eval keeps beside it (<db>.progress.json).',
    )
    .option('--db <file>', 'results database', DEFAULT_DB)
    .option('--json', 'print the full run records as JSON')
    .addHelpText('after', '\nExample:\n  $ humanlike runs --db humanlike.duckdb')
    .action(async (opts: { db: string; json?: boolean }) => {
      let store: ResultsStore;
      try {
        store = await ResultsStore.open(opts.db, { readOnly: true });
      } catch (e) {
        const snapshot = e instanceof DatabaseLockedError ? readProgressFile(opts.db) : undefined;
        if (!snapshot) throw e;
        printLive(opts.db, snapshot, Boolean(opts.json));
        return;
      }
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
        process.stdout.write(
          formatTable(
            HEADER,
            runs.map((r) => row(r, r.liveProcess === false ? 'interrupted (no live process)' : r.status)),
          ) + '\n',
        );
      } finally {
        store.close();
      }
    });
}

function row(r: ListedRun, status: string, participants: string | number = r.participantsDone): (string | number)[] {
  return [
    r.runId,
    r.model,
    r.promptFormat,
    r.contextPolicy,
    r.selection,
    status,
    participants,
    r.responsesScored,
    r.responsesSkipped,
    r.createdAt.slice(0, 19),
  ];
}

/**
 * The runs as the live eval's snapshot has them: the other runs as they were when it started (nothing else writes the
 * database meanwhile; one still marked running was killed), and its own run with the live counts.
 */
function printLive(db: string, s: ProgressSnapshot, json: boolean): void {
  const runs = (s.runs as unknown as ListedRun[]).map((r): ListedRun => {
    if (r.runId === s.runId)
      return { ...r, status: 'running', participantsDone: s.live.participantsDone, responsesScored: s.live.responsesScored };
    return r.status === 'running' ? { ...r, status: 'interrupted', liveProcess: false } : r;
  });
  if (json) {
    process.stdout.write(
      JSON.stringify(
        runs.map((r) =>
          r.runId === s.runId ? { ...r, live: { pid: s.pid, startedAt: s.startedAt, updatedAt: s.updatedAt, ...s.live } } : r,
        ),
      ) + '\n',
    );
    return;
  }
  const ageS = Math.max(0, (Date.now() - Date.parse(s.updatedAt)) / 1000);
  process.stdout.write(
    `${db} is being written by a running eval (PID ${s.pid}); live snapshot from ${progressFilePath(db)}, updated ${s.updatedAt.slice(0, 19)} (${formatDuration(ageS)} ago)\n\n`,
  );
  const v = viewProgress(s.live);
  const liveStatus = `running: ${(100 * v.fraction).toFixed(1)}%, ${v.tokensPerSecond} tok/s, ETA ${formatDuration(v.etaSeconds)}`;
  process.stdout.write(
    formatTable(
      HEADER,
      runs.map((r) =>
        r.runId === s.runId
          ? row(r, liveStatus, `${s.live.participantsDone}/${s.live.participantsTotal}`)
          : row(r, r.liveProcess === false ? 'interrupted (no live process)' : r.status),
      ),
    ) + '\n',
  );
}
