import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { scrubSecrets } from '../backends/remote/redactSecrets.js';
import type { ParticipantOutcome, ResultSink } from '../scoring/ResponseScorer.js';

/**
 * Writes the finished participants of one run. Rows of a participant are written before its entry in
 * `participants`; a participant counts as done only with that entry, and resuming deletes rows of participants
 * without one. So a run killed at any point (even kill -9) resumes with no participant lost or written twice.
 */
export class RunWriter implements ResultSink {
  private pending: ParticipantOutcome[] = [];
  private pendingRows = 0;
  private lastFlushMs = Date.now();

  constructor(
    private readonly db: DuckDBConnection,
    readonly runId: string,
    /** Runs a write, turning a failure into a typed store error (no room, damaged) naming the database. */
    private readonly writing: <T>(write: () => Promise<T>) => Promise<T> = (write) => write(),
  ) {}

  /**
   * Buffer a finished participant; buffered work is written every 5,000 rows, 200 participants or 2 seconds,
   * whichever comes first, so a crash loses at most a few seconds of scoring.
   */
  async add(outcome: ParticipantOutcome): Promise<void> {
    this.pending.push(outcome);
    this.pendingRows += outcome.score?.rows.length ?? 0;
    if (this.pendingRows >= 5000 || this.pending.length >= 200 || Date.now() - this.lastFlushMs >= 2000) await this.flush();
  }

  /** Write buffered participants: their rows first, then their `participants` entries (the commit point). */
  async flush(): Promise<void> {
    this.lastFlushMs = Date.now();
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.pendingRows = 0;
    await this.writing(() => this.append(batch));
  }

  /** Rows first, then the participants' entries (the commit point). */
  private async append(batch: readonly ParticipantOutcome[]): Promise<void> {
    const rows = await this.db.createAppender('responses');
    const skips = await this.db.createAppender('skipped_responses');
    try {
      for (const o of batch) {
        for (const r of o.score?.rows ?? []) {
          rows.appendVarchar(this.runId);
          rows.appendVarchar(o.study);
          rows.appendVarchar(o.experiment);
          rows.appendVarchar(o.participant);
          rows.appendInteger(r.responseIndex);
          rows.appendInteger(r.charStart);
          rows.appendInteger(r.charEnd);
          rows.appendInteger(r.nTokens);
          rows.appendDouble(r.nll);
          appendNullable(rows, r.greedyMatch, (v) => rows.appendBoolean(v));
          appendNullable(rows, r.firstTokenLogprob, (v) => rows.appendDouble(v));
          rows.appendTinyInt(r.straddle);
          rows.appendInteger(r.contextTokens);
          appendNullable(rows, r.prefixInView, (v) => rows.appendBoolean(v));
          rows.appendBoolean(r.discrete);
          appendNullable(rows, r.choiceCorrect, (v) => rows.appendBoolean(v));
          appendNullable(rows, r.choiceNll, (v) => rows.appendDouble(v));
          appendNullable(rows, r.choiceCorrectRestricted, (v) => rows.appendBoolean(v));
          appendNullable(rows, r.choiceRule, (v) => rows.appendVarchar(v));
          appendNullable(rows, r.choiceSetSize, (v) => rows.appendInteger(v));
          appendNullable(rows, r.choiceSet, (v) => rows.appendVarchar(v));
          appendNullable(rows, r.choiceAnswer, (v) => rows.appendVarchar(v));
          appendNullable(rows, r.choiceEntropy, (v) => rows.appendDouble(v));
          appendNullable(rows, r.choiceProb, (v) => rows.appendDouble(v));
          appendNullable(rows, r.choiceMaxProb, (v) => rows.appendDouble(v));
          appendNullable(rows, r.choiceSumSq, (v) => rows.appendDouble(v));
          rows.endRow();
        }
        for (const s of o.score?.skipped ?? []) {
          skips.appendVarchar(this.runId);
          skips.appendVarchar(o.study);
          skips.appendVarchar(o.experiment);
          skips.appendVarchar(o.participant);
          skips.appendInteger(s.responseIndex);
          skips.appendVarchar(scrubSecrets(s.reason));
          skips.endRow();
        }
      }
      rows.flushSync();
      skips.flushSync();
    } finally {
      rows.closeSync();
      skips.closeSync();
    }
    const done = await this.db.createAppender('participants');
    try {
      for (const o of batch) {
        done.appendVarchar(this.runId);
        done.appendVarchar(o.study);
        done.appendVarchar(o.experiment);
        done.appendVarchar(o.participant);
        done.appendVarchar(o.score ? 'scored' : 'skipped');
        appendNullable(done, o.skipReason ?? null, (v) => done.appendVarchar(scrubSecrets(v)));
        done.appendInteger(o.nResponses);
        done.appendInteger(o.score?.rows.length ?? 0);
        done.appendBigInt(BigInt(o.score?.tokensEvaluated ?? 0));
        done.appendDouble(o.seconds);
        done.endRow();
      }
      done.flushSync();
    } finally {
      done.closeSync();
    }
  }
}

function appendNullable<T>(a: DuckDBAppender, v: T | null, append: (v: T) => void): void {
  if (v === null) a.appendNull();
  else append(v);
}
