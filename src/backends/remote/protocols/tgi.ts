import { checkLogprob } from '../checkLogprobs.js';
import { requestJson } from '../httpJson.js';
import { type RemoteProtocol, unexpected } from './RemoteProtocol.js';

/** Hugging Face TGI's `/generate` with prefill details (started with `--enable-prefill-logprobs`). Text in. */
export const tgi: RemoteProtocol = {
  name: 'tgi',
  top1: false,
  alternatives: false,
  acceptsTokenIds: false,
  serverTokenizer: false,
  async probe(url, http) {
    const r = (await requestJson(url, '/info', undefined, http)) as {
      model_id?: unknown;
      max_input_tokens?: unknown;
      max_input_length?: unknown;
    } | null;
    return { model: typeof r?.model_id === 'string' ? r.model_id : undefined, maxLen: r?.max_input_tokens ?? r?.max_input_length };
  },
  // TGI takes text only; the returned prefill ids are checked against ours.
  buildRequest: (_model, _tokens, text) => ({
    path: '/generate',
    body: { inputs: text ?? '', parameters: { max_new_tokens: 1, details: true, decoder_input_details: true } },
  }),
  parseResponse(endpoint, json, tokens, positions) {
    const prefill = ((json as Record<string, unknown>)?.['details'] as Record<string, unknown> | undefined)?.['prefill'] as
      | { id: number; logprob: number | null }[]
      | undefined;
    if (!Array.isArray(prefill))
      return unexpected(endpoint, 'no details.prefill (start TGI with --enable-prefill-logprobs and send decoder_input_details)');
    if (prefill.length !== tokens.length || prefill.some((x, i) => x?.id !== tokens[i])) {
      return unexpected(endpoint, 'the server tokenized the text differently from the local tokenizer (use the same tokenizer)');
    }
    return positions.map((p) => {
      const lp = prefill[p]?.logprob;
      if (typeof lp !== 'number') return unexpected(endpoint, `no prefill log-probability at position ${p}`);
      return { logprob: checkLogprob(endpoint, lp, p), top1: false };
    });
  },
};
