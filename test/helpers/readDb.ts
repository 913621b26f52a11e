import { DuckDBInstance } from '@duckdb/node-api';

/** Run a query on a results database opened read-only (the writer must have exited). */
export async function queryDb<T = Record<string, unknown>>(db: string, sql: string): Promise<T[]> {
  const inst = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
  const c = await inst.connect();
  try {
    return (await c.runAndReadAll(sql)).getRowObjectsJson() as T[];
  } finally {
    c.closeSync();
    inst.closeSync();
  }
}
