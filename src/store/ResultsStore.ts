import { existsSync } from 'node:fs';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { scrubSecrets } from '../backends/remote/redactSecrets.js';
import { DatabaseCorruptError, DatabaseLockedError, HumanlikeError, NotADatabaseError } from '../errors.js';
import { sqlList, sqlString } from '../util/sqlString.js';
import { assertDatabaseFile } from './assertDatabaseFile.js';
import { classifyStoreError } from './classifyStoreError.js';
import { assertDistinctRuns, attachStores, copyStoresInto, createUnionViews } from './combineStores.js';
import { exportResponsesSql, FINISHED_PARTICIPANTS_SQL, LIST_RUNS_SQL, UNFINISHED_WHERE } from './queries.js';
import { RunWriter } from './RunWriter.js';
import { RUN_KEY_COLUMNS, runsTableKind } from './runsTableKind.js';
import { RECORD_VERSION, SCHEMA_SQL } from './schema.js';

/** Default database file, under the working directory. */
export const DEFAULT_DB = 'humanlike.duckdb';

export type RunStatus = 'running' | 'complete' | 'failed' | 'interrupted';

/** A run record as stored (JSON columns parsed). */
export interface RunRecord {
  runId: string;
  configKey: string;
  recordVersion: number;
  toolVersion: string;
  status: RunStatus;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  source: string;
  selection: string;
  datasetHash: string;
  model: string;
  modelKind: string;
  modelSha256: string | null;
  modelIdentity: Record<string, unknown>;
  tokenizer: string;
  promptFormat: string;
  contextPolicy: string;
  options: Record<string, unknown>;
  stats: Record<string, unknown> | null;
  timings: Record<string, unknown> | null;
  error: string | null;
}

export type NewRun = Omit<RunRecord, 'createdAt' | 'updatedAt' | 'finishedAt' | 'stats' | 'timings' | 'error' | 'status' | 'recordVersion'>;

/**
 * The results database (one DuckDB file). Rows of a participant are written before its entry in `participants`; a
 * participant counts as done only with that entry, and resuming deletes rows of participants without one. So a run
 * killed at any point (even kill -9) resumes with no participant lost or written twice.
 */
