import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';

/**
 * A running eval holds DuckDB's lock on its database, so no other process can read it (not even read-only). The eval
 * therefore writes `<db>.progress.json` beside it: the runs as they were when it started (no other process writes the
 * database meanwhile, so they cannot change) and its own run's live counts, replaced atomically every
 * PROGRESS_FILE_INTERVAL_MS and removed when the eval ends. `runs` shows it while the database is locked.
 */
export const PROGRESS_FILE_INTERVAL_MS = 2000;
export const PROGRESS_FILE_VERSION = 1;

/** The live counts of the run being written. */
export interface LiveCounts {
  participantsDone: number;
  participantsTotal: number;
  responsesScored: number;
  tokens: number;
  tokensTotal: number;
  elapsedMs: number;
}

export interface ProgressSnapshot {
  version: number;
  runId: string;
  pid: number;
  startedAt: string;
  updatedAt: string;
  live: LiveCounts;
  /** Every run of the database when the eval started (listRuns records, this run included). */
  runs: Record<string, unknown>[];
}

export const progressFilePath = (db: string): string => `${db}.progress.json`;

/** Replace the file atomically (write beside, then rename): a reader never sees half a file. */
export function writeProgressFile(db: string, snapshot: ProgressSnapshot): void {
  const path = progressFilePath(db);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(snapshot));
  renameSync(tmp, path);
}

export function removeProgressFile(db: string): void {
  rmSync(progressFilePath(db), { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The snapshot of a live eval on `db`, or undefined: no file, an unreadable one, or one left by a process that no
 * longer runs (an eval killed with SIGKILL cannot remove it).
 */
export function readProgressFile(db: string): ProgressSnapshot | undefined {
  const path = progressFilePath(db);
  if (!existsSync(path)) return undefined;
  try {
    const s = JSON.parse(readFileSync(path, 'utf8')) as ProgressSnapshot;
    if (s?.version !== PROGRESS_FILE_VERSION || typeof s.pid !== 'number' || !Array.isArray(s.runs) || !hasLiveCounts(s.live))
      return undefined;
    return isAlive(s.pid) ? s : undefined;
  } catch {
    return undefined;
  }
}

/** Every count a reader prints is a number (the file sits beside the database: anything may be in it). */
function hasLiveCounts(live: unknown): live is LiveCounts {
  if (typeof live !== 'object' || live === null) return false;
  const l = live as Record<string, unknown>;
  return ['participantsDone', 'participantsTotal', 'responsesScored', 'tokens', 'tokensTotal', 'elapsedMs'].every(
    (k) => typeof l[k] === 'number',
  );
}

/** One phrase on the live run of `db` for messages ("run X: 3/12 participants, 41% of tokens"), or undefined. */
export function describeLiveRun(db: string): string | undefined {
  const s = readProgressFile(db);
  if (!s) return undefined;
  const l = s.live;
  const pct = l.tokensTotal > 0 ? `, ${((100 * Math.min(l.tokens, l.tokensTotal)) / l.tokensTotal).toFixed(0)}% of tokens` : '';
  return `eval of run ${s.runId} (PID ${s.pid}): ${l.participantsDone}/${l.participantsTotal} participants${pct}, updated ${s.updatedAt}`;
}
