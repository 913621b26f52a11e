import { CapabilityError, BackendError } from '../../errors.js';
import type { TokenizedRanges, Tokenizer } from '../Backend.js';
import { requestJson, type HttpOptions } from './httpJson.js';
import { detectPieceStyle, rangesFromPieces } from './tokenPieces.js';

interface TokenizeResponse {
  tokens?: number[];
  token_strs?: string[];
}

/**
 * Tokenization by a vLLM-compatible server's `/tokenize` (`return_token_strs`), for when no local tokenizer file is
 * given. Token character ranges come from the vocabulary pieces' bytes, so alignment never depends on server text.
 * Synchronous tokenization is not available (option tokens for choice-restricted accuracy need a local tokenizer).
 */
export class ServerTokenizer implements Tokenizer {
  readonly addBos: boolean;
  readonly bosText = '';
  readonly eosText = '';
  private constructor(private readonly url: string, private readonly http: HttpOptions, private readonly model: string, readonly bos: number | undefined, readonly id: string) {
    this.addBos = bos !== undefined;
  }

  static async create(url: string, model: string, http: HttpOptions): Promise<ServerTokenizer> {
    const withSpecial = (await requestJson(url, '/tokenize', { model, prompt: 'a', add_special_tokens: true }, http)) as TokenizeResponse;
    const without = (await requestJson(url, '/tokenize', { model, prompt: 'a', add_special_tokens: false }, http)) as TokenizeResponse;
    if (!Array.isArray(withSpecial.tokens) || !Array.isArray(without.tokens)) throw new BackendError(`${url}/tokenize: no token list in the response`);
    // The tokens the server adds in front of text are its BOS (if any).
    const added = withSpecial.tokens.length - without.tokens.length;
    const bos = added > 0 ? withSpecial.tokens[0] : undefined;
    return new ServerTokenizer(url, http, model, bos, `server:${model}`);
  }

  tokenize(): number[] {
    throw new CapabilityError('this run tokenizes through the server; give --tokenizer <gguf> for features that need a local tokenizer');
  }

  detokenize(): string {
    throw new CapabilityError('this run tokenizes through the server; give --tokenizer <gguf> for features that need a local tokenizer');
  }

  async tokenizeWithRanges(text: string): Promise<TokenizedRanges> {
    const r = (await requestJson(this.url, '/tokenize', { model: this.model, prompt: text, add_special_tokens: false, return_token_strs: true }, this.http)) as TokenizeResponse;
    if (!Array.isArray(r.tokens) || !Array.isArray(r.token_strs) || r.token_strs.length !== r.tokens.length) {
      throw new CapabilityError(`${this.url}/tokenize did not return token_strs; give --tokenizer <gguf> (the model's GGUF or a vocab-only GGUF)`);
    }
    const ranges = rangesFromPieces(text, r.token_strs, detectPieceStyle(r.token_strs));
    if (!ranges) throw new BackendError(`${this.url}/tokenize: the token pieces do not rebuild the text, so responses cannot be aligned; give --tokenizer <gguf>`);
    return { tokens: r.tokens, starts: ranges.starts, ends: ranges.ends, usedFallback: false };
  }
}