export class ResultsStore {
  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly db: DuckDBConnection,
    readonly readOnly: boolean,
  ) {}

  /**
   * Open (or, unless `readOnly`, create) the database. Read-only opens write nothing, so they work on read-only
   * media and alongside other readers, and refuse a path where no database is. Failures are typed: locked by another
   * process, damaged, not a database, no room (see classifyStoreError).
   */
  static async open(path: string, options: { readOnly?: boolean } = {}): Promise<ResultsStore> {
    const readOnly = options.readOnly ?? false;
    if (readOnly && !existsSync(path))
      throw new NotADatabaseError(`${path}: no results database here (run 'humanlike eval' first, or give --db)`);
    assertDatabaseFile(path);
    const { DuckDBInstance } = await import('@duckdb/node-api');
    let instance: DuckDBInstance | undefined;
    try {
      instance = await DuckDBInstance.create(path, readOnly ? { access_mode: 'READ_ONLY' } : {});
      const db = await instance.connect();
      // Checked before the schema is created: a foreign `runs` table means someone else's database, left untouched.
      const kind = await runsTableKind(db);
      if (kind === 'foreign' || (readOnly && kind === 'none'))
        throw new NotADatabaseError(
          `${path}: a DuckDB database, but not a humanlike results database (no runs table with ${RUN_KEY_COLUMNS.join(', ')}); give the right --db`,
        );
      if (!readOnly) await db.run(SCHEMA_SQL);
      return new ResultsStore(path, instance, db, readOnly);
    } catch (e) {
      instance?.closeSync();
      throw classifyStoreError(path, e, !readOnly);
    }
  }

  /**
   * Several databases read as one (cluster jobs write one database each): each is attached read-only and the tables
   * are views over their union. A run present in two of them is refused (its rows would count twice).
   */
  static async openMany(paths: readonly string[]): Promise<ResultsStore> {
    if (paths.length === 1) return ResultsStore.open(paths[0]!, { readOnly: true });
    for (const p of paths)
      if (!existsSync(p)) throw new NotADatabaseError(`${p}: no results database here (run 'humanlike eval' first, or give --db)`);
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    const db = await instance.connect();
    try {
      await attachStores(db, paths);
      await assertDistinctRuns(db, paths);
      await createUnionViews(db, paths.length);
    } catch (e) {
      db.closeSync();
      instance.closeSync();
      throw e instanceof HumanlikeError ? e : classifyStoreError(paths.join(', '), e, false);
    }
    return new ResultsStore(paths.join(' + '), instance, db, true);
  }

  /**
   * Copy the runs of other databases into this one (the `merge` command): refused as a whole when a run is in two of
   * them or already here.
   */
  async mergeFrom(paths: readonly string[]): Promise<number> {
    await attachStores(this.db, paths);
    await assertDistinctRuns(this.db, paths, this.path);
    return this.writing(() => copyStoresInto(this.db, paths.length));
  }

  /** Run a write; a failure becomes a typed error (no room, damaged) naming the database. */
  async writing<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (e) {
      throw classifyStoreError(this.path, e, true);
    }
  }

  /** Raw SQL access for analyses and exports. */
  get connection(): DuckDBConnection {
    return this.db;
  }

  async query<T = Record<string, unknown>>(sql: string, params: (string | number | boolean | null)[] = []): Promise<T[]> {
    try {
      const reader = await this.db.runAndReadAll(sql, params as never);
      return reader.getRowObjectsJson() as T[];
    } catch (e) {
      const typed = classifyStoreError(this.path, e, false);
      // A damaged file can surface only when a block is read; a plain SQL error (a bug) keeps its stack.
      throw typed instanceof DatabaseCorruptError || typed instanceof DatabaseLockedError ? typed : e;
    }
  }

  async findRunByConfig(configKey: string): Promise<RunRecord | undefined> {
    const rows = await this.query(`SELECT * FROM runs WHERE config_key = ? ORDER BY created_at DESC LIMIT 1`, [configKey]);
    return rows[0] ? toRunRecord(rows[0]) : undefined;
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const rows = await this.query(`SELECT * FROM runs WHERE run_id = ?`, [runId]);
    return rows[0] ? toRunRecord(rows[0]) : undefined;
  }

  /**
   * Every run, with the participants it finished and the responses it scored and skipped (whole participants
   * included). Opened read-only, no process can be writing (a writer holds DuckDB's lock), so a run still marked
   * `running` was killed: it is listed as `interrupted` with `liveProcess: false`.
   */
  async listRuns(): Promise<
    (RunRecord & { participantsDone: number; responsesScored: number; responsesSkipped: number; liveProcess?: false })[]
  > {
    const rows = await this.query(LIST_RUNS_SQL);
    return rows.map((r) => {
      const run = {
        ...toRunRecord(r),
        participantsDone: Number(r['participants_done']),
        responsesScored: Number(r['responses_scored']),
        responsesSkipped: Number(r['responses_skipped']),
      };
      return this.readOnly && run.status === 'running' ? { ...run, status: 'interrupted' as const, liveProcess: false as const } : run;
    });
  }

  async createRun(run: NewRun): Promise<void> {
    const now = new Date().toISOString();
    await this.writing(() =>
      this.db.run(
        `INSERT INTO runs (run_id, config_key, record_version, tool_version, status, created_at, updated_at, source, selection, dataset_hash,
        model, model_kind, model_sha256, model_identity, tokenizer, prompt_format, context_policy, options)
       VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          run.runId,
          run.configKey,
          RECORD_VERSION,
          run.toolVersion,
          now,
          now,
          run.source,
          run.selection,
          run.datasetHash,
          run.model,
          run.modelKind,
          run.modelSha256,
          scrubSecrets(JSON.stringify(run.modelIdentity)),
          run.tokenizer,
          run.promptFormat,
          run.contextPolicy,
          scrubSecrets(JSON.stringify(run.options)),
        ] as never,
      ),
    );
  }

  async updateRun(
    runId: string,
    patch: { status?: RunStatus; stats?: unknown; timings?: unknown; error?: string | null; finished?: boolean },
  ): Promise<void> {
    const sets: string[] = ['updated_at = ?'];
    const values: (string | null)[] = [new Date().toISOString()];
    if (patch.status) {
      sets.push('status = ?');
      values.push(patch.status);
    }
    // Free text (messages from servers among it) is scrubbed of secrets before it is stored.
    if (patch.stats !== undefined) {
      sets.push('stats = ?');
      values.push(scrubSecrets(JSON.stringify(patch.stats)));
    }
    if (patch.timings !== undefined) {
      sets.push('timings = ?');
      values.push(JSON.stringify(patch.timings));
    }
    if (patch.error !== undefined) {
      sets.push('error = ?');
      values.push(patch.error === null ? null : scrubSecrets(patch.error));
    }
    if (patch.finished) {
      sets.push('finished_at = ?');
      values.push(new Date().toISOString());
    }
    values.push(runId);
    await this.writing(() => this.db.run(`UPDATE runs SET ${sets.join(', ')} WHERE run_id = ?`, values as never));
  }

  /** Remove rows of participants that have no `participants` entry (a run killed between the two writes). */
  async removeUnfinished(runId: string): Promise<number> {
    const where = UNFINISHED_WHERE;
    const n = await this.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM responses WHERE ${where}`, [runId, runId]);
    await this.writing(async () => {
      await this.db.run(`DELETE FROM responses WHERE ${where}`, [runId, runId] as never);
      await this.db.run(`DELETE FROM skipped_responses WHERE ${where}`, [runId, runId] as never);
    });
    return n[0]?.n ?? 0;
  }

  /** Keys (study, experiment, participant joined by U+001F) of the participants a run has finished. */
  async finishedParticipants(runId: string): Promise<Set<string>> {
    const rows = await this.query<{ k: string }>(FINISHED_PARTICIPANTS_SQL, [runId]);
    return new Set(rows.map((r) => r.k));
  }

  /** A writer bound to one run: what the run loop writes finished participants to (failures typed as store errors). */
  writer(runId: string): RunWriter {
    return new RunWriter(this.db, runId, (write) => this.writing(write));
  }

  /** Write the response rows of runs to Parquet or CSV, with the model name joined in. */
  async exportResponses(runIds: readonly string[], path: string, format: 'parquet' | 'csv'): Promise<number> {
    const select = exportResponsesSql(runIds);
    await this.db.run(`COPY (${select}) TO ${sqlString(path)} (FORMAT ${format === 'csv' ? 'csv, HEADER true' : 'parquet'})`);
    const n = await this.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM responses WHERE run_id IN (${sqlList(runIds)})`);
    return n[0]?.n ?? 0;
  }

  close(): void {
    this.db.closeSync();
    this.instance.closeSync();
  }
}

function parseJson(v: unknown): Record<string, unknown> | null {
  if (typeof v !== 'string') return null;
  try {
    return JSON.parse(v) as Record<string, unknown>;
  } catch {
    return null;
  }
}

function toRunRecord(r: Record<string, unknown>): RunRecord {
  const s = (k: string): string => String(r[k] ?? '');
  const n = (k: string): string | null => (r[k] === null || r[k] === undefined ? null : String(r[k]));
  return {
    runId: s('run_id'),
    configKey: s('config_key'),
    recordVersion: Number(r['record_version']),
    toolVersion: s('tool_version'),
    status: s('status') as RunStatus,
    createdAt: s('created_at'),
    updatedAt: s('updated_at'),
    finishedAt: n('finished_at'),
    source: s('source'),
    selection: s('selection'),
    datasetHash: s('dataset_hash'),
    model: s('model'),
    modelKind: s('model_kind'),
    modelSha256: n('model_sha256'),
    modelIdentity: parseJson(r['model_identity']) ?? {},
    tokenizer: s('tokenizer'),
    promptFormat: s('prompt_format'),
    contextPolicy: s('context_policy'),
    options: parseJson(r['options']) ?? {},
    stats: parseJson(r['stats']),
    timings: parseJson(r['timings']),
    error: n('error'),
  };
}
