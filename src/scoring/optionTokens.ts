import type { LocalTokenizer } from '../backends/Backend.js';
import { tokenizeWithOffsets } from '../backends/tokenizeWithOffsets.js';

/** Characters of preceding text used to tokenize an option the way it is tokenized in context. */
const CONTEXT_CHARS = 16;

/**
 * Token ids of a study's options as they would be tokenized right where the response stands (after the same
 * preceding characters): for SentencePiece, `A` after `<<` is not the `▁A` of a bare tokenization. Returns
 * undefined when some option is not exactly one clean token there (choice-restricted scores are then not computed).
 */
export function optionTokens(
  tokenizer: LocalTokenizer,
  textBefore: string,
  options: readonly string[],
  special: boolean,
  cache: Map<string, number[] | undefined>,
): number[] | undefined {
  const ctx = textBefore.slice(-CONTEXT_CHARS);
  const key = `${ctx}\u0000${options.join('\u0000')}`;
  if (cache.has(key)) return cache.get(key);
  const ids: number[] = [];
  let ok = true;
  for (const option of options) {
    const tok = tokenizeWithOffsets(tokenizer, ctx + option, special);
    const hits: number[] = [];
    for (let k = 0; k < tok.tokens.length; k++) if ((tok.ends[k] ?? 0) > ctx.length) hits.push(k);
    const k = hits[0];
    if (hits.length !== 1 || k === undefined || tok.starts[k] !== ctx.length || tok.ends[k] !== ctx.length + option.length) {
      ok = false;
      break;
    }
    ids.push(tok.tokens[k] ?? -1);
  }
  const result = ok ? ids : undefined;
  if (cache.size > 10_000) cache.clear();
  cache.set(key, result);
  return result;
}
