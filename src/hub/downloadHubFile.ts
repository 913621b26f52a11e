import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { BackendError, DataError } from '../errors.js';
import { ensureParentDir, outputWriteError } from '../util/outputFiles.js';
import type { HubSettings } from './hubSettings.js';
import { describeNetworkError, type HubRequest, requestHub } from './requestHub.js';

/** How far a download has come; `totalBytes` is undefined when the server does not say. */
export interface DownloadProgress {
  label: string;
  receivedBytes: number;
  totalBytes: number | undefined;
  /** Bytes that were already in `<file>.part` from an earlier, interrupted download. */
  resumedFromBytes: number;
  /** No more bytes will come (finished, or stopped by an error that follows). */
  done: boolean;
}

export interface DownloadOptions extends Omit<HubRequest, 'headers' | 'method' | 'accept'> {
  /** Name shown in progress (the file name). */
  label: string;
  /** Size the listing gave: a cached file of another size is downloaded again, and the result must match it. */
  expectedBytes?: number;
  onProgress?: (p: DownloadProgress) => void;
}

export interface DownloadResult {
  path: string;
  bytes: number;
  /** True when the file was already complete in the cache and nothing was downloaded. */
  cached: boolean;
  resumedFromBytes: number;
}

const sizeOf = (path: string): Promise<number | undefined> =>
  stat(path).then(
    (s) => (s.isFile() ? s.size : undefined),
    () => undefined,
  );

/** Rename the complete part file to its real name; a folder or a permission in the way is one line naming it. */
async function moveIntoPlace(part: string, dest: string): Promise<void> {
  try {
    await rename(part, dest);
  } catch (e) {
    throw outputWriteError(dest, e);
  }
}

/** Total size from `Content-Range: bytes a-b/total` or `bytes *\/total`. */
function rangeTotal(header: string | null): { start: number | undefined; total: number | undefined } {
  const m = /^bytes (?:(\d+)-\d+|\*)\/(\d+|\*)$/.exec(header?.trim() ?? '');
  return { start: m?.[1] === undefined ? undefined : Number(m[1]), total: m?.[2] === undefined || m[2] === '*' ? undefined : Number(m[2]) };
}

/**
 * Download one hub file to `dest`: into `<dest>.part` first, resumed with an HTTP Range request when an earlier
 * attempt left one, then renamed into place, so `dest` is either absent or complete. A complete file already at
 * `dest` is used without any network. Fails within the hub timeout when the hub cannot be reached or stops sending.
 */
