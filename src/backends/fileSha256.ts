import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { cacheDir } from '../util/cacheDir.js';

/**
 * sha256 of a file, cached by (absolute path, size, mtime) so that a 40 GB model is hashed once, not per run.
 * The hash identifies the model in the run record.
 */
export async function fileSha256(path: string): Promise<string> {
  const abs = resolve(path);
  const info = await stat(abs);
  const key = `${abs}\u0000${info.size}\u0000${info.mtimeMs}`;
  const cacheFile = join(cacheDir(), 'file-hashes.json');
  let cache: Record<string, string> = {};
  try {
    const parsed = JSON.parse(await readFile(cacheFile, 'utf8')) as unknown;
    // Anything but an object (a file damaged or written by something else) is no cache, and is rewritten.
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) cache = parsed as Record<string, string>;
  } catch {
    // no cache yet
  }
  const hit = cache[key];
  if (typeof hit === 'string' && /^[0-9a-f]{64}$/.test(hit)) return hit;
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(abs)) hash.update(chunk as Buffer);
  const digest = hash.digest('hex');
  try {
    cache[key] = digest;
    await mkdir(dirname(cacheFile), { recursive: true });
    await writeFile(cacheFile, JSON.stringify(cache));
  } catch {
    // a read-only home is fine: we just hash again next time
  }
  return digest;
}
