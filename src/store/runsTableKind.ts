import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../util/sqlString.js';

/** Columns every humanlike `runs` table has had since the first record version: a table without them is someone else's. */
export const RUN_KEY_COLUMNS = ['run_id', 'config_key', 'status', 'model'] as const;

/**
 * What the `runs` table of a database (the main one, or an attached `catalog`) is: absent, humanlike's (it has
 * RUN_KEY_COLUMNS), or foreign (a DuckDB file of someone else's with its own `runs` table). A foreign one is refused
 * by name before anything is written, instead of failing on the first query that reads a column it lacks.
 */
export async function runsTableKind(db: DuckDBConnection, catalog?: string): Promise<'none' | 'humanlike' | 'foreign'> {
  const inCatalog = catalog === undefined ? '' : ` AND table_catalog = ${sqlString(catalog)}`;
  const keys = RUN_KEY_COLUMNS.map(sqlString).join(', ');
  const rows = (
    await db.runAndReadAll(
      `SELECT count(*)::INTEGER AS columns, count(DISTINCT CASE WHEN column_name IN (${keys}) THEN column_name END)::INTEGER AS keys
       FROM information_schema.columns WHERE table_name = 'runs'${inCatalog}`,
    )
  ).getRowObjectsJson();
  const columns = Number(rows[0]?.['columns'] ?? 0);
  if (columns === 0) return 'none';
  return Number(rows[0]?.['keys'] ?? 0) === RUN_KEY_COLUMNS.length ? 'humanlike' : 'foreign';
}
