import type { LlamaCppBackend } from '../backends/LlamaCppBackend.js';
import { BackendError } from '../errors.js';
import { excerptJson } from '../util/excerptJson.js';
import type { RequestQueue } from './createRequestQueue.js';
import { HttpFailure } from './HttpFailure.js';
import { parseTokenIds } from './parseTokenIds.js';

/** What the server needs of an engine (a LlamaCppBackend; tests pass fakes). */
export type ScoringEngine = Pick<LlamaCppBackend, 'capabilities' | 'tokenizer' | 'promptLogprobs' | 'vocabularyPieces'>;

/** Per request: the prompt's token count (for the access log) and whether the client has gone. */
export interface RouteContext {
  tokens?: number;
  abandoned: () => boolean;
}

export type Route = (body: Record<string, unknown>, ctx: RouteContext) => Promise<unknown> | unknown;

export interface RouteLimits {
  modelName: string;
  maxLogprobs: number;
  maxPromptChars: number;
}

type PromptLogprob = Record<string, { logprob: number; rank: number; decoded_token: string }>;

/** The vLLM-compatible routes. Text is tokenized inside the queue, after its length in characters is checked. */
export function createScoringRoutes(engine: ScoringEngine, limits: RouteLimits, queue: RequestQueue): Record<string, Route> {
  const contextSize = engine.capabilities.contextSize;
  const pieces = engine.vocabularyPieces();
  if (!pieces || pieces.length === 0)
    throw new BackendError('the model has no vocabulary list (GGUF tokenizer.ggml.tokens): serve cannot check token ids');
  const vocabularySize = pieces.length;
  const { tokenizer } = engine;

  /** Validate a prompt now; the returned function gives its ids (tokenizing text) when its turn comes. */
  const parsePrompt = (prompt: unknown, addSpecial: boolean): (() => number[]) => {
    if (typeof prompt === 'string') {
      if (prompt.length > limits.maxPromptChars)
        throw new HttpFailure(
          400,
          `prompt of ${prompt.length} characters is over the limit of ${limits.maxPromptChars} (--max-prompt-chars)`,
        );
      return () => {
        const ids = tokenizer.tokenize(prompt, false);
        return addSpecial && tokenizer.addBos && tokenizer.bos !== undefined ? [tokenizer.bos, ...ids] : ids;
      };
    }
    if (Array.isArray(prompt)) {
      const ids = parseTokenIds(prompt, 'prompt', vocabularySize);
      return () => ids;
    }
    throw new HttpFailure(400, "'prompt' must be a string or a list of token ids (one prompt per request)");
  };
  const parseK = (value: unknown): number => {
    if (value === undefined || value === null) return -1;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
      throw new HttpFailure(400, `prompt_logprobs must be an integer from 0 to ${limits.maxLogprobs}`);
    if (value > limits.maxLogprobs) throw new HttpFailure(400, `prompt_logprobs ${value} is over the limit of ${limits.maxLogprobs}`);
    return value;
  };
  const formatLogprobs = (
    ids: number[],
    scored: Awaited<ReturnType<ScoringEngine['promptLogprobs']>>,
    k: number,
  ): (PromptLogprob | null)[] => {
    const decode = (t: number): string => tokenizer.detokenize([t], false);
    return [
      null,
      ...scored.map((s, i) => {
        const actual = ids[i + 1] as number;
        const entry: PromptLogprob = {};
        entry[String(actual)] = { logprob: Math.max(-9999, s.logprob), rank: s.rank, decoded_token: decode(actual) };
        s.top.slice(0, k).forEach(([id, lp], r) => {
          if (id !== actual) entry[String(id)] = { logprob: Math.max(-9999, lp), rank: r + 1, decoded_token: decode(id) };
        });
        return entry;
      }),
    ];
  };

  return {
    'GET /health': () => ({ status: 'ok' }),
    'GET /v1/models': () => ({
      object: 'list',
      data: [{ id: limits.modelName, object: 'model', owned_by: 'humanlike', max_model_len: contextSize }],
    }),
    'POST /tokenize': async (b, ctx) => {
      const prompt = parsePrompt(b['prompt'] ?? b['text'], b['add_special_tokens'] !== false);
      const tokens = await queue.run(prompt, ctx.abandoned);
      ctx.tokens = tokens.length;
      const strs = b['return_token_strs'] === true ? { token_strs: tokens.map((t) => pieces[t] ?? '') } : {};
      return { count: tokens.length, max_model_len: contextSize, tokens, ...strs };
    },
    'POST /detokenize': (b) => ({ prompt: tokenizer.detokenize(parseTokenIds(b['tokens'], 'tokens', vocabularySize), false) }),
    'POST /v1/completions': (b, ctx) => {
      // Client values reach messages only as short excerpts (String() of an array nested 10^5 deep overflows the stack).
      if (b['model'] !== undefined && b['model'] !== limits.modelName)
        throw new HttpFailure(404, `model ${excerptJson(b['model'])} is not served here (serving '${limits.modelName}')`);
      // A number, or a numeric string as vLLM's lax parsing takes it; anything else (a list, an object) is refused.
      const maxTokens = b['max_tokens'] ?? 1;
      const n = typeof maxTokens === 'number' ? maxTokens : typeof maxTokens === 'string' ? Number(maxTokens) : Number.NaN;
      if (!(n <= 1)) throw new HttpFailure(400, 'this server scores prompts and does not generate: max_tokens must be 0 or 1');
      const k = parseK(b['prompt_logprobs']);
      const prompt = parsePrompt(b['prompt'], b['add_special_tokens'] !== false);
      return queue.run(async () => {
        const ids = prompt();
        ctx.tokens = ids.length;
        if (ids.length > contextSize)
          throw new HttpFailure(400, `prompt of ${ids.length} tokens is longer than the maximum model length ${contextSize}`);
        if (ids.length === 0) throw new HttpFailure(400, 'empty prompt');
        const promptLogprobs = k >= 0 ? formatLogprobs(ids, await engine.promptLogprobs(ids, k), k) : null;
        return {
          id: `cmpl-${Date.now().toString(36)}`,
          object: 'text_completion',
          created: Math.floor(Date.now() / 1000),
          model: limits.modelName,
          choices: [
            { index: 0, text: '', logprobs: null, finish_reason: 'length', prompt_logprobs: promptLogprobs, prompt_token_ids: ids },
          ],
          usage: { prompt_tokens: ids.length, completion_tokens: 0, total_tokens: ids.length },
        };
      }, ctx.abandoned);
    },
  };
}
