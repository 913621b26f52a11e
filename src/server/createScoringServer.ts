import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HumanlikeError } from '../errors.js';
import { ConnectionTracker } from './ConnectionTracker.js';
import { createRequestGuard } from './createRequestGuard.js';
import { createRequestQueue } from './createRequestQueue.js';
import { createScoringRoutes, type RouteContext, type ScoringEngine } from './createScoringRoutes.js';
import { formatAccessLogLine } from './formatAccessLogLine.js';
import { HttpFailure } from './HttpFailure.js';
import { readJsonBody } from './readJsonBody.js';
import { serveConfigSchema } from './serveConfig.js';

export type { ScoringEngine } from './createScoringRoutes.js';

/** The schema's defaults (serveConfig.ts), for library callers that leave options out. */
const SERVE_DEFAULTS = serveConfigSchema.parse({});
/** Largest `prompt_logprobs` k, as vLLM's --max-logprobs. */
const MAX_LOGPROBS = 20;

export interface ServeOptions {
  /** Name clients send as `model` (default: the GGUF file name). */
  modelName: string;
  /** The address the server will listen on: on loopback, only Host headers naming loopback are answered. Default 127.0.0.1. */
  host?: string;
  /** When set, every request but GET /health must send `Authorization: Bearer <apiKey>`. Default: none. */
  apiKey?: string | undefined;
  /** Largest request body accepted. Default 16 MiB. */
  maxBodyBytes?: number;
  /** Requests waiting for the engine at most; more get 503 with Retry-After. Default 64. */
  maxQueue?: number;
  /** Largest `prompt_logprobs` k. Default 20 (vLLM's --max-logprobs). */
  maxLogprobs?: number;
  /** Longest text prompt in characters, checked before tokenizing (which blocks the event loop). Default 1,000,000. */
  maxPromptChars?: number;
  /** Open connections at most; at the cap the longest-waiting unserved one is closed. Default 512. */
  maxConnections?: number;
  /** Time to receive a request's headers. Default 10,000 ms. */
  headersTimeoutMs?: number;
  /** Time to receive a whole request (headers and body; scoring is not limited). Default 60,000 ms. */
  requestTimeoutMs?: number;
  /** Receives one access-log line per request (no bodies, no headers). Default: no log. */
  log?: (line: string) => void;
}

export interface ScoringServer {
  server: Server;
  /** Resolves when every queued request has been served. */
  drain: () => Promise<void>;
  /**
   * Stop accepting connections and close idle ones; let requests in progress finish for up to `graceMs`, then close
   * every connection, drop queued requests not started, and resolve once the engine has finished the prompt it is on.
   */
  shutdown: (graceMs: number) => Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>, stallMs: number): void {
  if (res.headersSent || res.destroyed) return;
  // A client that stops reading its answer (a large one waits in memory) is dropped after stallMs without progress.
  res.setTimeout(stallMs);
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * A vLLM-compatible scoring server over an embedded GGUF model: `/v1/completions` with `prompt_logprobs` (token ids
 * or text in), `/tokenize`, `/detokenize`, `/v1/models`, `/health`. It scores prompts; it does not generate
 * (`max_tokens` must be 0 or 1 and the completion text is empty). One engine sequence serves requests in order.
 */
export function createScoringServer(engine: ScoringEngine, o: ServeOptions): ScoringServer {
  const d = SERVE_DEFAULTS;
  const maxBody = o.maxBodyBytes ?? d.maxBodyBytes;
  const queue = createRequestQueue(o.maxQueue ?? d.maxQueue);
  const routes = createScoringRoutes(
    engine,
    { modelName: o.modelName, maxLogprobs: o.maxLogprobs ?? MAX_LOGPROBS, maxPromptChars: o.maxPromptChars ?? d.maxPromptChars },
    queue,
  );
  const requestTimeout = o.requestTimeoutMs ?? d.requestTimeoutMs;
  const server = createServer({
    requestTimeout,
    headersTimeout: Math.min(o.headersTimeoutMs ?? d.headersTimeoutMs, requestTimeout),
    connectionsCheckingInterval: 1_000, // how often those timeouts are enforced (Node's default is 30 s)
  });
  const tracker = new ConnectionTracker(server, o.maxConnections ?? d.maxConnections);
  const guard = createRequestGuard({
    host: o.host ?? d.host,
    apiKey: o.apiKey,
    port: () => (server.address() as AddressInfo | null)?.port ?? 0,
  });
  let stopping = false;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = `${req.method} ${path}`;
    const ctx: RouteContext = { abandoned: () => req.socket.destroyed };
    res.once('close', () => {
      o.log?.(
        formatAccessLogLine({
          method: req.method ?? '?',
          path,
          status: res.headersSent ? res.statusCode : undefined,
          ms: performance.now() - started,
          tokens: ctx.tokens,
          aborted: !res.writableFinished,
        }),
      );
    });
    try {
      guard(req, route);
      const handler = routes[route];
      if (!handler) throw new HttpFailure(404, `no route ${req.method} ${path}`);
      if (stopping) throw new HttpFailure(503, 'the server is shutting down');
      const body = req.method === 'POST' ? await readJsonBody(req, maxBody) : {};
      tracker.markBusy(req.socket);
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        throw new HttpFailure(400, 'request body must be a JSON object');
      send(res, 200, await handler(body as Record<string, unknown>, ctx), stopping ? { connection: 'close' } : {}, requestTimeout);
    } catch (e) {
      // An answer before the body was read whole closes the connection (no slow body is kept to read it).
      const close = stopping || !req.complete ? { connection: 'close' } : {};
      if (e instanceof HttpFailure)
        send(res, e.status, { error: { message: e.message, code: e.status } }, { ...e.headers, ...close }, requestTimeout);
      else if (e instanceof HumanlikeError) send(res, 400, { error: { message: e.message, code: 400 } }, close, requestTimeout);
      else send(res, 500, { error: { message: 'internal error', code: 500 } }, close, requestTimeout);
    } finally {
      tracker.markIdle(req.socket); // answered (or failed): evictable, even while the client is still reading
    }
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => void handle(req, res));

  const shutdown = async (graceMs: number): Promise<void> => {
    stopping = true;
    server.close();
    server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      tracker.whenEmpty(),
      new Promise((resolve) => {
        timer = setTimeout(resolve, graceMs);
      }),
    ]);
    clearTimeout(timer);
    queue.stop();
    tracker.destroyAll();
    server.closeAllConnections();
    await queue.drain();
  };
  return { server, drain: queue.drain, shutdown };
}
