import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UsageError } from '../errors.js';

/** Create the folder an output file goes into (like `mkdir -p`); one clear line when that is impossible. */
export async function ensureParentDir(file: string): Promise<void> {
  const dir = dirname(file);
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOTDIR' || code === 'EEXIST' ? 'a file is in the way' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new UsageError(`${file}: cannot create its folder ${dir} (${why})`, { cause: e });
  }
}
