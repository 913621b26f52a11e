import { excerptJson } from '../../../util/excerptJson.js';
import { checkLogprob, checkTop1 } from '../checkLogprobs.js';
import { requestJson } from '../httpJson.js';
import { type RemoteProtocol, unexpected } from './RemoteProtocol.js';

/** SGLang's `/generate` with `return_logprob` and `logprob_start_len: 0`. */
export const sglang: RemoteProtocol = {
  name: 'sglang',
  top1: true,
  acceptsTokenIds: true,
  serverTokenizer: false,
  async probe(url, http) {
    const r = (await requestJson(url, '/get_model_info', undefined, http)) as { model_path?: unknown } | null;
    return { model: typeof r?.model_path === 'string' ? r.model_path : undefined, maxLen: undefined };
  },
  buildRequest: (_model, tokens) => ({
    path: '/generate',
    body: {
      input_ids: tokens,
      sampling_params: { max_new_tokens: 1, temperature: 0 },
      return_logprob: true,
      logprob_start_len: 0,
      top_logprobs_num: 1,
    },
  }),
  parseResponse(endpoint, json, tokens, positions) {
    const meta = (json as Record<string, unknown>)?.['meta_info'] as Record<string, unknown> | undefined;
    const input = meta?.['input_token_logprobs'] as ([number | null, number, string | null] | null)[] | undefined;
    const top = meta?.['input_top_logprobs'] as ([number, number, string | null][] | null)[] | undefined;
    if (!Array.isArray(input))
      return unexpected(endpoint, 'no meta_info.input_token_logprobs (send return_logprob and logprob_start_len 0)');
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
  },
};
