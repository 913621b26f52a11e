import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { LlamaCppBackend } from '../backends/LlamaCppBackend.js';
import { HumanlikeError } from '../errors.js';

export interface ServeOptions {
  /** Name clients send as `model` (default: the GGUF file name). */
  modelName: string;
  /** Largest request body accepted. Default 16 MiB. */
  maxBodyBytes?: number;
  /** Requests waiting for the engine at most; more get 503 with Retry-After. Default 64. */
  maxQueue?: number;
  /** Largest `prompt_logprobs` k. Default 20 (vLLM's --max-logprobs). */
  maxLogprobs?: number;
}

class HttpFailure extends Error {
  constructor(readonly status: number, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

async function readBody(req: IncomingMessage, max: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw new HttpFailure(413, `request body over ${max} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpFailure(400, 'request body is not valid JSON');
  }
}

/**
 * A vLLM-compatible scoring server over an embedded GGUF model: `/v1/completions` with `prompt_logprobs` (token ids
 * or text in), `/tokenize`, `/detokenize`, `/v1/models`, `/health`. It scores prompts; it does not generate
 * (`max_tokens` must be 0 or 1 and the completion text is empty). One engine sequence serves requests in order.
 */
export function createScoringServer(backend: LlamaCppBackend, o: ServeOptions): { server: Server; drain: () => Promise<void> } {
  const maxBody = o.maxBodyBytes ?? 16 * 1024 * 1024;
  const maxQueue = o.maxQueue ?? 64;
  const maxLogprobs = o.maxLogprobs ?? 20;
  const contextSize = backend.capabilities.contextSize;
  const pieces = backend.vocabularyPieces();
  let chain: Promise<unknown> = Promise.resolve();
  let queued = 0;
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    if (queued >= maxQueue) throw new HttpFailure(503, `queue full (${maxQueue} requests waiting)`, { 'retry-after': '1' });
    queued++;
    const p = chain.then(work, work);
    chain = p.catch(() => undefined).finally(() => void queued--);
    return p;
  };
  const toIds = (prompt: unknown, addSpecial: boolean): number[] => {
    if (typeof prompt === 'string') {
      const ids = backend.tokenizer.tokenize(prompt, false);
      return addSpecial && backend.tokenizer.addBos && backend.tokenizer.bos !== undefined ? [backend.tokenizer.bos, ...ids] : ids;
    }
    if (Array.isArray(prompt) && prompt.every((x) => Number.isInteger(x))) return prompt as number[];
    throw new HttpFailure(400, "'prompt' must be a string or a list of token ids (one prompt per request)");
  };

  const routes: Record<string, (body: Record<string, unknown>) => Promise<unknown> | unknown> = {
    'GET /health': () => ({ status: 'ok' }),
    'GET /v1/models': () => ({ object: 'list', data: [{ id: o.modelName, object: 'model', owned_by: 'humanlike', max_model_len: contextSize }] }),
    'POST /tokenize': (b) => {
      const tokens = toIds(b['prompt'] ?? b['text'], b['add_special_tokens'] !== false);
      const strs = b['return_token_strs'] === true && pieces ? { token_strs: tokens.map((t) => pieces[t] ?? '') } : {};
      return { count: tokens.length, max_model_len: contextSize, tokens, ...strs };
    },
    'POST /detokenize': (b) => {
      if (!Array.isArray(b['tokens'])) throw new HttpFailure(400, "'tokens' must be a list of token ids");
      return { prompt: backend.tokenizer.detokenize(b['tokens'] as number[], false) };
    },
    'POST /v1/completions': async (b) => {
      if (b['model'] !== undefined && b['model'] !== o.modelName) throw new HttpFailure(404, `model '${String(b['model'])}' is not served here (serving '${o.modelName}')`);
      const maxTokens = Number(b['max_tokens'] ?? 1);
      if (maxTokens > 1) throw new HttpFailure(400, 'this server scores prompts and does not generate: max_tokens must be 0 or 1');
      const k = Number(b['prompt_logprobs'] ?? -1);
      if (k > maxLogprobs) throw new HttpFailure(400, `prompt_logprobs ${k} is over the limit of ${maxLogprobs}`);
      const ids = toIds(b['prompt'], b['add_special_tokens'] !== false);
      if (ids.length > contextSize) throw new HttpFailure(400, `prompt of ${ids.length} tokens is longer than the maximum model length ${contextSize}`);
      if (ids.length === 0) throw new HttpFailure(400, 'empty prompt');
      let promptLogprobs: (Record<string, { logprob: number; rank: number; decoded_token: string }> | null)[] | null = null;
      if (k >= 0) {
        const scored = await serial(() => backend.promptLogprobs(ids, k));
        const decode = (t: number): string => backend.tokenizer.detokenize([t], false);
        promptLogprobs = [null, ...scored.map((s, i) => {
          const actual = ids[i + 1] as number;
          const entry: Record<string, { logprob: number; rank: number; decoded_token: string }> = {};
          entry[String(actual)] = { logprob: Math.max(-9999, s.logprob), rank: s.rank, decoded_token: decode(actual) };
          s.top.slice(0, k).forEach(([id, lp], r) => { if (id !== actual) entry[String(id)] = { logprob: Math.max(-9999, lp), rank: r + 1, decoded_token: decode(id) }; });
          return entry;
        })];
      }
      return {
        id: `cmpl-${Date.now().toString(36)}`, object: 'text_completion', created: Math.floor(Date.now() / 1000), model: o.modelName,
        choices: [{ index: 0, text: '', logprobs: null, finish_reason: 'length', prompt_logprobs: promptLogprobs, prompt_token_ids: ids }],
        usage: { prompt_tokens: ids.length, completion_tokens: 0, total_tokens: ids.length },
      };
    },
  };

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = routes[`${req.method} ${path}`];
    void (async () => {
      try {
        if (!route) throw new HttpFailure(404, `no route ${req.method} ${path}`);
        const body = req.method === 'POST' ? await readBody(req, maxBody) : {};
        if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpFailure(400, 'request body must be a JSON object');
        send(res, 200, await route(body as Record<string, unknown>));
      } catch (e) {
        if (e instanceof HttpFailure) send(res, e.status, { error: { message: e.message, code: e.status } }, e.headers);
        else if (e instanceof HumanlikeError) send(res, 400, { error: { message: e.message, code: 400 } });
        else send(res, 500, { error: { message: 'internal error', code: 500 } });
      }
    })();
  });
  server.requestTimeout = 0; // long prompts can take minutes on CPU
  return { server, drain: () => chain.then(() => undefined) };
}
