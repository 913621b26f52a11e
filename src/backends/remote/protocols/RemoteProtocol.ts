import { BackendError } from '../../../errors.js';
import type { TokenScore } from '../../Backend.js';
import type { HttpOptions } from '../httpJson.js';

/** Positions of a request → the token ids whose log-probabilities are wanted there (ScoreRequest.alternatives). */
export type Alternatives = ReadonlyMap<number, readonly number[]>;

export interface HttpRequestSpec {
  path: string;
  body: Record<string, unknown>;
}

/**
 * What humanlike needs from one kind of inference server. One object per protocol (vllm.ts, sglang.ts, tgi.ts),
 * registered in protocolRegistry.ts: the run loop and RemoteBackend never switch on a protocol's name.
 */
export interface RemoteProtocol {
  /** Name used by --protocol. */
  readonly name: string;
  /** Whether the server reports, at every prompt position, if the actual token was its top-1 (greedy match). */
  readonly top1: boolean;
  /** Whether requests carry token ids (else text, which the server tokenizes: its ids are checked against ours). */
  readonly acceptsTokenIds: boolean;
  /**
   * Whether a request can ask for the log-probabilities of given tokens at prompt positions (choice distributions).
   * vLLM and TGI return only the top-k, never chosen ids.
   */
  readonly alternatives: boolean;
  /** Whether the server's own `/tokenize` (vLLM-compatible, with `return_token_strs`) can replace a local tokenizer. */
  readonly serverTokenizer: boolean;
  /** The served model's name and longest input, from the protocol's info route. */
  probe(url: string, http: HttpOptions, wanted?: string): Promise<{ model: string | undefined; maxLen: unknown }>;
  /**
   * The request that returns log-probabilities of every prompt token. One request per window: prompt-logprob requests
   * bypass vLLM's prefix cache, so a window carries all its responses at once. `text` is the window's text, for
   * protocols that take text. `alternatives` (position → token ids) is given only when the protocol has `alternatives`.
   */
  buildRequest(model: string, tokens: readonly number[], text: string | undefined, alternatives?: Alternatives): HttpRequestSpec;
  /**
   * The log-probability of the actual token at each requested position. Alignment is by token ids: the decoded text
   * a server sends is never used (it drifts on multi-byte characters). Impossible values are refused. Where
   * `alternatives` names a position, its score carries their log-probabilities in the order of the ids asked.
   */
  parseResponse(
    endpoint: string,
    json: unknown,
    tokens: readonly number[],
    positions: readonly number[],
    alternatives?: Alternatives,
  ): TokenScore[];
}

/** A BackendError saying what in a server's reply was unexpected. */
export const unexpected = (endpoint: string, what: string): never => {
  throw new BackendError(`${endpoint}: unexpected response: ${what}`, { endpoint });
};
