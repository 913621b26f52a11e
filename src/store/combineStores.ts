import { existsSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { NotADatabaseError, UsageError } from '../errors.js';
import { sqlString } from '../util/sqlString.js';
import { assertDatabaseFile } from './assertDatabaseFile.js';
import { classifyStoreError } from './classifyStoreError.js';
import { RUN_KEY_COLUMNS, runsTableKind } from './runsTableKind.js';

/** The tables of a results database, in the order rows must be written (a participant's rows before its entry). */
export const STORE_TABLES = ['runs', 'responses', 'skipped_responses', 'participants'] as const;

const alias = (i: number): string => `store${i}`;

/** Attach results databases read-only as store0, store1, ... (each checked to be a humanlike database). */
export async function attachStores(db: DuckDBConnection, paths: readonly string[]): Promise<void> {
  for (const [i, path] of paths.entries()) {
    if (!existsSync(path)) throw new NotADatabaseError(`${path}: no results database here (give an existing database)`);
    assertDatabaseFile(path);
    try {
      await db.run(`ATTACH ${sqlString(path)} AS ${alias(i)} (READ_ONLY)`);
    } catch (e) {
      if (/already attached/i.test((e as Error).message))
        throw new UsageError(`${path} is given twice (or is the database being merged into)`);
      throw classifyStoreError(path, e, false);
    }
    if ((await runsTableKind(db, alias(i))) !== 'humanlike')
      throw new UsageError(`${path}: not a humanlike results database (no runs table with ${RUN_KEY_COLUMNS.join(', ')})`);
  }
}

/**
 * Refuse run ids present in more than one of the attached databases (and, with `into`, in the target): two jobs
 * that scored the same run would double its rows; the user must choose which to keep.
 */
export async function assertDistinctRuns(db: DuckDBConnection, paths: readonly string[], into?: string): Promise<void> {
  const sources = paths.map((p, i) => `SELECT run_id, ${sqlString(p)} AS src FROM ${alias(i)}.runs`);
  if (into) sources.push(`SELECT run_id, ${sqlString(into)} AS src FROM main.runs`);
  const dup = (
    await db.runAndReadAll(
      `SELECT run_id, string_agg(src, ' and ' ORDER BY src) AS srcs FROM (${sources.join(' UNION ALL ')}) GROUP BY run_id HAVING count(*) > 1 ORDER BY run_id LIMIT 5`,
    )
  ).getRowObjectsJson();
  if (dup.length) {
    throw new UsageError(
      `the same run is in several databases (${dup.map((d) => `${String(d['run_id'])}: ${String(d['srcs'])}`).join('; ')}): keep one copy of each run (delete the other database or re-run with --new-run)`,
    );
  }
}

/** Views over the union of the attached databases' tables (missing columns of older databases read as NULL). */
export async function createUnionViews(db: DuckDBConnection, count: number): Promise<void> {
  for (const table of STORE_TABLES) {
    const parts = Array.from({ length: count }, (_, i) => `SELECT * FROM ${alias(i)}.${table}`);
    await db.run(`CREATE TEMP VIEW ${table} AS ${parts.join(' UNION ALL BY NAME ')}`);
  }
}

/** Copy every run of the attached databases into the open (writable) database, refusing duplicates; in one transaction. */
export async function copyStoresInto(db: DuckDBConnection, count: number): Promise<number> {
  await db.run('BEGIN TRANSACTION');
  try {
    for (let i = 0; i < count; i++) {
      for (const table of STORE_TABLES) await db.run(`INSERT INTO main.${table} BY NAME SELECT * FROM ${alias(i)}.${table}`);
    }
    await db.run('COMMIT');
  } catch (e) {
    await db.run('ROLLBACK');
    throw e;
  }
  const r = await db.runAndReadAll('SELECT count(*)::INTEGER AS n FROM main.runs');
  return Number(r.getRowObjectsJson()[0]?.['n'] ?? 0);
}
