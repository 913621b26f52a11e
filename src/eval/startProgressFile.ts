import {
  type LiveCounts,
  PROGRESS_FILE_INTERVAL_MS,
  PROGRESS_FILE_VERSION,
  removeProgressFile,
  writeProgressFile,
} from '../store/progressFile.js';
import type { EvalProgress } from './runEval.js';

export interface ProgressFileWriter {
  update(p: EvalProgress): void;
  /** Stop writing and remove the file (every exit path of the eval). */
  stop(): void;
}

/**
 * Keep `<db>.progress.json` current while a run is scored (see store/progressFile.ts): written at once, then every
 * PROGRESS_FILE_INTERVAL_MS with the latest counts. A file that cannot be written never stops the run.
 */
export function startProgressFile(
  db: string,
  runId: string,
  runs: Record<string, unknown>[],
  participantsTotal: number,
): ProgressFileWriter {
  const startedAt = new Date().toISOString();
  const t0 = Date.now();
  let live: LiveCounts = { participantsDone: 0, participantsTotal, responsesScored: 0, tokens: 0, tokensTotal: 0, elapsedMs: 0 };
  const write = (): void => {
    try {
      writeProgressFile(db, {
        version: PROGRESS_FILE_VERSION,
        runId,
        pid: process.pid,
        startedAt,
        updatedAt: new Date().toISOString(),
        live: { ...live, elapsedMs: Date.now() - t0 },
        runs,
      });
    } catch {
      // best effort: progress for onlookers only
    }
  };
  write();
  const timer = setInterval(write, PROGRESS_FILE_INTERVAL_MS);
  timer.unref();
  return {
    update: (p) => {
      live = {
        participantsDone: p.participantsDone,
        participantsTotal: p.participantsTotal,
        responsesScored: p.responsesScored,
        tokens: p.tokens,
        tokensTotal: p.tokensTotal,
        elapsedMs: p.elapsedMs,
      };
    },
    stop: () => {
      clearInterval(timer);
      try {
        removeProgressFile(db);
      } catch {
        // best effort
      }
    },
  };
}
