import { BackendError, CapabilityError } from '../../errors.js';
import type { TokenizedRanges, Tokenizer } from '../Backend.js';
import { displayUrl, type HttpOptions, requestJson } from './httpJson.js';
import { detectPieceStyle, rangesFromPieces } from './tokenPieces.js';

interface TokenizeResponse {
  tokens?: unknown;
  token_strs?: unknown;
}

/** Sends one /tokenize request somewhere (through the endpoint pool, with its retries). */
export type TokenizeCall = (body: Record<string, unknown>) => Promise<unknown>;

const isTokenList = (v: unknown): v is number[] => Array.isArray(v) && v.every((t) => Number.isSafeInteger(t) && (t as number) >= 0);

/**
 * Tokenization by a vLLM-compatible server's `/tokenize` (`return_token_strs`), for when no local tokenizer file is
 * given. Token character ranges come from the vocabulary pieces' bytes, so alignment never depends on server text.
 * Synchronous tokenization is not available (option tokens for choice-restricted accuracy need a local tokenizer).
 * Every answer is checked; once the server has proved it returns pieces, a bad answer is a BackendError (the
 * participant is left for a resume), never a participant skipped for good.
 */
export class ServerTokenizer implements Tokenizer {
  readonly addBos: boolean;
  readonly bosText = '';
  readonly eosText = '';
  private proved = false;
  private constructor(
    private readonly where: string,
    private readonly call: TokenizeCall,
    private readonly model: string,
    readonly bos: number | undefined,
    readonly id: string,
  ) {
    this.addBos = bos !== undefined;
  }

  /** Probe `url` for the BOS convention; later requests go through `call`. */
  static async create(url: string, model: string, http: HttpOptions, call: TokenizeCall): Promise<ServerTokenizer> {
    const where = `${displayUrl(url)}/tokenize`;
    const withSpecial = (await requestJson(url, '/tokenize', { model, prompt: 'a', add_special_tokens: true }, http)) as TokenizeResponse;
    const without = (await requestJson(url, '/tokenize', { model, prompt: 'a', add_special_tokens: false }, http)) as TokenizeResponse;
    if (!isTokenList(withSpecial?.tokens) || !isTokenList(without?.tokens))
      throw new BackendError(`${where}: no token list in the response`, { endpoint: displayUrl(url) });
    // The tokens the server adds in front of text are its BOS (if any).
    const added = withSpecial.tokens.length - without.tokens.length;
    const bos = added > 0 ? withSpecial.tokens[0] : undefined;
    return new ServerTokenizer(where, call, model, bos, `server:${model}`);
  }

  async tokenizeWithRanges(text: string): Promise<TokenizedRanges> {
    const r = (await this.call({
      model: this.model,
      prompt: text,
      add_special_tokens: false,
      return_token_strs: true,
    })) as TokenizeResponse;
    const strs = r?.token_strs;
    if (!this.proved && isTokenList(r?.tokens) && strs === undefined) {
      throw new CapabilityError(`${this.where} did not return token_strs; give --tokenizer <gguf> (the model's GGUF or a vocab-only GGUF)`);
    }
    const bad = (what: string): never => {
      throw new BackendError(
        `${this.where}: ${what} for a text of ${text.length} characters, so responses cannot be aligned; the participant is left for a resume`,
      );
    };
    if (!isTokenList(r?.tokens)) return bad('no list of token ids (non-negative integers)');
    if (!Array.isArray(strs) || strs.length !== r.tokens.length || !strs.every((s) => typeof s === 'string'))
      return bad('token_strs missing or not one string per token');
    const ranges = rangesFromPieces(text, strs as string[], detectPieceStyle(strs as string[]));
    if (!ranges) return bad('the token pieces do not rebuild the text (give --tokenizer <gguf> if this persists)');
    this.proved = true;
    return { tokens: r.tokens, starts: ranges.starts, ends: ranges.ends, usedFallback: false };
  }
}
