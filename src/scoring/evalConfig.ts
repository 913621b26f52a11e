import { z } from 'zod';
import { KV_CACHE_TYPES } from '../backends/LlamaCppBackend.js';
import { REMOTE_PROTOCOLS } from '../backends/remote/protocols.js';
import { BASELINES } from './BaselineScorer.js';
import { CONTEXT_POLICIES, PROMPT_FORMATS } from '../prompts/types.js';

/** A model to score with: a GGUF file (embedded engine) or a weightless baseline. */
export const modelSpecSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('gguf'),
    /** Local path or hf:<user>/<repo>/<file>.gguf. */
    path: z.string().min(1),
    gpu: z.enum(['auto', 'cpu', 'cuda', 'metal', 'vulkan']).default('auto'),
    /** Tokens per window; default: the model's training context (at most 32,768). */
    contextSize: z.number().int().min(16).optional(),
    batchSize: z.number().int().min(1).optional(),
    threads: z.number().int().min(1).optional(),
    /** llama.cpp flash attention and KV cache type; defaults in LlamaCppOptions (reference policy: exact, f32 + off). */
    flashAttention: z.boolean().optional(),
    kvCacheType: z.enum(KV_CACHE_TYPES).optional(),
  }),
  z.object({ kind: z.literal('baseline'), name: z.enum(BASELINES as [string, ...string[]]) }),
  z.object({
    kind: z.literal('remote'),
    protocol: z.enum(REMOTE_PROTOCOLS as [string, ...string[]]).default('vllm'),
    endpoints: z.array(z.object({ url: z.url(), concurrency: z.number().int().min(1).default(4) })).min(1),
    /** Served model name (default: what the server reports). */
    servedModel: z.string().optional(),
    /** Local tokenizer GGUF (default: the server's /tokenize). */
    tokenizer: z.string().optional(),
    contextSize: z.number().int().min(16).optional(),
    timeoutMs: z.number().int().positive().optional(),
    /** Name of the environment variable holding the API key (the key itself is never stored). */
    apiKeyEnv: z.string().default('HUMANLIKE_API_KEY'),
    maxAttempts: z.number().int().min(1).optional(),
  }),
]);
export type ModelSpec = z.infer<typeof modelSpecSchema>;

/** Everything that defines an eval run. Validated; unknown keys are refused. */
export const evalConfigSchema = z.strictObject({
  source: z.string().min(1),
  /** Results database file. */
  db: z.string().default('humanlike.duckdb'),
  model: modelSpecSchema,
  format: z.enum(PROMPT_FORMATS as [string, ...string[]]).default('raw'),
  policy: z.enum(CONTEXT_POLICIES as [string, ...string[]]).default('windowed'),
  select: z.enum(['all', 'train', 'test']).default('all'),
  splitSeed: z.number().int().optional(),
  studies: z.array(z.string()).optional(),
  maxTextChars: z.number().int().positive().default(1_000_000),
  maxEntryBytes: z.number().int().positive().default(8 * 1024 ** 3),
  /** Seed of the persona-shuffled pairing. */
  personaSeed: z.number().int().default(0),
  /** Stop after this many participants failed with backend errors. */
  errorBudget: z.number().int().positive().default(20),
  /** Start a new run even if one with the same configuration exists. */
  newRun: z.boolean().default(false),
});
export type EvalConfig = z.infer<typeof evalConfigSchema>;
