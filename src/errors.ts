/**
 * The small error hierarchy of humanlike. Every error a user can cause is a HumanlikeError: the CLI prints its
 * message on one line (no stack trace) and exits with its exitCode. Anything else is a bug and keeps its stack.
 */
export class HumanlikeError extends Error {
  /** Process exit code the CLI uses for this error. */
  readonly exitCode: number = 2;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad input data: a file that cannot be read, parsed or understood. Names the file (and line where known). */
export class DataError extends HumanlikeError {}

/**
 * A deterministic problem of one participant's text (the tokenizer changes it beyond whitespace, no token covers a
 * response): the same text fails the same way every time, so the participant is a recorded skip with this reason,
 * never a backend failure left for a resume.
 */
export class TextAlignmentError extends DataError {}

/** A zip archive that is refused for safety: an entry escaping the folder, or one inflating past the limit. */
export class UnsafeArchiveError extends DataError {}

/** Bad command-line usage or configuration. */
export class UsageError extends HumanlikeError {}

/** A backend (model engine or server) failed; carries the endpoint and HTTP status when there is one. */
export class BackendError extends HumanlikeError {
  readonly endpoint: string | undefined;
  readonly status: number | undefined;
  constructor(message: string, options: { endpoint?: string; status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.endpoint = options.endpoint;
    this.status = options.status;
  }
}

/** A run asked for something the backend declared it cannot do. Raised before any work starts. */
export class CapabilityError extends HumanlikeError {}

/** The results database is held by another process (DuckDB lets one process write a file at a time). */
export class DatabaseLockedError extends DataError {}

/** The results database file exists but is damaged or truncated (a failed checksum, missing bytes). */
export class DatabaseCorruptError extends DataError {}

/** The file is not a DuckDB database, or not a humanlike results database; or no database is there at all. */
export class NotADatabaseError extends DataError {}

/** A write to the results database failed for lack of room: a full disk or a file-size limit. The run resumes. */
export class StorageFullError extends DataError {}
