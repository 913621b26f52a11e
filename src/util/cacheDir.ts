import { homedir } from 'node:os';
import { join } from 'node:path';

/** Cache folder of humanlike (model downloads, file hashes): $HUMANLIKE_CACHE or ~/.cache/humanlike. */
export function cacheDir(): string {
  return process.env['HUMANLIKE_CACHE'] ?? join(homedir(), '.cache', 'humanlike');
}
