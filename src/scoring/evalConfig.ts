import { z } from 'zod';
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
  }),
  z.object({ kind: z.literal('baseline'), name: z.enum(BASELINES as [string, ...string[]]) }),
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
