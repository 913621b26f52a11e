import type { LlamaModel } from 'node-llama-cpp';
import { CapabilityError } from '../errors.js';
import type { Backend, BackendCapabilities, ModelIdentity, ScoreRequest, Tokenizer, TokenScore } from './Backend.js';
import { createLlamaTokenizer } from './LlamaTokenizer.js';
import { type GpuChoice, loadGgufModel, loadLlama, resolveModelPath } from './loadLlama.js';

/**
 * A GGUF model loaded vocab-only (tokenizer and metadata, no weights): enough to render, tokenize and plan the
 * windows of a run (`eval --dry-run`) in seconds, whatever the model's size. It cannot score.
 */
export class VocabOnlyBackend implements Backend {
  private constructor(
    readonly identity: ModelIdentity,
    readonly capabilities: BackendCapabilities,
    readonly tokenizer: Tokenizer,
    private readonly model: LlamaModel,
  ) {}

  /** `contextSize` as LlamaCppBackend takes it (default: the training context, at most 32,768). */
  static async create(options: { model: string; gpu?: GpuChoice; contextSize?: number }): Promise<VocabOnlyBackend> {
    const path = await resolveModelPath(options.model);
    const model = await loadGgufModel(await loadLlama(options.gpu ?? 'auto'), path, { vocabOnly: true });
    const chatTemplate = (model.fileInfo.metadata.tokenizer as { chat_template?: unknown } | undefined)?.chat_template;
    const capabilities: BackendCapabilities = {
      contextSize: options.contextSize ?? Math.min(trainContextSize(model), 32_768),
      chatTemplate: typeof chatTemplate === 'string' ? chatTemplate : undefined,
      top1: true,
      alternatives: true,
      batchSequences: 1,
    };
    return new VocabOnlyBackend(
      { name: path.split('/').pop() ?? path, kind: 'gguf', location: options.model },
      capabilities,
      createLlamaTokenizer(model, ''),
      model,
    );
  }

  scoreTokens(_requests: readonly ScoreRequest[]): Promise<TokenScore[][]> {
    return Promise.reject(new CapabilityError(`${this.identity.name} is loaded vocab-only: it can tokenize, not score`));
  }

  close(): Promise<void> {
    return this.model.dispose();
  }
}

/** A vocab-only load reports a training context of 0: read `<architecture>.context_length` from the GGUF instead. */
function trainContextSize(model: LlamaModel): number {
  if (model.trainContextSize > 0) return model.trainContextSize;
  const meta = model.fileInfo.metadata as unknown as Record<string, { context_length?: unknown } | undefined> & {
    general?: { architecture?: string };
  };
  const n = Number(meta[meta.general?.architecture ?? '']?.context_length);
  if (!Number.isSafeInteger(n) || n < 16)
    throw new CapabilityError(`${model.filename ?? 'the model'}: the GGUF states no training context: give --context-size`);
  return n;
}
