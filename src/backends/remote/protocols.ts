import { BackendError } from '../../errors.js';
import type { TokenScore } from '../Backend.js';
import { checkLogprob, checkRankedEntries, checkTop1 } from './checkLogprobs.js';

/** Server protocols that return prompt log-probabilities. */
export const REMOTE_PROTOCOLS = ['vllm', 'sglang', 'tgi'] as const;
export type RemoteProtocol = (typeof REMOTE_PROTOCOLS)[number];

export interface HttpRequestSpec {
  path: string;
  body: Record<string, unknown>;
}

/** Whether the protocol reports the top-1 token (greedy match) at every prompt position. */
export function protocolHasTop1(p: RemoteProtocol): boolean {
  return p !== 'tgi';
}

/**
 * The request that returns log-probabilities of every prompt token. One request per window: prompt-logprob requests
 * bypass vLLM's prefix cache, so a window carries all its responses at once.
 */
export function buildScoreRequest(protocol: RemoteProtocol, model: string, tokens: readonly number[], text?: string): HttpRequestSpec {
  switch (protocol) {
    case 'vllm':
      // Token ids in; BOS is already in `tokens` when the model uses it, so the server must not add it again.
      return { path: '/v1/completions', body: { model, prompt: tokens, max_tokens: 1, temperature: 0, prompt_logprobs: 1, add_special_tokens: false } };
    case 'sglang':
      return { path: '/generate', body: { input_ids: tokens, sampling_params: { max_new_tokens: 1, temperature: 0 }, return_logprob: true, logprob_start_len: 0, top_logprobs_num: 1 } };
    case 'tgi':
      // TGI takes text only; the returned prefill ids are checked against ours.
      return { path: '/generate', body: { inputs: text ?? '', parameters: { max_new_tokens: 1, details: true, decoder_input_details: true } } };
  }
}

const fail = (endpoint: string, what: string): never => {
  throw new BackendError(`${endpoint}: unexpected response: ${what}`, { endpoint });
};

/**
 * Read the log-probability of the actual token at each requested position from a server response. Alignment is by
 * token ids: the decoded text the server sends is never used (it drifts on multi-byte characters).
 */
export function parseScoreResponse(protocol: RemoteProtocol, endpoint: string, json: unknown, tokens: readonly number[], positions: readonly number[]): TokenScore[] {
  const obj = json as Record<string, unknown>;
  if (protocol === 'vllm') {
    const choice = (obj?.['choices'] as Record<string, unknown>[] | undefined)?.[0];
    const list = choice?.['prompt_logprobs'] as (Record<string, { logprob: number; rank?: number }> | null)[] | undefined;
    if (!Array.isArray(list)) fail(endpoint, "no choices[0].prompt_logprobs (the server must support prompt_logprobs)");
    if (list!.length !== tokens.length) fail(endpoint, `prompt_logprobs has ${list!.length} entries for ${tokens.length} prompt tokens`);
    return positions.map((p) => {
      const entry = list![p];
      const mine = entry?.[String(tokens[p])];
      if (!entry || !mine || typeof mine.logprob !== 'number') return fail(endpoint, `no log-probability for token ${tokens[p]} at position ${p}`);
      // vLLM clamps at −9999; the top-1 is the entry with rank 1 (or the best logprob in the map). Every value is checked.
      const entries = Object.entries(entry).map(([token, v]) => ({ token, logprob: checkLogprob(endpoint, v?.logprob, p), rank: v?.rank }));
      return { logprob: checkLogprob(endpoint, mine.logprob, p), top1: checkRankedEntries(endpoint, p, entries, String(tokens[p])) };
    });
  }
  if (protocol === 'sglang') {
    const meta = obj?.['meta_info'] as Record<string, unknown> | undefined;
    const input = meta?.['input_token_logprobs'] as ([number | null, number, string | null] | null)[] | undefined;
    const top = meta?.['input_top_logprobs'] as ([number, number, string | null][] | null)[] | undefined;
    if (!Array.isArray(input)) fail(endpoint, 'no meta_info.input_token_logprobs (send return_logprob and logprob_start_len 0)');
    if (input!.length !== tokens.length) fail(endpoint, `input_token_logprobs has ${input!.length} entries for ${tokens.length} prompt tokens`);
    return positions.map((p) => {
      const e = input![p];
      if (!e || typeof e[0] !== 'number' || e[1] !== tokens[p]) return fail(endpoint, `entry ${p} is ${JSON.stringify(e)}, expected token ${tokens[p]}`);
      const t = top?.[p]?.[0];
      const logprob = checkLogprob(endpoint, e[0], p);
      return { logprob, top1: checkTop1(endpoint, p, tokens[p]!, logprob, t ? { token: t[1], logprob: checkLogprob(endpoint, t[0], p) } : undefined) };
    });
  }
  const prefill = (obj?.['details'] as Record<string, unknown> | undefined)?.['prefill'] as { id: number; logprob: number | null }[] | undefined;
  if (!Array.isArray(prefill)) fail(endpoint, 'no details.prefill (start TGI with --enable-prefill-logprobs and send decoder_input_details)');
  if (prefill!.length !== tokens.length || prefill!.some((x, i) => x.id !== tokens[i])) {
    fail(endpoint, 'the server tokenized the text differently from the local tokenizer (use the same tokenizer)');
  }
  return positions.map((p) => {
    const lp = prefill![p]?.logprob;
    if (typeof lp !== 'number') return fail(endpoint, `no prefill log-probability at position ${p}`);
    return { logprob: checkLogprob(endpoint, lp, p), top1: false };
  });
}
