import type { ControlledEvaluateInputItem, LlamaContext, LlamaContextSequence, LlamaModel } from 'node-llama-cpp';
import { BackendError } from '../errors.js';
import type { Backend, BackendCapabilities, LocalTokenizer, ModelIdentity, ScoreRequest, TokenScore } from './Backend.js';
import { fileSha256 } from './fileSha256.js';
import { createLlamaTokenizer } from './LlamaTokenizer.js';
import { type GpuChoice, type KvCacheType, loadGgufModel, loadLlama, resolveModelPath } from './loadLlama.js';

export { KV_CACHE_TYPES, type KvCacheType } from './loadLlama.js';

export interface LlamaCppOptions {
  /** Local GGUF path or `hf:<user>/<repo>/<file>.gguf`. */
  model: string;
  /** Default 'auto'. */
  gpu?: GpuChoice;
  /** Tokens per scored window. Default: the model's training context, at most 32,768. */
  contextSize?: number;
  /**
   * Tokens per llama.cpp decode batch (node-llama-cpp makes the micro-batch the same). Default: 512 on CPU, where a
   * 2048 batch made attention without flash attention 3× slower at 4k tokens (docs/benchmarks.md); min(contextSize,
   * 2048) on GPUs.
   */
  batchSize?: number;
  /** CPU threads. Default: the machine's math cores (the engine default oversubscribes small machines). */
  threads?: number;
  /**
   * llama.cpp flash attention. Default: the engine's 'auto' (on where supported; on CPU it is the faster choice for
   * models with head size ≥ 64). Off, with kvCacheType f32, is the exact configuration (`--policy reference`).
   */
  flashAttention?: boolean;
  /** Element type of the KV cache. Default: f16 (the engine's). q8_0 needs a head size divisible by 32. */
  kvCacheType?: KvCacheType;
}

/** Scores GGUF models in-process through node-llama-cpp (CPU, CUDA, Metal, Vulkan). */
export class LlamaCppBackend implements Backend {
  private constructor(
    readonly identity: ModelIdentity,
    readonly capabilities: BackendCapabilities,
    readonly tokenizer: LocalTokenizer,
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly sequence: LlamaContextSequence,
  ) {}

  static async create(options: LlamaCppOptions): Promise<LlamaCppBackend> {
    const path = await resolveModelPath(options.model);
    const llama = await loadLlama(options.gpu ?? 'auto');
    const model = await loadGgufModel(llama, path);
    const sha = await fileSha256(path);
    const contextSize = options.contextSize ?? Math.min(model.trainContextSize, 32_768);
    let context: LlamaContext;
    try {
      const threads = options.threads ?? (llama.gpu === false ? llama.cpuMathCores : undefined);
      const kv = options.kvCacheType?.toUpperCase() as 'F32' | 'F16' | 'Q8_0' | undefined;
      context = await model.createContext({
        contextSize,
        batchSize: options.batchSize ?? Math.min(contextSize, llama.gpu === false ? 512 : 2048),
        sequences: 1,
        ...(threads !== undefined && { threads }),
        ...(options.flashAttention !== undefined && { flashAttention: options.flashAttention }),
        ...(kv !== undefined && { experimentalKvCacheKeyType: kv, experimentalKvCacheValueType: kv }),
      });
    } catch (e) {
      await model.dispose();
      throw new BackendError(`${path}: cannot create a context of ${contextSize} tokens: ${(e as Error).message}`, { cause: e });
    }
    const meta = model.fileInfo.metadata;
    const chatTemplate = (meta.tokenizer as { chat_template?: unknown } | undefined)?.chat_template;
    const identity: ModelIdentity = {
      name: path.split('/').pop() ?? path,
      kind: 'gguf',
      fileSha256: sha,
      location: options.model,
      details: {
        architecture: meta.general?.architecture,
        parameters: model.fileInsights.modelSize,
        trainContextSize: model.trainContextSize,
        gpu: llama.gpu,
        threads: context.currentThreads,
        batchSize: context.batchSize,
        flashAttention: context.flashAttention,
        kvCacheType: options.kvCacheType ?? 'f16',
      },
    };
    const capabilities: BackendCapabilities = {
      contextSize: context.contextSize,
      chatTemplate: typeof chatTemplate === 'string' ? chatTemplate : undefined,
      top1: true,
      alternatives: true,
      batchSequences: 1,
    };
    return new LlamaCppBackend(identity, capabilities, createLlamaTokenizer(model, sha), model, context, context.getSequence());
  }

  async scoreTokens(requests: readonly ScoreRequest[]): Promise<TokenScore[][]> {
    const out: TokenScore[][] = [];
    for (const r of requests) out.push(await this.scoreOne(r));
    return out;
  }

