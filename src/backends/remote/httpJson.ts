import { BackendError } from '../../errors.js';
import { decodeUserinfo, displayUrl, scrubSecrets } from './redactSecrets.js';

// The one URL redactor lives with the secret scrubber; re-exported for existing callers.
export { displayUrl } from './redactSecrets.js';

/** A failure worth retrying (429, 5xx, timeout, dropped connection, truncated body), with the server's Retry-After. */
export class RetryableError extends BackendError {
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options: { endpoint: string; status?: number; retryAfterMs?: number | undefined; cause?: unknown }) {
    super(message, options);
    this.retryAfterMs = options.retryAfterMs;
  }
}

function retryAfterMs(h: string | null): number | undefined {
  if (!h) return undefined;
  const s = Number(h);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const t = Date.parse(h);
  return Number.isFinite(t) ? Math.max(0, t - Date.now()) : undefined;
}

/** Whatever follows an authorization header name or a Bearer/Basic scheme, even one cut short by the excerpt. */
function redactAuthorization(text: string): string {
  return text.replace(/(authorization"?\s*[:=]\s*"?)[^",}\n]*/gi, '$1***').replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, '$1 ***');
}

/**
 * Largest reply read from a server, in bytes after decompression: 256 MiB, where a vLLM reply for 32,768 prompt
 * tokens is about 5 MB. Bodies are read as they stream, so a reply that inflates without end (a gzip bomb) or never
 * stops stays bounded in memory.
 */
export const MAX_REPLY_BYTES = 256 * 1024 * 1024;

/** A bare NaN or ±Infinity where a JSON value stands (after `:`, `,` or `[`). */
const NON_FINITE = /[:,[]\s*-?(?:NaN|Infinity)\s*[,\]}]/;

/** Reply bodies past MAX_REPLY_BYTES: the same request gets the same reply, so it is not retried. */
class ReplyTooLargeError extends BackendError {}

/** The body of a reply as text, read chunk by chunk and refused past MAX_REPLY_BYTES. */
async function readReply(res: Response, where: string, endpoint: string): Promise<string> {
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_REPLY_BYTES) {
      // Leaving the loop by a throw cancels the body: nothing more is read or inflated.
      throw new ReplyTooLargeError(
        `${where}: the reply is over ${MAX_REPLY_BYTES / 1024 / 1024} MiB (after decompression); no server sends that much for one request`,
        { endpoint, status: res.status },
      );
    }
    chunks.push(chunk);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

export interface HttpOptions {
  timeoutMs: number;
  /** Sent as `Authorization: Bearer`; read from the environment by the caller, never logged. */
  apiKey?: string | undefined;
}

/**
 * One HTTP call returning JSON. Retryable failures raise RetryableError; other HTTP errors (4xx) a BackendError with
 * the status and the start of the server's message. Messages never contain the API key.
 */
export async function requestJson(base: string, path: string, body: unknown, o: HttpOptions): Promise<unknown> {
  const endpoint = displayUrl(base);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  // Credentials in the URL become a Basic header (fetch refuses them in URLs); an API key wins over them.
  let target: URL;
  try {
    target = new URL(base.replace(/\/$/, '') + path);
  } catch {
    throw new BackendError(`${endpoint}: not a valid URL`);
  }
  if (target.username) {
    headers['authorization'] =
      `Basic ${Buffer.from(`${decodeUserinfo(target.username)}:${decodeUserinfo(target.password)}`).toString('base64')}`;
    target.username = '';
    target.password = '';
  }
  if (o.apiKey) headers['authorization'] = `Bearer ${o.apiKey}`;
  const url = target.toString();
  let res: Response;
  try {
    res = await fetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers,
      ...(body !== undefined && { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(o.timeoutMs),
      // A request carries participants' transcripts (as token ids or text): it goes to the endpoint given, never on
      // to wherever a server redirects it.
      redirect: 'manual',
    });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    const why =
      err.name === 'TimeoutError'
        ? `no answer within ${o.timeoutMs} ms`
        : `connection failed (${scrubSecrets(err.cause?.code ?? err.message)})`;
    throw new RetryableError(`${endpoint}${path}: ${why}`, { endpoint, cause: e });
  }
  let text: string;
  try {
    text = await readReply(res, `${endpoint}${path}`, endpoint);
  } catch (e) {
    if (e instanceof ReplyTooLargeError) throw e;
    throw new RetryableError(`${endpoint}${path}: the connection dropped while reading the response`, {
      endpoint,
      status: res.status,
      cause: e,
    });
  }
  // A server's error body may echo the request (headers included): scrub it before it becomes a message.
  // Scrubbed before it is cut, so that no secret survives as a cut-off prefix.
  const excerpt = (n: number): string => scrubSecrets(redactAuthorization(text.slice(0, 65_536))).slice(0, n);
  if (res.status === 429 || res.status >= 500) {
    throw new RetryableError(`${endpoint}${path}: HTTP ${res.status} ${excerpt(200)}`, {
      endpoint,
      status: res.status,
      retryAfterMs: retryAfterMs(res.headers.get('retry-after')),
    });
  }
  if (res.status >= 300 && res.status < 400) {
    const location = res.headers.get('location');
    let to = 'elsewhere';
    try {
      if (location) to = displayUrl(new URL(location, url).toString());
    } catch {
      to = 'an invalid address';
    }
    throw new BackendError(
      `${endpoint}${path}: HTTP ${res.status}: the server redirects to ${to}; humanlike does not follow redirects with participants' data: give the final URL as --endpoint`,
      { endpoint, status: res.status },
    );
  }
  if (!res.ok) throw new BackendError(`${endpoint}${path}: HTTP ${res.status} ${excerpt(300)}`, { endpoint, status: res.status });
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    // Python servers write non-finite floats as bare NaN/Infinity (json.dumps allows them): a model's overflow, the
    // same on every retry, not a reply cut short.
    if (NON_FINITE.test(text))
      throw new BackendError(
        `${endpoint}${path}: the reply holds NaN or Infinity, which JSON does not allow (the model computed non-finite values); nothing of it is stored`,
        { endpoint, status: res.status, cause: e },
      );
    throw new RetryableError(`${endpoint}${path}: truncated or invalid JSON response (${text.length} bytes)`, {
      endpoint,
      status: res.status,
      cause: e,
    });
  }
}
