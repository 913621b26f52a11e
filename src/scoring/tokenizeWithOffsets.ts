import type { TokenizedRanges, Tokenizer } from '../backends/Backend.js';
import { BackendError } from '../errors.js';

export type TokenizedText = TokenizedRanges;

/** How many tokens back the detokenizer looks for spacing decisions. */
const LOOKBACK = 8;
/** A group of tokens that never detokenizes to the text is a tokenizer/detokenizer mismatch beyond this. */
const MAX_GROUP = 32;

/**
 * Tokenize `text` and give each token its character range, so that response spans (characters) map to tokens
 * exactly. Tokenizers expose no offsets, so ranges come from detokenizing: token by token with the preceding tokens
 * as context (O(n)); tokens that hold only part of a multi-byte character detokenize to nothing or U+FFFD, so they
 * are grouped with the following tokens until the group matches the text, and every token of a group gets the
 * group's range. If that ever fails to rebuild the text, growing prefixes are detokenized instead (exact, O(n²)).
 */
export function tokenizeWithOffsets(tokenizer: Tokenizer, text: string, special = false): TokenizedText {
  const tokens = tokenizer.tokenize(text, special);
  const n = tokens.length;
  const starts = new Int32Array(n);
  const ends = new Int32Array(n);
  let groupStart = 0;
  let cursor = 0;
  let ok = true;
  for (let k = 0; k < n; k++) {
    const piece = tokenizer.detokenize(tokens.slice(groupStart, k + 1), special, tokens.slice(Math.max(0, groupStart - LOOKBACK), groupStart));
    if (piece !== '' && text.startsWith(piece, cursor)) {
      for (let j = groupStart; j <= k; j++) {
        starts[j] = cursor;
        ends[j] = cursor + piece.length;
      }
      cursor += piece.length;
      groupStart = k + 1;
    } else if (k + 1 - groupStart > MAX_GROUP) {
      ok = false;
      break;
    }
  }
  // Trailing tokens that produce no text (rare) get an empty range at the end.
  for (let j = groupStart; j < n && ok; j++) {
    starts[j] = cursor;
    ends[j] = cursor;
  }
  if (ok && cursor === text.length) return { tokens, starts, ends, usedFallback: false };
  return exactOffsets(tokenizer, text, tokens, special);
}

/** Character ranges from detokenizing every growing prefix: exact whenever the full detokenization is the text. */
function exactOffsets(tokenizer: Tokenizer, text: string, tokens: number[], special: boolean): TokenizedText {
  const n = tokens.length;
  const starts = new Int32Array(n);
  const ends = new Int32Array(n);
  if (tokenizer.detokenize(tokens, special) !== text) {
    throw new BackendError(`the tokenizer does not round-trip this text (detokenize(tokenize(text)) differs), so responses cannot be aligned exactly: ${JSON.stringify(text.slice(0, 80))}…`);
  }
  let groupStart = 0;
  let cursor = 0;
  for (let k = 0; k < n; k++) {
    const prefix = tokenizer.detokenize(tokens.slice(0, k + 1), special);
    // A prefix that ends inside a multi-byte character is not a prefix of the text: group it with what follows.
    if (prefix.length > cursor && text.startsWith(prefix)) {
      for (let j = groupStart; j <= k; j++) {
        starts[j] = cursor;
        ends[j] = prefix.length;
      }
      cursor = prefix.length;
      groupStart = k + 1;
    }
  }
  for (let j = groupStart; j < n; j++) {
    starts[j] = cursor;
    ends[j] = cursor;
  }
  return { tokens, starts, ends, usedFallback: true };
}

/** Tokens and ranges from the tokenizer itself when it provides them (a server), else derived here. */
export function tokenizeText(tokenizer: Tokenizer, text: string, special: boolean): Promise<TokenizedText> | TokenizedText {
  return tokenizer.tokenizeWithRanges ? tokenizer.tokenizeWithRanges(text, special) : tokenizeWithOffsets(tokenizer, text, special);
}
