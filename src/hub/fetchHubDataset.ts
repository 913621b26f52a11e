import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from '../errors.js';
import { cacheDir } from '../util/cacheDir.js';
import { type DownloadProgress, downloadHubFile } from './downloadHubFile.js';
import { encodeHubPath, type HubSettings, isSafeHubPath, readHubSettings } from './hubSettings.js';
import { type HubFile, listHubDataset } from './listHubDataset.js';
import { HubUnreachableError } from './requestHub.js';

/** Written beside the files once all are complete, so a later fetch without network can vouch for the copy. */
export const FETCH_RECORD = '.humanlike-fetch.json';

export interface FetchedFile extends HubFile {
  /** Already complete on disk: nothing downloaded. */
  cached: boolean;
  resumedFromBytes: number;
}

export interface FetchedDataset {
  repo: string;
  dir: string;
  files: FetchedFile[];
  /** The hub could not be reached and the complete earlier copy in `dir` was used. */
  offline: boolean;
}

export interface FetchOptions {
  /** Default `<cache>/datasets/<repo>`. */
  dir?: string;
  hub?: HubSettings;
  onProgress?: (p: DownloadProgress) => void;
}

/** The files worth having: the Parquet data and the dataset card (its licence and citation). */
const wanted = (f: HubFile): boolean => f.path.endsWith('.parquet') || f.path === 'README.md';

async function readFetchRecord(dir: string, repo: string): Promise<HubFile[] | undefined> {
  try {
    const record = JSON.parse(await readFile(join(dir, FETCH_RECORD), 'utf8')) as { repo?: unknown; files?: HubFile[] };
    if (record.repo !== repo || !Array.isArray(record.files)) return undefined;
    for (const f of record.files) if ((await stat(join(dir, ...f.path.split('/')))).size !== f.bytes) return undefined;
    return record.files;
  } catch {
    return undefined;
  }
}

/**
 * Download the Parquet files (and README.md) of a hub dataset repository into a folder, keeping the repository's
 * paths (`data/train-00000-of-00001.parquet`), so the folder is a source every command reads. Files already complete
 * are kept, an interrupted file resumes. Offline, a complete earlier fetch is used as it is.
 */
export async function fetchHubDataset(repo: string, options: FetchOptions = {}): Promise<FetchedDataset> {
  const hub = options.hub ?? readHubSettings();
  const dir = options.dir ?? join(cacheDir(), 'datasets', ...repo.split('/'));
  let listing: HubFile[];
  try {
    listing = await listHubDataset(hub, repo);
  } catch (e) {
    const earlier = e instanceof HubUnreachableError ? await readFetchRecord(dir, repo) : undefined;
    if (!earlier) throw e;
    return { repo, dir, files: earlier.map((f) => ({ ...f, cached: true, resumedFromBytes: 0 })), offline: true };
  }
  const files = listing.filter(wanted);
  if (!files.some((f) => f.path.endsWith('.parquet'))) {
    throw new DataError(
      `dataset ${repo}: the hub lists no Parquet files (found ${listing.length} files: ${listing
        .slice(0, 5)
        .map((f) => f.path)
        .join(', ')})`,
    );
  }
  const unsafe = files.find((f) => !isSafeHubPath(f.path));
  if (unsafe)
    throw new DataError(
      `dataset ${repo}: refusing the file path ${JSON.stringify(unsafe.path)} from the hub's listing (it would write outside ${dir})`,
    );
  const fetched: FetchedFile[] = [];
  for (const f of files) {
    const url = `${hub.endpoint}/datasets/${encodeHubPath(repo)}/resolve/main/${encodeHubPath(f.path)}`;
    const r = await downloadHubFile(hub, url, join(dir, ...f.path.split('/')), {
      label: f.path,
      what: `dataset ${repo}: ${f.path}`,
      page: `${hub.endpoint}/datasets/${repo}`,
      expectedBytes: f.bytes,
      ...(options.onProgress && { onProgress: options.onProgress }),
    });
    fetched.push({ ...f, cached: r.cached, resumedFromBytes: r.resumedFromBytes });
  }
  await writeFile(join(dir, FETCH_RECORD), JSON.stringify({ repo, fetchedAt: new Date().toISOString(), files }, null, 1) + '\n');
  return { repo, dir, files: fetched, offline: false };
}
