import { TextAlignmentError } from '../errors.js';
import type { LocalTokenizer, TokenizedRanges } from './Backend.js';

export type TokenizedText = TokenizedRanges;

/** How many tokens back the detokenizer looks for spacing decisions. */
const LOOKBACK = 8;
/** A group of tokens that never detokenizes to the text is a tokenizer/detokenizer mismatch beyond this. */
const MAX_GROUP = 32;

type Ranges = { starts: Int32Array; ends: Int32Array };

/** Give tokens [from, to) the character range [start, end): the tokens of one group share their characters. */
function fill(r: Ranges, from: number, to: number, start: number, end: number): void {
  for (let j = from; j < to; j++) {
    r.starts[j] = start;
    r.ends[j] = end;
  }
}

/**
 * Tokenize `text` and give each token its character range, so that response spans (characters) map to tokens
 * exactly. Tokenizers expose no offsets, so ranges come from detokenizing: token by token with the preceding tokens
 * as context (O(n)); tokens that hold only part of a multi-byte character detokenize to nothing or U+FFFD, so they
 * are grouped with the following tokens until the group matches the text, and every token of a group gets the
 * group's range. If that fails, growing prefixes are detokenized instead (exact, O(n²)).
 *
 * Some tokenizers do not give back the text they were given: around special tokens of chat templates, SentencePiece
 * vocabularies strip a newline or add a leading space (Phi-3's `<|end|>\n` reads as `<|end|>`). Then the ranges are
 * computed on the text the model actually reads and mapped back to the given text, whitespace differences absorbed.
 */
export function tokenizeWithOffsets(tokenizer: LocalTokenizer, text: string, special = false): TokenizedText {
  const tokens = tokenizer.tokenize(text, special);
  const fast = groupedRanges(tokenizer, text, tokens, special);
  if (fast) return { tokens, ...fast, usedFallback: false };
  const read = tokenizer.detokenize(tokens, special);
  if (read === text) return { tokens, ...prefixRanges(tokenizer, text, tokens, special), usedFallback: true };
  const onRead = groupedRanges(tokenizer, read, tokens, special) ?? prefixRanges(tokenizer, read, tokens, special);
  const map = mapReadToGiven(read, text);
  if (!map) {
    throw new TextAlignmentError(
      `the tokenizer changes this text beyond whitespace (detokenize(tokenize(text)) differs), so responses cannot be aligned exactly: ${JSON.stringify(text.slice(0, 80))}…`,
    );
  }
  return {
    tokens,
    starts: onRead.starts.map((s) => map[s] ?? text.length),
    ends: onRead.ends.map((e) => map[e] ?? text.length),
    usedFallback: true,
  };
}

/** The O(n) method: each token (or group of byte tokens) detokenized after its predecessors. */
function groupedRanges(tokenizer: LocalTokenizer, text: string, tokens: number[], special: boolean): Ranges | undefined {
  const n = tokens.length;
  const r: Ranges = { starts: new Int32Array(n), ends: new Int32Array(n) };
  let groupStart = 0;
  let cursor = 0;
  for (let k = 0; k < n; k++) {
    const piece = tokenizer.detokenize(
      tokens.slice(groupStart, k + 1),
      special,
      tokens.slice(Math.max(0, groupStart - LOOKBACK), groupStart),
    );
    if (piece !== '' && text.startsWith(piece, cursor)) {
      fill(r, groupStart, k + 1, cursor, cursor + piece.length);
      cursor += piece.length;
      groupStart = k + 1;
    } else if (k + 1 - groupStart > MAX_GROUP) {
      return undefined;
    }
  }
  // Trailing tokens that produce no text (rare) get an empty range at the end.
  fill(r, groupStart, n, cursor, cursor);
  return cursor === text.length ? r : undefined;
}

/** Ranges from detokenizing every growing prefix: exact when the full detokenization is `text`. */
function prefixRanges(tokenizer: LocalTokenizer, text: string, tokens: number[], special: boolean): Ranges {
  const n = tokens.length;
  const r: Ranges = { starts: new Int32Array(n), ends: new Int32Array(n) };
  let groupStart = 0;
  let cursor = 0;
  for (let k = 0; k < n; k++) {
    const prefix = tokenizer.detokenize(tokens.slice(0, k + 1), special);
    // A prefix that ends inside a multi-byte character is not a prefix of the text: group it with what follows.
    if (prefix.length > cursor && text.startsWith(prefix)) {
      fill(r, groupStart, k + 1, cursor, prefix.length);
      cursor = prefix.length;
      groupStart = k + 1;
    }
  }
  fill(r, groupStart, n, cursor, cursor);
  return r;
}

const WS = /\s/;

/**
 * Offsets of the text the model reads mapped onto the given text, when the two differ only in whitespace: the
 * non-whitespace characters are matched in order, whitespace to whitespace; whitespace the tokenizer added maps to
 * the next given character,
 * whitespace it dropped belongs to what precedes it. Undefined when other characters differ.
 */
export function mapReadToGiven(read: string, given: string): Int32Array | undefined {
  const map = new Int32Array(read.length + 1);
  let i = 0;
  let j = 0;
  while (j < read.length) {
    if (i < given.length && (read[j] === given[i] || (WS.test(read[j] ?? '') && WS.test(given[i] ?? '')))) {
      map[j++] = i++;
    } else if (WS.test(read[j] ?? '')) {
      map[j++] = i;
    } else if (i < given.length && WS.test(given[i] ?? '')) {
      i++;
    } else {
      return undefined;
    }
  }
  while (i < given.length && WS.test(given[i] ?? '')) i++;
  if (i !== given.length) return undefined;
  map[read.length] = given.length;
  return map;
}

/** A local tokenizer completed with its primary operation: ranges derived from its own tokenize/detokenize. */
export function withRanges(t: Omit<LocalTokenizer, 'tokenizeWithRanges'>): LocalTokenizer {
  const tokenizer: LocalTokenizer = {
    ...t,
    tokenizeWithRanges: (text, special) => Promise.resolve(tokenizeWithOffsets(tokenizer, text, special)),
  };
  return tokenizer;
}
