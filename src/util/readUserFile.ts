import { readFile, stat } from 'node:fs/promises';
import { DataError } from '../errors.js';

/** The largest table, list or configuration file read whole (they are kilobytes; a mistaken path may be gigabytes). */
export const MAX_SMALL_FILE_BYTES = 64 * 1024 * 1024;

/**
 * The size of a regular file, or why `path` is not one: a FIFO blocks a reader until something writes to it (for
 * ever, in a batch job), a device never ends, a folder cannot be read as a file.
 */
async function regularFile(path: string): Promise<{ size: number } | { why: string; cause?: unknown }> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) return { why: 'a folder, where a file was expected' };
    if (!info.isFile()) return { why: 'not a regular file (a FIFO or a device cannot be read here)' };
    return { size: info.size };
  } catch (e) {
    return { why: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message, cause: e };
  }
}

/** Refuse a path that is not a regular file before opening it (see regularFile); its size otherwise. */
export async function assertRegularFile(path: string): Promise<number> {
  const r = await regularFile(path);
  if ('why' in r) throw new DataError(`${path}: ${r.why}`, { cause: r.cause });
  return r.size;
}

/**
 * Read a small text file the user named (`what`: "the study list", "model table"): regular files only, at most
 * MAX_SMALL_FILE_BYTES; a failure is one DataError `<path>: cannot read <what> (<why>)`.
 */
export async function readSmallTextFile(path: string, what: string): Promise<string> {
  const fail = (why: string, cause?: unknown): never => {
    throw new DataError(`${path}: cannot read ${what} (${why})`, { cause });
  };
  const r = await regularFile(path);
  if ('why' in r) return fail(r.why, r.cause);
  if (r.size > MAX_SMALL_FILE_BYTES)
    fail(`${r.size} bytes, more than the ${MAX_SMALL_FILE_BYTES} bytes such a file can be: is it the right file?`);
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return fail(code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (e as Error).message, e);
  }
}
