import { readFile, stat } from 'node:fs/promises';
import { DataError } from '../errors.js';

/** The largest table, list or configuration file read whole (they are kilobytes; a mistaken path may be gigabytes). */
export const MAX_SMALL_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Refuse a path that is not a regular file before opening it: a FIFO blocks a reader until something writes to it
 * (for ever, in a batch job), a device never ends, a folder cannot be read as a file.
 */
export async function assertRegularFile(path: string): Promise<number> {
  const info = await stat(path).catch((e: NodeJS.ErrnoException) => {
    throw new DataError(`${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`, { cause: e });
  });
  if (info.isDirectory()) throw new DataError(`${path}: a folder, where a file was expected`);
  if (!info.isFile()) throw new DataError(`${path}: not a regular file (a FIFO or a device cannot be read here)`);
  return info.size;
}

/** Read a small text file the user named (a table, a study list, a run configuration): regular files only, bounded. */
export async function readSmallTextFile(path: string): Promise<string> {
  const size = await assertRegularFile(path);
  if (size > MAX_SMALL_FILE_BYTES)
    throw new DataError(`${path}: ${size} bytes, more than the ${MAX_SMALL_FILE_BYTES} bytes such a file can be (is it the right file?)`);
  return readFile(path, 'utf8');
}
