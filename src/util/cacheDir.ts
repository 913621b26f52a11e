import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Cache folder of humanlike: $HUMANLIKE_CACHE or ~/.cache/humanlike. It holds `models/<user>/<repo>/<file>` (hf:
 * models), `datasets/<user>/<repo>/` (`humanlike fetch`) and model file hashes; see docs/backends.md.
 */
export function cacheDir(): string {
  return process.env['HUMANLIKE_CACHE'] ?? join(homedir(), '.cache', 'humanlike');
}
