import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGzip } from 'node:zlib';

/** How a fake server misbehaves on its n-th scoring request (1-based). */
export type Fault = 'ok' | '500' | '429' | 'slow' | 'truncated' | 'reset' | 'echo400' | 'echo500' | 'gzipBomb' | 'nan';

export interface FakeOptions {
  slowMs?: number;
  promptLogprobs?: boolean;
  extraRoutes?: Record<string, unknown>;
  /** `max_model_len` reported by /v1/models. Default 4096. */
  maxModelLen?: unknown;
  /** Retry-After header of a '429' fault. Default '0'. */
  retryAfter?: string;
  /** Replace the n-th /tokenize answer (1-based; the backend probes twice at start). */
  tokenize?: (
    n: number,
    normal: Record<string, unknown>,
    headers: Record<string, unknown>,
  ) => { status: number; body: unknown } | undefined;
  /** Change the prompt_logprobs list of the n-th scoring request before it is sent. */
  mutateLogprobs?: (n: number, list: (Record<string, { logprob: number; rank: number; decoded_token: string }> | null)[]) => void;
}

export interface FakeServer {
  url: string;
  completions: () => number;
  close: () => Promise<void>;
}

const BOS = 1;
/** Byte-level piece of an ASCII character (GPT-2 convention: space Ġ, newline Ċ). */
const piece = (c: number): string => (c === 32 ? '\u0120' : c === 10 ? '\u010a' : String.fromCharCode(c));

/** A deterministic "model": the log-probability of token t after token p. */
export function fakeLogprob(prev: number, t: number): number {
  return -(((t * 31 + prev * 7) % 97) / 10) - 0.01;
}

/**
 * A vLLM-compatible fake on loopback with a character-level tokenizer (token id = character code, BOS = 1), for
 * protocol and fault tests without model weights. `fault(n)` decides how the n-th /v1/completions request behaves.
 */
export async function startFakeVllm(fault: (n: number) => Fault = () => 'ok', o: FakeOptions = {}): Promise<FakeServer> {
  let n = 0;
  let nTokenize = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      const json = (status: number, v: unknown, headers: Record<string, string> = {}): void => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(v));
      };
      const extra = o.extraRoutes?.[`${req.method} ${req.url}`];
      if (extra !== undefined) return json(200, extra);
      if (req.url === '/v1/models')
        return json(200, { object: 'list', data: [{ id: 'fake-model', max_model_len: o.maxModelLen ?? 4096 }] });
      if (req.url === '/tokenize') {
        const text = String(body.prompt ?? '');
        const ids = [...text].map((c) => c.charCodeAt(0));
        const tokens = body.add_special_tokens === false ? ids : [BOS, ...ids];
        const normal = {
          count: tokens.length,
          tokens,
          ...(body.return_token_strs && { token_strs: tokens.map((t) => (t === BOS ? '<s>' : piece(t))) }),
        };
        const replaced = o.tokenize?.(++nTokenize, normal, req.headers);
        return replaced ? json(replaced.status, replaced.body) : json(200, normal);
      }
      if (req.url === '/v1/completions') {
        const k = ++n;
        const f = fault(k);
        if (f === '500') return json(500, { error: 'injected failure' });
        if (f === '429') return json(429, { error: 'slow down' }, { 'retry-after': o.retryAfter ?? '0' });
        // A careless server that echoes the request headers (the Authorization header included) in its error body.
        if (f === 'echo400' || f === 'echo500') return json(f === 'echo400' ? 400 : 500, { error: 'bad request', headers: req.headers });
        if (f === 'reset') return req.socket.destroy();
        // 300 MiB of zeros in about 300 KB of gzip: a reply that inflates far past any real one.
        if (f === 'gzipBomb')
          return void gzipOfZeros(300 * 1024 * 1024).then((bomb) => {
            res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': bomb.length });
            res.end(bomb);
          });
        const ids = body.prompt as number[];
        const plp =
          o.promptLogprobs === false
            ? undefined
            : [
                null,
                ...ids.slice(1).map((t, i) => {
                  const lp = fakeLogprob(ids[i]!, t);
                  const other = t === 65 ? 66 : 65;
                  // A consistent top-2: ranks follow the log-probabilities, and the two never hold more than all the mass.
                  return {
                    [String(t)]: { logprob: lp, rank: lp > -2 ? 1 : 2, decoded_token: '\ufffd' },
                    [String(other)]: {
                      logprob: lp > -2 ? Math.log(Math.min(Math.exp(lp), 1 - Math.exp(lp)) / 2) : -1.5,
                      rank: lp > -2 ? 2 : 1,
                      decoded_token: 'x',
                    },
                  };
                }),
              ];
        if (plp) o.mutateLogprobs?.(k, plp);
        const payload = JSON.stringify({
          id: 'cmpl-1',
          object: 'text_completion',
          model: 'fake-model',
          choices: [{ index: 0, text: '', ...(plp && { prompt_logprobs: plp }) }],
        });
        // A Python server's json.dumps writes a non-finite log-probability as a bare NaN.
        if (f === 'nan') {
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end(payload.replace(/"logprob":-?[0-9.e-]+/, '"logprob":NaN'));
        }
        if (f === 'truncated') {
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end(payload.slice(0, Math.floor(payload.length / 2)));
        }
        // Unref'd: a request left hanging on purpose must not keep the test process alive.
        if (f === 'slow')
          return void setTimeout(() => {
            if (!res.destroyed) {
              res.writeHead(200);
              res.end(payload);
            }
          }, o.slowMs ?? 3000).unref();
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(payload);
      }
      json(404, { error: 'not found' });
    });
  });
  return listenFake(server, () => n);
}

/** Listen on a loopback port; `completions` counts the scoring requests served. */
export async function listenFake(server: Server, completions: () => number): Promise<FakeServer> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    completions,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

let bombCache: Promise<Buffer> | undefined;

/** Gzip of `bytes` zero bytes, compressed as a stream (never held inflated in memory); computed once. */
function gzipOfZeros(bytes: number): Promise<Buffer> {
  bombCache ??= new Promise((resolve, reject) => {
    const gzip = createGzip({ level: 9 });
    const out: Buffer[] = [];
    gzip.on('data', (b: Buffer) => out.push(b));
    gzip.on('end', () => resolve(Buffer.concat(out)));
    gzip.on('error', reject);
    const chunk = Buffer.alloc(1024 * 1024);
    let left = bytes;
    const pump = (): void => {
      while (left > 0) {
        left -= chunk.length;
        if (!gzip.write(chunk)) return void gzip.once('drain', pump);
      }
      gzip.end();
    };
    pump();
  });
  return bombCache;
}

/** A loopback port with nothing listening (a dead endpoint). */
export async function deadEndpoint(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}`;
}
