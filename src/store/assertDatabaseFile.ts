import { statSync } from 'node:fs';
import { NotADatabaseError } from '../errors.js';

/**
 * A database path that exists must be a regular file (a link to one is followed): DuckDB would block for ever on a
 * FIFO (waiting for a writer) and reports a folder in its own words.
 */
export function assertDatabaseFile(path: string): void {
  let info: ReturnType<typeof statSync> | undefined;
  try {
    info = statSync(path);
  } catch {
    return; // absent (a writer creates it) or unreadable (DuckDB's own error says why)
  }
  if (!info?.isFile())
    throw new NotADatabaseError(
      `${path}: ${info?.isDirectory() ? 'a folder' : 'not a regular file (a FIFO or device)'}, not a results database; give the database file as --db`,
    );
}
