import { excerptJson } from '../../../util/excerptJson.js';
import type { TokenScore } from '../../Backend.js';
import { checkLogprob, checkTop1 } from '../checkLogprobs.js';
import { requestJson } from '../httpJson.js';
import { type Alternatives, type RemoteProtocol, unexpected } from './RemoteProtocol.js';
import { readIdsLogprobs, unionOfIds } from './sglangIdsLogprobs.js';

/**
 * SGLang's `/generate` with `return_logprob` and `logprob_start_len: 0`; choice alternatives through
 * `token_ids_logprob` (one list per request: the union of every position's ids).
 */
export const sglang: RemoteProtocol = {
  name: 'sglang',
  top1: true,
  alternatives: true,
  acceptsTokenIds: true,
  serverTokenizer: false,
  async probe(url, http) {
    const r = (await requestJson(url, '/get_model_info', undefined, http)) as { model_path?: unknown } | null;
    return { model: typeof r?.model_path === 'string' ? r.model_path : undefined, maxLen: undefined };
  },
  buildRequest: (_model, tokens, _text, alternatives) => {
    const ids = alternatives ? unionOfIds(alternatives) : [];
    return {
      path: '/generate',
      body: {
        input_ids: tokens,
        sampling_params: { max_new_tokens: 1, temperature: 0 },
        return_logprob: true,
        logprob_start_len: 0,
        top_logprobs_num: 1,
        ...(ids.length > 0 && { token_ids_logprob: ids }),
      },
    };
  },
  parseResponse(endpoint, json, tokens, positions, alternatives) {
    const scores = parseActual(endpoint, json, tokens, positions);
    if (!alternatives || !positions.some((p) => alternatives.has(p))) return scores;
    return withAlternatives(endpoint, json, tokens, positions, scores, alternatives);
  },
};

/** The actual token's log-probability and top-1 at each position. */
function parseActual(endpoint: string, json: unknown, tokens: readonly number[], positions: readonly number[]): TokenScore[] {
  const meta = (json as Record<string, unknown>)?.['meta_info'] as Record<string, unknown> | undefined;
  const input = meta?.['input_token_logprobs'] as ([number | null, number, string | null] | null)[] | undefined;
  const top = meta?.['input_top_logprobs'] as ([number, number, string | null][] | null)[] | undefined;
  if (!Array.isArray(input)) return unexpected(endpoint, 'no meta_info.input_token_logprobs (send return_logprob and logprob_start_len 0)');
  if (input.length !== tokens.length)
    return unexpected(endpoint, `input_token_logprobs has ${input.length} entries for ${tokens.length} prompt tokens`);
  return positions.map((p) => {
    const e = input[p];
    if (!e || typeof e[0] !== 'number' || e[1] !== tokens[p])
      return unexpected(endpoint, `entry ${p} is ${excerptJson(e)}, expected token ${tokens[p]}`);
    const t = top?.[p]?.[0];
    const logprob = checkLogprob(endpoint, e[0], p);
    return {
      logprob,
      top1: checkTop1(endpoint, p, tokens[p]!, logprob, t ? { token: t[1], logprob: checkLogprob(endpoint, t[0], p) } : undefined),
    };
  });
}

/** The scores with their alternatives' log-probabilities, each checked against the actual token's own. */
function withAlternatives(
  endpoint: string,
  json: unknown,
  tokens: readonly number[],
  positions: readonly number[],
  scores: TokenScore[],
  alternatives: Alternatives,
): TokenScore[] {
  const meta = (json as Record<string, unknown>)?.['meta_info'] as Record<string, unknown> | undefined;
  const read = readIdsLogprobs(endpoint, meta?.['input_token_ids_logprobs'], tokens.length, unionOfIds(alternatives));
  return scores.map((score, i) => {
    const p = positions[i]!;
    const ids = alternatives.get(p);
    if (!ids) return score;
    const byId = read(p);
    const alts = ids.map((id) => byId.get(id) ?? unexpected(endpoint, `no log-probability for token ${id} at position ${p}`));
    const own = byId.get(tokens[p]!);
    if (own !== undefined && Math.abs(own - score.logprob) > ALTERNATIVE_TOLERANCE)
      unexpected(
        endpoint,
        `token ${tokens[p]} at position ${p} has log-probability ${own} among the alternatives but ${score.logprob} as the prompt token (are the positions shifted?)`,
      );
    return { ...score, alternatives: alts };
  });
}

/**
 * How far the actual token's log-probability among the alternatives may differ from its prompt log-probability. Both
 * come from the same logits; the margin allows for a server that computes them in different precisions.
 */
const ALTERNATIVE_TOLERANCE = 1e-3;
