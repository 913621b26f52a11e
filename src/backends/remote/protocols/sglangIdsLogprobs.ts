import { checkLogprob, ImpossibleScoreError } from '../checkLogprobs.js';
import { type Alternatives, unexpected } from './RemoteProtocol.js';

/** The distinct token ids of every position's alternatives, ascending: SGLang takes one `token_ids_logprob` list. */
export function unionOfIds(alternatives: Alternatives): number[] {
  const ids = new Set<number>();
  for (const list of alternatives.values()) for (const id of list) ids.add(id);
  return [...ids].sort((a, b) => a - b);
}

/**
 * SGLang's `meta_info.input_token_ids_logprobs`, checked: one entry per prompt token (the first may be null), each
 * holding exactly one `[logprob, id, text]` per id asked. Returns a reader of position p → id → checked log-probability;
 * only the positions read are checked, so a reply's size is bounded by what was asked.
 */
export function readIdsLogprobs(
  endpoint: string,
  list: unknown,
  promptTokens: number,
  asked: readonly number[],
): (position: number) => Map<number, number> {
  if (!Array.isArray(list))
    return unexpected(endpoint, 'no meta_info.input_token_ids_logprobs (the server must support token_ids_logprob)');
  if (list.length !== promptTokens)
    return unexpected(endpoint, `input_token_ids_logprobs has ${list.length} entries for ${promptTokens} prompt tokens`);
  return (p) => {
    const entry: unknown = list[p];
    if (!Array.isArray(entry) || entry.length !== asked.length)
      return unexpected(
        endpoint,
        `input_token_ids_logprobs at position ${p} has ${Array.isArray(entry) ? entry.length : 'no'} entries for the ${asked.length} token ids asked`,
      );
    const byId = new Map<number, number>();
    let mass = 0;
    for (const e of entry as unknown[]) {
      const id = Array.isArray(e) ? (e[1] as unknown) : undefined;
      if (typeof id !== 'number' || byId.has(id)) continue; // a missing id is named below
      const logprob = checkLogprob(endpoint, (e as unknown[])[0], p);
      byId.set(id, logprob);
      mass += Math.exp(logprob);
    }
    // Distinct tokens never hold more than all the probability mass (same margin as checkRankedEntries).
    if (mass > 1 + 1e-3)
      throw new ImpossibleScoreError(
        `${endpoint}: the token ids' probabilities at position ${p} add up to more than 1 (${mass.toFixed(4)}); nothing of this participant is stored`,
        { endpoint },
      );
    return byId;
  };
}
