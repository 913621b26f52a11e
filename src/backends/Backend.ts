/**
 * The narrow interface every model engine implements: given token sequences and the positions to score, return
 * log-probabilities (natural log). A backend declares what it can do before a run starts, so that a run that cannot
 * work fails at once with a clear message.
 */

/**
 * Tokenization with the model's own tokenizer. Its primary operation is asynchronous (a server may do it): tokens with
 * their character ranges. Tokenizers that live in this process also offer synchronous tokenize/detokenize
 * (LocalTokenizer), which some features need (option tokens for choice accuracy, text for text-only protocols).
 */
export interface Tokenizer {
  /** Tokens of `text` (without BOS) and the character range of each. */
  tokenizeWithRanges(text: string, special: boolean): Promise<TokenizedRanges>;
  /** Beginning-of-sequence token, when the model has one. */
  bos: number | undefined;
  /** Whether sequences should start with BOS (GGUF `add_bos_token`). */
  addBos: boolean;
  /** Text of the BOS token (e.g. `<s>`), for chat templates that render it. */
  bosText: string;
  eosText: string;
  /** A stable description of the tokenizer (vocabulary type, size, hash) recorded with each run. */
  id: string;
}

/** A tokenizer in this process (a GGUF vocabulary): synchronous tokenize and detokenize too. */
export interface LocalTokenizer extends Tokenizer {
  /** Token ids of `text`, without BOS. With `special`, text like `<|user|>` becomes special tokens. */
  tokenize(text: string, special: boolean): number[];
  /** Text of `tokens`; `lastTokens` (the tokens before them) lets the detokenizer add the right leading space. */
  detokenize(tokens: readonly number[], special: boolean, lastTokens?: readonly number[]): string;
}

/** Whether a tokenizer offers the synchronous operations. */
export function isLocalTokenizer(t: Tokenizer): t is LocalTokenizer {
  return typeof (t as Partial<LocalTokenizer>).tokenize === 'function' && typeof (t as Partial<LocalTokenizer>).detokenize === 'function';
}

/** Tokens of a text and the character range [start, end) of each (UTF-16 offsets). */
export interface TokenizedRanges {
  tokens: number[];
  starts: Int32Array;
  ends: Int32Array;
  /** True when the exact quadratic method had to be used. */
  usedFallback: boolean;
}

export interface BackendCapabilities {
  /** Most tokens one scored sequence may hold (the window size for long transcripts). */
  contextSize: number;
  /** The model's chat template (Jinja), or undefined when it has none. */
  chatTemplate: string | undefined;
  /** Whether the backend reports if each scored token was the model's top-1. */
  top1: boolean;
  /** Whether the backend can return log-probabilities of other given tokens at a scored position (choice accuracy). */
  alternatives: boolean;
  /** How many sequences the backend likes to receive per scoreTokens call. */
  batchSequences: number;
}

/** Identity of the model, recorded in the run so the run can be reproduced. */
export interface ModelIdentity {
  /** Display name, e.g. the GGUF file name or `endpoint model`. */
  name: string;
  /** How it is served: 'gguf', 'vllm', 'sglang', 'tgi', 'baseline'. */
  kind: string;
  /** sha256 of the model file, when there is one. */
  fileSha256?: string;
  /** Where it lives: file path, hf: reference or endpoint URL(s). */
  location?: string;
  /** Other facts (architecture, parameter count, quantisation, revision). */
  details?: Record<string, unknown>;
}

/** One sequence to score. Position p (≥ 1) asks for log P(tokens[p] | tokens[0..p-1]). */
export interface ScoreRequest {
  tokens: readonly number[];
  positions: readonly number[];
  /** At these positions, also return the log-probabilities of these tokens (choice-restricted accuracy). */
  alternatives?: ReadonlyMap<number, readonly number[]>;
}

export interface TokenScore {
  /** Natural-log probability of the actual token. */
  logprob: number;
  /** Whether the actual token was the model's most probable one (ties count as top-1). */
  top1: boolean;
  /** Log-probabilities of the requested alternative tokens, in the order asked. */
  alternatives?: number[];
}

export interface Backend {
  readonly identity: ModelIdentity;
  readonly capabilities: BackendCapabilities;
  readonly tokenizer: Tokenizer;
  /** Score every requested position of every request; the result arrays follow `positions`. */
  scoreTokens(requests: readonly ScoreRequest[]): Promise<TokenScore[][]>;
  close(): Promise<void>;
}