  private async scoreOne(request: ScoreRequest): Promise<TokenScore[]> {
    const { tokens, positions } = request;
    if (tokens.length > this.capabilities.contextSize) {
      throw new BackendError(`a sequence of ${tokens.length} tokens does not fit the context of ${this.capabilities.contextSize}`);
    }
    // Ask for outputs only at the positions before a scored token: every other position costs nothing extra.
    const wanted = new Map<number, number>(); // index of the predicting token → position scored
    for (const p of positions) {
      if (p < 1 || p >= tokens.length) throw new BackendError(`position ${p} is outside the sequence of ${tokens.length} tokens`);
      wanted.set(p - 1, p);
    }
    const items: ControlledEvaluateInputItem[] = tokens.map((t, i) => {
      const p = wanted.get(i);
      if (p === undefined) return t as never;
      const target = tokens[p] as number;
      const alts = request.alternatives?.get(p) ?? [];
      return [t, { generateNext: { logits: { filter: { tokens: [target, ...alts], includeTop: 1 } }, totalLogitWeight: true } }] as never;
    });
    await this.sequence.clearHistory();
    const results = await this.sequence.controlledEvaluate(items);
    return positions.map((p) => {
      const next = results[p - 1]?.next;
      const logits = next?.logits;
      const total = next?.totalLogitWeight;
      const target = tokens[p] as number;
      const targetLogit = logits?.get(target as never);
      if (!logits || total === undefined || targetLogit === undefined)
        throw new BackendError(`the engine returned no logits for position ${p}`);
      const maxLogit = logits.values().next().value as number; // the map is sorted, top-1 included
      const norm = maxLogit + Math.log(total);
      const score: TokenScore = { logprob: targetLogit - norm, top1: targetLogit >= maxLogit };
      const alts = request.alternatives?.get(p);
      if (alts) score.alternatives = alts.map((a) => (logits.get(a as never) ?? Number.NEGATIVE_INFINITY) - norm);
      return score;
    });
  }

  /**
   * vLLM-style prompt log-probabilities (for `serve`): at every position i ≥ 1, the actual token's log-probability and
   * rank, and the top-k tokens. Ranks are exact up to k; an actual token outside the top k gets rank k + 1.
   */
  async promptLogprobs(tokens: readonly number[], k: number): Promise<{ logprob: number; rank: number; top: [number, number][] }[]> {
    if (tokens.length > this.capabilities.contextSize) {
      throw new BackendError(`a prompt of ${tokens.length} tokens does not fit the context of ${this.capabilities.contextSize}`);
    }
    const top = Math.max(1, k);
    const items = tokens.map((t, i) =>
      i < tokens.length - 1
        ? [t, { generateNext: { logits: { filter: { tokens: [tokens[i + 1]], includeTop: top } }, totalLogitWeight: true } }]
        : t,
    );
    await this.sequence.clearHistory();
    const results = await this.sequence.controlledEvaluate(items as never);
    const out: { logprob: number; rank: number; top: [number, number][] }[] = [];
    for (let p = 1; p < tokens.length; p++) {
      const next = results[p - 1]?.next;
      const logits = next?.logits;
      const total = next?.totalLogitWeight;
      if (!logits || total === undefined) throw new BackendError(`the engine returned no logits for position ${p}`);
      // The map is sorted by logit: the top-k, plus the actual token when it is not among them.
      const sorted = [...logits.entries()] as [number, number][];
      const maxLogit = sorted[0]?.[1] ?? 0;
      const norm = maxLogit + Math.log(total);
      const target = tokens[p] as number;
      const targetLogit = logits.get(target as never) as number;
      const higher = sorted.filter(([id, v]) => v > targetLogit && id !== target).length;
      const inTop = higher < top;
      out.push({
        logprob: targetLogit - norm,
        rank: inTop ? higher + 1 : top + 1,
        top: sorted.slice(0, top).map(([id, v]) => [id, v - norm]),
      });
    }
    return out;
  }

  /** The raw vocabulary pieces (GGUF `tokenizer.ggml.tokens`), for a vLLM-compatible /tokenize. */
  vocabularyPieces(): readonly string[] | undefined {
    const t = (this.model.fileInfo.metadata.tokenizer as { ggml?: { tokens?: unknown } } | undefined)?.ggml?.tokens;
    return Array.isArray(t) ? (t as string[]) : undefined;
  }

  /** Evaluate tokens with no outputs at all: the engine's floor, for benchmarks. */
  async evaluateOnly(tokens: readonly number[]): Promise<void> {
    await this.sequence.clearHistory();
    await this.sequence.controlledEvaluate(tokens as never);
  }

  async close(): Promise<void> {
    await this.context.dispose();
    await this.model.dispose();
  }
}
