import { LlamaCppBackend } from '../backends/LlamaCppBackend.js';
import type { ContextPolicy, PromptFormat } from '../prompts/types.js';
import { BaselineScorer, type BaselineKind } from './BaselineScorer.js';
import type { ModelSpec } from './evalConfig.js';
import type { ResponseScorer } from './ResponseScorer.js';
import { TokenScorer } from './TokenScorer.js';

/** Build the scorer for a model spec. The run loop only sees the ResponseScorer interface. */
export async function createScorer(spec: ModelSpec, format: PromptFormat, policy: ContextPolicy): Promise<ResponseScorer> {
  if (spec.kind === 'baseline') return new BaselineScorer(spec.name as BaselineKind);
  const backend = await LlamaCppBackend.create({
    model: spec.path,
    gpu: spec.gpu,
    ...(spec.contextSize !== undefined && { contextSize: spec.contextSize }),
    ...(spec.batchSize !== undefined && { batchSize: spec.batchSize }),
    ...(spec.threads !== undefined && { threads: spec.threads }),
  });
  try {
    return new TokenScorer(backend, { format, policy });
  } catch (e) {
    await backend.close();
    throw e;
  }
}
