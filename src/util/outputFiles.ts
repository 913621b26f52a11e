import { statfsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { HumanlikeError, StorageFullError, UsageError } from '../errors.js';
import { formatBytes } from './formatBytes.js';

// Output files the user named (exports, reports, figures): their folders are created like `mkdir -p`, and a failure
// to make or write them is one line naming the path and the reason, never an internal error.

/** A lack of room, in the words of the OS (errno codes) and of DuckDB (its "IO Error" messages). */
export const NO_ROOM = /No space left on device|File too large|Disk quota exceeded|ENOSPC|EFBIG|EDQUOT/i;

/** The free space on the file system holding `path`, as a clause: "1.2 GB free on its file system". */
export function describeFreeSpace(path: string): string {
  try {
    const s = statfsSync(dirname(path));
    return `${formatBytes(Number(s.bavail) * Number(s.bsize))} free on its file system`;
  } catch {
    return 'free space unknown';
  }
}

/** The OS's own words for the errno codes of a lack of room. */
const ROOM_CODES: Record<string, string> = { ENOSPC: 'No space left on device', EFBIG: 'File too large', EDQUOT: 'Disk quota exceeded' };

const REASONS: Record<string, string> = {
  ENOTDIR: 'a file is in the way',
  EEXIST: 'a file is in the way',
  EISDIR: 'it is a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENAMETOOLONG: 'the name is too long',
};

/** `mkdir -p dir`; a failure is one UsageError, worded by `say` from the reason. */
async function makeFolder(dir: string, say: (why: string) => string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw new UsageError(say(REASONS[(e as NodeJS.ErrnoException).code ?? ''] ?? (e as Error).message), { cause: e });
  }
}

/** Create a folder for outputs (like `mkdir -p`); one clear line when that is impossible. */
export const ensureDir = (dir: string): Promise<void> => makeFolder(dir, (why) => `${dir}: cannot create this folder (${why})`);

/** Create the folder an output file goes into (like `mkdir -p`); one clear line when that is impossible. */
export const ensureParentDir = (file: string): Promise<void> =>
  makeFolder(dirname(file), (why) => `${file}: cannot create its folder ${dirname(file)} (${why})`);

/**
 * The humanlike error for a failed write of the output `file` (an fs error or DuckDB's COPY): a lack of room names
 * the free space; a folder or a permission in the way is a usage error. Anything else is returned unchanged.
 */
export function outputWriteError(file: string, e: unknown): unknown {
  if (e instanceof HumanlikeError) return e;
  const message = (e as Error)?.message ?? String(e);
  const room = ROOM_CODES[(e as NodeJS.ErrnoException)?.code ?? ''] ?? NO_ROOM.exec(message)?.[0];
  if (room) {
    return new StorageFullError(
      `${file}: cannot write (${room}): the disk is full or a file-size limit (ulimit -f) was reached; ${describeFreeSpace(file)}`,
      { cause: e },
    );
  }
  const reason = REASONS[(e as NodeJS.ErrnoException)?.code ?? ''];
  return reason ? new UsageError(`${file}: cannot write (${reason})`, { cause: e }) : e;
}

/** Write an output file, with outputWriteError's messages. */
export async function writeOutputFile(file: string, data: string | Uint8Array): Promise<void> {
  try {
    await writeFile(file, data);
  } catch (e) {
    throw outputWriteError(file, e);
  }
}
