import { checkLogprob, checkRankedEntries } from '../checkLogprobs.js';
import { requestJson } from '../httpJson.js';
import { type RemoteProtocol, unexpected } from './RemoteProtocol.js';

/** vLLM's OpenAI-compatible `/v1/completions` with `prompt_logprobs` (also what `humanlike serve` speaks). */
export const vllm: RemoteProtocol = {
  name: 'vllm',
  top1: true,
  alternatives: false,
  acceptsTokenIds: true,
  serverTokenizer: true,
  async probe(url, http, wanted) {
    const r = (await requestJson(url, '/v1/models', undefined, http)) as { data?: unknown } | null;
    // Any JSON may come back: only a list of objects is read (a model id that is not a string is no name).
    const list = (Array.isArray(r?.data) ? (r.data as unknown[]) : []).filter(
      (x): x is { id?: unknown; max_model_len?: unknown } => typeof x === 'object' && x !== null,
    );
    const m = list.find((x) => !wanted || x.id === wanted) ?? list[0];
    return { model: typeof m?.id === 'string' ? m.id : undefined, maxLen: m?.max_model_len };
  },
  // Token ids in; BOS is already in `tokens` when the model uses it, so the server must not add it again.
  buildRequest: (model, tokens) => ({
    path: '/v1/completions',
    body: { model, prompt: tokens, max_tokens: 1, temperature: 0, prompt_logprobs: 1, add_special_tokens: false },
  }),
  parseResponse(endpoint, json, tokens, positions) {
    const choice = ((json as Record<string, unknown>)?.['choices'] as Record<string, unknown>[] | undefined)?.[0];
    const list = choice?.['prompt_logprobs'] as (Record<string, { logprob: number; rank?: number }> | null)[] | undefined;
    if (!Array.isArray(list)) return unexpected(endpoint, 'no choices[0].prompt_logprobs (the server must support prompt_logprobs)');
    if (list.length !== tokens.length)
      return unexpected(endpoint, `prompt_logprobs has ${list.length} entries for ${tokens.length} prompt tokens`);
    return positions.map((p) => {
      const entry = list[p];
      const mine = entry?.[String(tokens[p])];
      if (!entry || !mine || typeof mine.logprob !== 'number')
        return unexpected(endpoint, `no log-probability for token ${tokens[p]} at position ${p}`);
      // vLLM clamps at −9999; the top-1 is the entry with rank 1 (or the best logprob in the map). Every value is checked.
      const entries = Object.entries(entry).map(([token, v]) => ({ token, logprob: checkLogprob(endpoint, v?.logprob, p), rank: v?.rank }));
      return { logprob: checkLogprob(endpoint, mine.logprob, p), top1: checkRankedEntries(endpoint, p, entries, String(tokens[p])) };
    });
  },
};
