import type { LlamaModel } from 'node-llama-cpp';
import type { LocalTokenizer } from './Backend.js';
import { withRanges } from './tokenizeWithOffsets.js';

/** The Tokenizer of a GGUF model (full model or vocab-only), through node-llama-cpp. */
export function createLlamaTokenizer(model: LlamaModel, fileSha256: string): LocalTokenizer {
  const bos = model.tokens.bos ?? undefined;
  return withRanges({
    tokenize: (text, special) => model.tokenize(text, special) as number[],
    detokenize: (tokens, special, lastTokens) => model.detokenize(tokens as never, special, lastTokens as never),
    bos,
    addBos: bos !== undefined && model.tokens.shouldPrependBosToken,
    bosText: model.tokens.bosString ?? '',
    eosText: model.tokens.eosString ?? '',
    id: `gguf:${model.vocabularyType}:${(model.fileInfo.metadata.tokenizer?.ggml?.tokens as unknown[] | undefined)?.length ?? '?'}:${fileSha256.slice(0, 12)}`,
  });
}
