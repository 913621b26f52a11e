import type { Backend, ScoreRequest, TokenScore } from '../../src/backends/Backend.js';
import { withRanges } from '../../src/backends/tokenizeWithOffsets.js';

/**
 * A scripted backend for tests: one token per character (id = code point), every scored token gets log-probability
 * −1 and counts as top-1. `normalize` lets the tokenizer change some texts (as NFKC-normalising tokenizers do);
 * `delayMs` makes every scoreTokens call take that long (a slow model).
 */
export function createFakeBackend(o: { contextSize?: number; normalize?: (text: string) => string; delayMs?: number } = {}): Backend {
  const norm = o.normalize ?? ((t: string) => t);
  const tokenizer = withRanges({
    tokenize: (text) => [...norm(text)].map((c) => c.codePointAt(0)!),
    detokenize: (tokens) => String.fromCodePoint(...tokens),
    bos: 1,
    addBos: true,
    bosText: '',
    eosText: '',
    id: 'fake:chars',
  });
  return {
    identity: { name: 'fake-model', kind: 'fake' },
    capabilities: { contextSize: o.contextSize ?? 4096, chatTemplate: undefined, top1: true, alternatives: false, batchSequences: 1 },
    tokenizer,
    scoreTokens: async (requests: readonly ScoreRequest[]): Promise<TokenScore[][]> => {
      if (o.delayMs) await new Promise((r) => setTimeout(r, o.delayMs));
      return requests.map((r) => r.positions.map(() => ({ logprob: -1, top1: true })));
    },
    close: () => Promise.resolve(),
  };
}
