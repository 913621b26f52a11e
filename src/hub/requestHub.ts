import { BackendError, UsageError } from '../errors.js';
import { cacheDir } from '../util/cacheDir.js';
import { VERSION } from '../version.js';
import type { HubSettings } from './hubSettings.js';

/** What a hub request is for, named in its errors (e.g. "model Qwen/Qwen2.5-0.5B-GGUF/qwen2.5-0.5b-q8_0.gguf"). */
export interface HubRequest {
  what: string;
  /** The hub page a user opens to accept a gated repository's terms. */
  page: string;
  headers?: Record<string, string>;
  method?: 'GET' | 'HEAD';
  /** Statuses the caller handles itself (e.g. 416 for a finished resume). */
  accept?: readonly number[];
}

/** A response whose headers arrived, and the abort that also stops its body (the caller's idle timer uses it). */
export interface HubResponse {
  response: Response;
  abort: (reason: Error) => void;
}

const MAX_REDIRECTS = 5;

/** The low-level reason a request failed: the socket error code where there is one. */
export function describeNetworkError(e: unknown): string {
  let cause: unknown = e;
  while (cause instanceof Error && (cause as { cause?: unknown }).cause !== undefined && !(cause as NodeJS.ErrnoException).code) {
    cause = (cause as { cause?: unknown }).cause;
  }
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  return code ?? (cause instanceof Error ? cause.message : String(cause));
}

/** The hub could not be reached at all (offline, refused, no answer in time): a cached copy may stand in. */
export class HubUnreachableError extends BackendError {}

function unreachable(hub: HubSettings, url: string, reason: string, cause: unknown): BackendError {
  return new HubUnreachableError(
    `cannot reach the Hugging Face hub at ${new URL(url).origin} (${reason}): check the network connection, or set HF_ENDPOINT ` +
      `to a mirror; files already downloaded into ${cacheDir()} are used without network`,
    { endpoint: hub.endpoint, cause },
  );
}

function statusError(hub: HubSettings, request: HubRequest, url: string, status: number): BackendError {
  const options = { endpoint: hub.endpoint, status };
  if (status === 401 || status === 403) {
    const fix = hub.token
      ? `the token in HF_TOKEN has no access: accept the terms at ${request.page} with that account`
      : `it is gated or private (or does not exist): accept its terms at ${request.page} and set HF_TOKEN to a token of that account`;
    return new BackendError(`${request.what}: the hub refused access (HTTP ${status}): ${fix}`, options);
  }
  if (status === 404)
    return new BackendError(`${request.what}: not found on the hub (HTTP 404 for ${url}); check the repository and file names`, options);
  return new BackendError(`${request.what}: the hub answered HTTP ${status} for ${url}; try again later`, options);
}

/** `text` (against `base`) as an http(s) URL, or undefined when it is not one. */
function httpUrl(text: string, base?: string): URL | undefined {
  try {
    const u = new URL(text, base);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : undefined;
  } catch {
    return undefined;
  }
}

/** The hub's base URL, checked: `HF_ENDPOINT` is set by hand, and `huggingface.co` (no scheme) is an easy slip. */
function parseHubEndpoint(endpoint: string): URL {
  const u = httpUrl(endpoint);
  if (!u) throw new UsageError(`HF_ENDPOINT ${JSON.stringify(endpoint)} is not an http(s) URL (expected e.g. https://hf-mirror.com)`);
  return u;
}

/** Where a redirect leads: an http(s) URL, else a BackendError (a server that is not the hub, or a broken mirror). */
function resolveRedirect(hub: HubSettings, request: HubRequest, location: string, from: string): string {
  const next = httpUrl(location, from);
  if (!next)
    throw new BackendError(
      `${request.what}: the hub redirected ${from} to ${JSON.stringify(location.slice(0, 200))}, which is not an http(s) URL`,
      { endpoint: hub.endpoint },
    );
  return next.toString();
}

/**
 * One request to the hub: fails within `timeoutMs` when no answer comes (offline, a dead mirror), sends the token to
 * the hub's own origin only (the hub redirects file downloads to a CDN with signed URLs, which must not see it), and
 * turns statuses into errors a user can act on (401/403: gated, set HF_TOKEN; 404: not found).
 */
export async function requestHub(hub: HubSettings, url: string, request: HubRequest): Promise<HubResponse> {
  const hubOrigin = parseHubEndpoint(hub.endpoint).origin;
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`no answer in ${hub.timeoutMs / 1000} s`)), hub.timeoutMs);
    const headers: Record<string, string> = { 'user-agent': `humanlike/${VERSION}`, ...request.headers };
    if (hub.token && new URL(current).origin === hubOrigin) headers['authorization'] = `Bearer ${hub.token}`;
    let response: Response;
    try {
      response = await fetch(current, { method: request.method ?? 'GET', headers, redirect: 'manual', signal: controller.signal });
    } catch (e) {
      throw unreachable(
        hub,
        current,
        controller.signal.aborted ? describeNetworkError(controller.signal.reason) : describeNetworkError(e),
        e,
      );
    } finally {
      clearTimeout(timer);
    }
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      current = resolveRedirect(hub, request, location, current);
      continue;
    }
    if (!response.ok && !request.accept?.includes(response.status)) {
      await response.body?.cancel();
      throw statusError(hub, request, current, response.status);
    }
    return { response, abort: (reason) => controller.abort(reason) };
  }
  throw new BackendError(`${request.what}: more than ${MAX_REDIRECTS} redirects from ${url}`, { endpoint: hub.endpoint });
}
