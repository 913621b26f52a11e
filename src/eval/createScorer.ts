import type { Backend } from '../backends/Backend.js';
import { LlamaCppBackend } from '../backends/LlamaCppBackend.js';
import type { RemoteProtocol } from '../backends/remote/protocols.js';
import { RemoteBackend } from '../backends/remote/RemoteBackend.js';
import type { ContextPolicy, PromptFormat } from '../prompts/types.js';
import { BaselineScorer, type BaselineKind } from '../scoring/BaselineScorer.js';
import type { ModelSpec } from './evalConfig.js';
import type { ResponseScorer } from '../scoring/ResponseScorer.js';
import { TokenScorer } from '../scoring/TokenScorer.js';

/** Build the scorer for a model spec. The run loop only sees the ResponseScorer interface. */
export async function createScorer(spec: ModelSpec, format: PromptFormat, policy: ContextPolicy): Promise<ResponseScorer> {
  if (spec.kind === 'baseline') return new BaselineScorer(spec.name as BaselineKind);
  const backend = await createBackend(spec);
  try {
    return new TokenScorer(backend, { format, policy });
  } catch (e) {
    await backend.close();
    throw e;
  }
}

/** The backend of a model spec (a GGUF file in-process, or servers). */
export async function createBackend(spec: Exclude<ModelSpec, { kind: 'baseline' }>): Promise<Backend> {
  if (spec.kind === 'remote') {
    return RemoteBackend.create({
      endpoints: spec.endpoints,
      protocol: spec.protocol as RemoteProtocol,
      apiKeyEnv: spec.apiKeyEnv,
      ...(spec.servedModel !== undefined && { model: spec.servedModel }),
      ...(spec.tokenizer !== undefined && { tokenizer: spec.tokenizer }),
      ...(spec.contextSize !== undefined && { contextSize: spec.contextSize }),
      ...(spec.timeoutMs !== undefined && { timeoutMs: spec.timeoutMs }),
      ...(spec.maxAttempts !== undefined && { maxAttempts: spec.maxAttempts }),
      ...(spec.maxRetryAfterMs !== undefined && { maxRetryAfterMs: spec.maxRetryAfterMs }),
    });
  }
  return LlamaCppBackend.create({
    model: spec.path,
    gpu: spec.gpu,
    ...(spec.contextSize !== undefined && { contextSize: spec.contextSize }),
    ...(spec.batchSize !== undefined && { batchSize: spec.batchSize }),
    ...(spec.threads !== undefined && { threads: spec.threads }),
  });
}
