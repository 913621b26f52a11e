import { DatabaseCorruptError, DatabaseLockedError, DataError, NotADatabaseError, StorageFullError } from '../errors.js';
import { describeFreeSpace, NO_ROOM } from '../util/outputFiles.js';
import { describeLiveRun } from './progressFile.js';

// DuckDB reports every failure as a plain Error with an "IO Error: ..." style message: the patterns below are its
// wording (1.5). Whole phrases only: "lock" alone also matches "block at location" in a checksum failure.
const LOCKED = /Could not set lock on file|Conflicting lock is held/;
const NOT_A_DB = /is not a valid DuckDB database file|database does not exist/;
const CORRUPT =
  /Corrupt database file|checksum .* does not match|Could not read enough bytes|Serialization Error|INTERNAL Error|failed to deserialize|Invalid Input Error: .*(block|WAL)/i;

/**
 * Turn a DuckDB failure on the results database at `path` into the humanlike error that says what happened: another
 * process holds it, it is damaged, it is not a database, or the disk is full. Anything else stays a DataError
 * with DuckDB's first line. `writing` says whether the failure came from a write (then a lack of room is possible).
 */
export function classifyStoreError(path: string, e: unknown, writing: boolean): DataError {
  if (e instanceof DataError) return e;
  const message = (e as Error)?.message ?? String(e);
  const first = message.split('\n')[0] ?? '';
  if (LOCKED.test(message)) {
    const pid = /\(PID (\d+)\)/.exec(message)?.[1];
    const live = describeLiveRun(path);
    if (live)
      return new DatabaseLockedError(
        `${path}: in use by a running ${live}; the database can be read when it ends ('humanlike runs --db ${path}' shows its progress now), or use another --db`,
        { cause: e },
      );
    return new DatabaseLockedError(
      `${path}: in use by another process${pid ? ` (PID ${pid})` : ''}, such as a running eval; one process writes a database at a time: wait for it, or use another --db`,
      { cause: e },
    );
  }
  if (NOT_A_DB.test(message))
    return new NotADatabaseError(`${path}: this file is not a DuckDB database (a humanlike results database is one); give the right --db`, {
      cause: e,
    });
  if (NO_ROOM.test(message) && writing) {
    const why = NO_ROOM.exec(message)?.[0] ?? 'no space';
    return new StorageFullError(
      `${path}: cannot write the results database (${why}): the disk is full or a file-size limit (ulimit -f) was reached; ${describeFreeSpace(path)}. Finished participants are saved: make room and run the same command again to resume`,
      { cause: e },
    );
  }
  if (CORRUPT.test(message)) {
    return new DatabaseCorruptError(
      `${path}: the database is damaged or truncated (${first.replace(/^[A-Za-z ]*Error: /, '')}); restore it from a copy, or give another --db to start afresh`,
      { cause: e },
    );
  }
  return new DataError(`${path}: results database error: ${first}`, { cause: e });
}
