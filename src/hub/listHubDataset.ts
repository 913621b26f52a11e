import { z } from 'zod';
import { BackendError } from '../errors.js';
import { encodeHubPath, type HubSettings } from './hubSettings.js';
import { describeNetworkError, type HubResponse, HubUnreachableError, requestHub } from './requestHub.js';

/** A file of a hub dataset repository, as the tree listing gives it. */
export interface HubFile {
  path: string;
  /** Bytes of the file itself (for LFS files, the LFS object's size). */
  bytes: number;
}

const treeSchema = z.array(
  z.object({
    type: z.string(),
    path: z.string(),
    size: z.number().int().nonnegative().optional(),
    lfs: z.object({ size: z.number().int().nonnegative() }).optional(),
  }),
);

/** The next page of a paginated listing, from `Link: <url>; rel="next"`; one that is not an http(s) URL is refused. */
function nextPage(link: string | null, base: string, repo: string, hub: HubSettings): string | undefined {
  const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(link ?? '');
  if (m?.[1] === undefined) return undefined;
  let next: URL | undefined;
  try {
    next = new URL(m[1], base);
  } catch {
    next = undefined;
  }
  if (next?.protocol !== 'http:' && next?.protocol !== 'https:')
    throw new BackendError(
      `dataset ${repo}: the hub's listing points to a next page that is not an http(s) URL (${JSON.stringify(m[1].slice(0, 200))})`,
      {
        endpoint: hub.endpoint,
      },
    );
  return next.toString();
}

/** Largest page of a file listing (the hub's pages of 1,000 entries are about 300 KB). */
const MAX_LISTING_PAGE_BYTES = 64 * 1024 * 1024;

/**
 * A listing page's body, read under the same idle timeout as a download (a server that sends its headers and then
 * stalls would otherwise hold `fetch` for ever) and refused past MAX_LISTING_PAGE_BYTES (after decompression).
 */
async function readListingPage(hub: HubSettings, page: HubResponse, url: string, repo: string): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => page.abort(new Error(`no data for ${hub.timeoutMs / 1000} s`)), hub.timeoutMs);
  };
  try {
    arm();
    for await (const chunk of (page.response.body ?? []) as AsyncIterable<Uint8Array>) {
      arm();
      size += chunk.byteLength;
      if (size > MAX_LISTING_PAGE_BYTES)
        throw new BackendError(`dataset ${repo}: the hub's file listing at ${url} is over ${MAX_LISTING_PAGE_BYTES / 1024 / 1024} MiB`, {
          endpoint: hub.endpoint,
        });
      chunks.push(chunk);
    }
  } catch (e) {
    if (e instanceof BackendError) throw e;
    throw new HubUnreachableError(
      `cannot reach the Hugging Face hub at ${new URL(url).origin} (the file listing stopped: ${describeNetworkError(e)})`,
      { endpoint: hub.endpoint, cause: e },
    );
  } finally {
    clearTimeout(timer);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/**
 * Every file of a dataset repository on the main branch: `GET <hub>/api/datasets/<repo>/tree/main?recursive=true`,
 * following `Link: rel="next"` pages (the hub pages long listings).
 */
export async function listHubDataset(hub: HubSettings, repo: string): Promise<HubFile[]> {
  const files: HubFile[] = [];
  let url: string | undefined = `${hub.endpoint}/api/datasets/${encodeHubPath(repo)}/tree/main?recursive=true`;
  const request = { what: `dataset ${repo}`, page: `${hub.endpoint}/datasets/${repo}` };
  for (let page = 0; url !== undefined; page++) {
    if (page > 1000) throw new BackendError(`dataset ${repo}: the hub's listing did not end after 1000 pages`, { endpoint: hub.endpoint });
    const reply = await requestHub(hub, url, request);
    const text = await readListingPage(hub, reply, url, repo);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (e) {
      throw new BackendError(`dataset ${repo}: the hub's file listing at ${url} is not JSON (${(e as Error).message})`, {
        endpoint: hub.endpoint,
        cause: e,
      });
    }
    const parsed = treeSchema.safeParse(body);
    if (!parsed.success)
      throw new BackendError(`dataset ${repo}: unexpected file listing from ${url}: ${parsed.error.issues[0]?.message ?? ''}`, {
        endpoint: hub.endpoint,
      });
    for (const e of parsed.data) if (e.type === 'file') files.push({ path: e.path, bytes: e.lfs?.size ?? e.size ?? 0 });
    url = nextPage(reply.response.headers.get('link'), url, repo, hub);
  }
  return files;
}
