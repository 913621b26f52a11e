import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { cacheDir } from '../util/cacheDir.js';
import { createDownloadProgress } from './createDownloadProgress.js';
import { type DownloadProgress, downloadHubFile } from './downloadHubFile.js';
import { encodeHubPath, type HubSettings, isSafeHubPath, readHubSettings } from './hubSettings.js';

/** A model file on the hub: `hf:<user>/<repo>/<path to file>`. */
export interface HubModelRef {
  repo: string;
  path: string;
}

/** Parse `hf:<user>/<repo>/<file>.gguf` (the file may sit in sub-folders of the repository). */
export function parseHubModelRef(ref: string): HubModelRef {
  const rest = ref.slice('hf:'.length);
  const parts = rest.split('/');
  if (!ref.startsWith('hf:') || parts.length < 3 || !isSafeHubPath(rest)) {
    throw new UsageError(`${ref}: expected hf:<user>/<repo>/<file>.gguf, e.g. hf:Qwen/Qwen2.5-0.5B-GGUF/qwen2.5-0.5b-q8_0.gguf`);
  }
  return { repo: parts.slice(0, 2).join('/'), path: parts.slice(2).join('/') };
}

/** Where a hub model is kept: `<cache>/models/<user>/<repo>/<file>`. */
export function hubModelCachePath(ref: HubModelRef, cache = cacheDir()): string {
  return join(cache, 'models', ...ref.repo.split('/'), ...ref.path.split('/'));
}

/**
 * The local path of a hub model, downloading it on first use (main branch) with progress on stderr. A file already
 * in the cache is used without network; an interrupted download resumes from `<file>.part`.
 */
export async function resolveHubModel(
  ref: string,
  options: { hub?: HubSettings; onProgress?: (p: DownloadProgress) => void } = {},
): Promise<string> {
  const model = parseHubModelRef(ref);
  const hub = options.hub ?? readHubSettings();
  const url = `${hub.endpoint}/${encodeHubPath(model.repo)}/resolve/main/${encodeHubPath(model.path)}`;
  const result = await downloadHubFile(hub, url, hubModelCachePath(model), {
    label: model.path.split('/').pop() ?? model.path,
    what: `model ${ref}`,
    page: `${hub.endpoint}/${model.repo}`,
    onProgress: options.onProgress ?? createDownloadProgress(),
  });
  return result.path;
}
