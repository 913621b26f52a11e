import type { Backend } from '../backends/Backend.js';
import { LlamaCppBackend } from '../backends/LlamaCppBackend.js';
import { RemoteBackend } from '../backends/remote/RemoteBackend.js';
import { BackendError, CapabilityError } from '../errors.js';
import type { ContextPolicy, PromptFormat } from '../prompts/types.js';
import { type BaselineKind, BaselineScorer } from '../scoring/BaselineScorer.js';
import type { ResponseScorer } from '../scoring/ResponseScorer.js';
import { TokenScorer } from '../scoring/TokenScorer.js';
import type { ModelSpec } from './evalConfig.js';

/**
 * Engine context under the reference policy: the paper scores up to 32,768 characters in one pass, whatever the
 * model's training context; a token per character plus BOS holds every ordinary cut text (a text of rare characters
 * that tokenizes longer is refused per participant, naming the --context-size it needs).
 */
export const REFERENCE_CONTEXT_TOKENS = 32_768 + 1;

/** Build the scorer for a model spec. The run loop only sees the ResponseScorer interface. */
export async function createScorer(spec: ModelSpec, format: PromptFormat, policy: ContextPolicy): Promise<ResponseScorer> {
  if (spec.kind === 'baseline') return new BaselineScorer(spec.name as BaselineKind);
  const backend = await createBackend(spec, policy);
  try {
    return new TokenScorer(backend, { format, policy });
  } catch (e) {
    await backend.close();
    throw e;
  }
}

/** The backend of a model spec (a GGUF file in-process, or servers). */
export async function createBackend(spec: Exclude<ModelSpec, { kind: 'baseline' }>, policy: ContextPolicy = 'windowed'): Promise<Backend> {
  if (spec.kind === 'remote') {
    return RemoteBackend.create({
      endpoints: spec.endpoints,
      protocol: spec.protocol,
      apiKeyEnv: spec.apiKeyEnv,
      ...(spec.servedModel !== undefined && { model: spec.servedModel }),
      ...(spec.tokenizer !== undefined && { tokenizer: spec.tokenizer }),
      ...(spec.contextSize !== undefined && { contextSize: spec.contextSize }),
      ...(spec.timeoutMs !== undefined && { timeoutMs: spec.timeoutMs }),
      ...(spec.maxAttempts !== undefined && { maxAttempts: spec.maxAttempts }),
      ...(spec.maxRetryAfterMs !== undefined && { maxRetryAfterMs: spec.maxRetryAfterMs }),
    });
  }
  const reference = policy === 'reference';
  const contextSize = spec.contextSize ?? (reference ? REFERENCE_CONTEXT_TOKENS : undefined);
  return LlamaCppBackend.create({
    model: spec.path,
    gpu: spec.gpu,
    ...(contextSize !== undefined && { contextSize }),
    ...(spec.batchSize !== undefined && { batchSize: spec.batchSize }),
    ...(spec.threads !== undefined && { threads: spec.threads }),
    // The reference policy keeps the exact engine configuration unless told otherwise.
    ...(policy === 'reference' && { flashAttention: false, kvCacheType: 'f32' as const }),
    ...(spec.flashAttention !== undefined && { flashAttention: spec.flashAttention }),
    ...(spec.kvCacheType !== undefined && { kvCacheType: spec.kvCacheType }),
  }).catch((e: unknown) => {
    if (reference && e instanceof BackendError && /cannot create a context/.test(e.message)) {
      throw new CapabilityError(
        `--policy reference scores each cut text (32,768 characters) in one pass with an F32 KV cache, and the engine cannot hold it: ${e.message}. Give a smaller --context-size (participants whose text does not fit are skipped), or use --policy windowed`,
        { cause: e },
      );
    }
    throw e;
  });
}