export async function downloadHubFile(hub: HubSettings, url: string, dest: string, o: DownloadOptions): Promise<DownloadResult> {
  const have = await sizeOf(dest);
  if (have !== undefined && (o.expectedBytes === undefined || have === o.expectedBytes))
    return { path: dest, bytes: have, cached: true, resumedFromBytes: 0 };
  await ensureParentDir(dest);
  const part = `${dest}.part`;
  let offset = (await sizeOf(part)) ?? 0;
  if (o.expectedBytes !== undefined && offset > o.expectedBytes) {
    await rm(part, { force: true });
    offset = 0;
  }
  const request = { what: o.what, page: o.page };
  const { response, abort } = await requestHub(hub, url, {
    ...request,
    accept: [416],
    ...(offset > 0 && { headers: { range: `bytes=${offset}-` } }),
  });
  const range = rangeTotal(response.headers.get('content-range'));
  if (response.status === 416) {
    // The part already holds every byte (the earlier attempt stopped just before the rename), or it is stale.
    if (range.total !== offset) {
      await rm(part, { force: true });
      return downloadHubFile(hub, url, dest, o);
    }
    await moveIntoPlace(part, dest);
    return { path: dest, bytes: offset, cached: false, resumedFromBytes: offset };
  }
  const resumed = response.status === 206 && range.start === offset ? offset : 0;
  if (response.status === 206 && range.start !== offset) {
    await response.body?.cancel();
    throw new BackendError(
      `${o.what}: the hub answered a range request with the wrong bytes (${response.headers.get('content-range')}); delete ${part} and try again`,
      { endpoint: hub.endpoint },
    );
  }
  const length = Number(response.headers.get('content-length') ?? NaN);
  const total = range.total ?? (Number.isFinite(length) ? resumed + length : o.expectedBytes);
  // Bytes past the size the listing (or else the response) announced are never written: a lying server would fill the disk.
  const limit = o.expectedBytes ?? total;
  const received = await streamBody(response, part, resumed, {
    hub,
    abort,
    label: o.label,
    what: o.what,
    total,
    limit,
    onProgress: o.onProgress,
  });
  if (limit !== undefined && received > limit) {
    await rm(part, { force: true });
    throw new BackendError(
      `${o.what}: the hub sent more than the ${limit} bytes it announced (a broken mirror or proxy?); the partial file was removed, run the command again`,
      { endpoint: hub.endpoint },
    );
  }
  if (total !== undefined && received !== total) {
    throw new BackendError(
      `${o.what}: download interrupted at ${received} of ${total} bytes: run the same command again to resume from ${part}`,
      { endpoint: hub.endpoint },
    );
  }
  if (o.expectedBytes !== undefined && received !== o.expectedBytes) {
    await rm(part, { force: true });
    throw new DataError(`${o.what}: downloaded ${received} bytes where the hub's listing says ${o.expectedBytes}; run the command again`);
  }
  await moveIntoPlace(part, dest);
  return { path: dest, bytes: received, cached: false, resumedFromBytes: resumed };
}

interface StreamContext {
  hub: HubSettings;
  abort: (reason: Error) => void;
  label: string;
  what: string;
  total: number | undefined;
  /** Stop reading once the file is longer than this (received is then over it). */
  limit: number | undefined;
  onProgress: ((p: DownloadProgress) => void) | undefined;
}

/** Append (or write, from 0) the body to the part file; an idle timer aborts a stalled body. Returns the part's size. */
async function streamBody(response: Response, part: string, resumed: number, c: StreamContext): Promise<number> {
  const out = createWriteStream(part, { flags: resumed > 0 ? 'a' : 'w' });
  // A write that fails (a read-only cache, a full disk) stops the download and is named; it is never an unhandled event.
  let writeError: unknown;
  out.on('error', (e) => {
    writeError ??= e;
    c.abort(e);
  });
  try {
    await once(out, 'open');
  } catch (e) {
    await response.body?.cancel().catch(() => undefined); // already aborted by the error listener
    throw outputWriteError(part, e);
  }
  let received = resumed;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => c.abort(new Error(`no data for ${c.hub.timeoutMs / 1000} s`)), c.hub.timeoutMs);
  };
  const report = (done: boolean): void =>
    c.onProgress?.({ label: c.label, receivedBytes: received, totalBytes: c.total, resumedFromBytes: resumed, done });
  try {
    arm();
    report(false);
    if (response.body) {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        arm();
        if (c.limit !== undefined && received + chunk.byteLength > c.limit) {
          received += chunk.byteLength; // over the limit: the caller refuses the file; nothing more is read or written
          break;
        }
        received += chunk.byteLength;
        // Checked before writing: a stream that failed emits no 'drain', so waiting for one would hang.
        if (writeError !== undefined) throw writeError;
        if (!out.write(chunk)) await once(out, 'drain');
        report(false);
      }
    }
  } catch (e) {
    if (writeError !== undefined) throw outputWriteError(part, writeError);
    throw new BackendError(
      `${c.what}: download interrupted at ${received}${c.total === undefined ? '' : ` of ${c.total}`} bytes (${describeNetworkError(e)}): ` +
        `run the same command again to resume from ${part}`,
      { endpoint: c.hub.endpoint, cause: e },
    );
  } finally {
    clearTimeout(timer);
    await new Promise<void>((done) => out.end(done));
    report(true);
  }
  if (writeError !== undefined) throw outputWriteError(part, writeError); // e.g. no room for the last bytes, at close
  return received;
}
