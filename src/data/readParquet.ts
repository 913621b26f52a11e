import type { DuckDBConnection } from '@duckdb/node-api';
import { DataError } from '../errors.js';
import { sqlString } from '../util/sqlString.js';
import type { RawRecord } from './types.js';

/**
 * A file path as a DuckDB glob that matches only that file: DuckDB expands `*`, `?` and `[...]` in the paths given
 * to read_parquet, so `a[1].parquet` would read `a1.parquet`. Each such character becomes a one-character class.
 */
export function escapeDuckDbGlob(path: string): string {
  return path.replace(/[*?[]/g, (c) => `[${c}]`);
}

/**
 * Stream the rows of a Parquet file in the Hugging Face release layout (`text, study, experiment, participant,
 * participant_reindexed` plus metadata columns, "N/A" for missing) as raw records. DuckDB reads it chunk by chunk,
 * so memory does not grow with the file. The row number (1-based) stands in for the line.
 */
export async function* readParquetRecords(path: string): AsyncGenerator<RawRecord> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    // The DuckDB client ends a stream silently when a page cannot be read (it returns no error), so the rows read are
    // checked against the count the footer lists: a damaged file never reads as a shorter, valid one. Counted first:
    // a query on the connection would end the stream.
    const listed = await countParquetRows(connection, path);
    let result: Awaited<ReturnType<typeof connection.stream>>;
    try {
      result = await connection.stream(`SELECT * FROM read_parquet(${sqlString(escapeDuckDbGlob(path))})`);
    } catch (e) {
      throw new DataError(`${path}: not a readable Parquet file (${(e as Error).message.split('\n')[0]})`, { cause: e });
    }
    const columns = result.columnNames();
    if (!columns.includes('study')) {
      throw new DataError(
        `${path}: Parquet file has no 'study' column (expected the Psych-201 release layout: text, study, experiment, participant, ...)`,
      );
    }
    let row = 0;
    for await (const rows of result.yieldRowObjectJson()) {
      for (const object of rows) {
        row++;
        const study = object['study'];
        // A NULL study stays '' here; parseRecord reports it as a missing field (never a study named "null").
        yield {
          study: typeof study === 'string' ? study : study === null || study === undefined ? '' : String(study),
          location: { file: path, line: row },
          object: object as Record<string, unknown>,
        };
      }
    }
    if (row !== listed)
      throw new DataError(
        `${path}: damaged Parquet file: ${row} of the ${listed} rows its footer lists could be read (a page after row ${row} is unreadable)`,
      );
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** The number of rows a Parquet file's footer lists (read from its metadata, not its pages). */
async function countParquetRows(connection: DuckDBConnection, path: string): Promise<number> {
  try {
    const r = await connection.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM read_parquet(${sqlString(escapeDuckDbGlob(path))})`);
    return Number(r.getRowObjectsJson()[0]?.['n'] ?? 0);
  } catch (e) {
    throw new DataError(`${path}: not a readable Parquet file (${(e as Error).message.split('\n')[0]})`, { cause: e });
  }
}

/** The distinct study names of a Parquet file in the release layout (a read of that one column). */
export async function readParquetStudies(path: string): Promise<string[]> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    const result = await connection.runAndReadAll(
      `SELECT DISTINCT study FROM read_parquet(${sqlString(escapeDuckDbGlob(path))}) WHERE study IS NOT NULL`,
    );
    return result.getRowObjectsJson().map((r) => String(r['study']));
  } catch (e) {
    throw new DataError(`${path}: not a readable Parquet file with a 'study' column (${(e as Error).message.split('\n')[0]})`, {
      cause: e,
    });
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
