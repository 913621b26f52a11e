import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { resolveSource, type SourceOptions } from './readSource.js';

/**
 * A cheap identity of a source's content: every file it reads with its size and modification time, and its split
 * manifest (times in whole milliseconds, which every file system and utimes keep). It finds a finished run without reading the data (as make does); the run record still holds the
 * content hash of the records scored, checked when a run is resumed.
 */
export async function fingerprintSource(path: string, options: SourceOptions = {}): Promise<string> {
  const source = await resolveSource(path, options);
  const hash = createHash('sha256');
  for (const f of source.files) {
    const info = await stat(f.path);
    hash.update(`${resolve(f.path)}\u0000${f.study}\u0000${info.size}\u0000${Math.trunc(info.mtimeMs)}\n`);
  }
  hash.update(JSON.stringify(source.manifest ?? null));
  return hash.digest('hex');
}

/** Size and modification time of one file (a model), the same cheap identity. */
export async function fingerprintFile(path: string): Promise<string> {
  const info = await stat(path);
  return `${resolve(path)}:${info.size}:${Math.trunc(info.mtimeMs)}`;
}
