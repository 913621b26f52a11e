import { z } from 'zod';
import { GPU_CHOICES, KV_CACHE_TYPES } from '../backends/loadLlama.js';
import { REMOTE_PROTOCOLS } from '../backends/remote/protocols/protocolRegistry.js';
import { REMOTE_DEFAULTS } from '../backends/remote/remoteDefaults.js';
import { DEFAULT_MAX_TEXT_CHARS } from '../data/parseRecord.js';
import { type ReadOptions, SELECTIONS } from '../data/readTranscripts.js';
import { DEFAULT_MAX_ENTRY_BYTES } from '../data/readZipEntries.js';
import { CONTEXT_POLICIES, PROMPT_FORMATS } from '../prompts/types.js';
import { BASELINES } from '../scoring/BaselineScorer.js';
import { DEFAULT_DB } from '../store/ResultsStore.js';
import { timerMsSchema } from '../util/maxTimerMs.js';

/**
 * The one source of an eval run's configuration: every choice list comes from its `as const` tuple, every default
 * lives here (CLI flags carry none, so a config file's value is only overridden by a flag actually given), and
 * every object is strict (a misspelt key is refused with its path).
 */

/** Options of every command that reads a source; the defaults are the data layer's own limits. */
export const sourceConfigShape = {
  select: z.enum(SELECTIONS).default('all'),
  /** Split on the fly with this seed when the source has no split manifest. */
  splitSeed: z.number().int().optional(),
  studies: z.array(z.string().min(1)).min(1).optional(),
  /** A transcript longer than this (characters) is an error. */
  maxTextChars: z.number().int().positive().default(DEFAULT_MAX_TEXT_CHARS),
  /** A zip entry that inflates past this (bytes) is refused (zip-bomb guard). */
  maxEntryBytes: z.number().int().positive().default(DEFAULT_MAX_ENTRY_BYTES),
};
export const sourceConfigSchema = z.strictObject(sourceConfigShape);
export type SourceConfig = z.infer<typeof sourceConfigSchema>;

export const ggufModelSchema = z.strictObject({
  kind: z.literal('gguf'),
  /** Local path or hf:<user>/<repo>/<file>.gguf. */
  path: z.string().min(1),
  gpu: z.enum(GPU_CHOICES).default('auto'),
  /** Tokens per window; default: the model's training context (at most 32,768). */
  contextSize: z.number().int().min(16).optional(),
  batchSize: z.number().int().min(1).optional(),
  /** CPU threads; default: the machine's math cores. */
  threads: z.number().int().min(1).optional(),
  /** llama.cpp flash attention and KV cache type; defaults in LlamaCppOptions (reference policy: exact, f32 + off). */
  flashAttention: z.boolean().optional(),
  kvCacheType: z.enum(KV_CACHE_TYPES).optional(),
});

export const baselineModelSchema = z.strictObject({ kind: z.literal('baseline'), name: z.enum(BASELINES) });

export const remoteModelSchema = z.strictObject({
  kind: z.literal('remote'),
  protocol: z.enum(REMOTE_PROTOCOLS).default('vllm'),
  endpoints: z.array(z.strictObject({ url: z.url(), concurrency: z.number().int().min(1).default(REMOTE_DEFAULTS.concurrency) })).min(1),
  /** Served model name (default: what the server reports). */
  servedModel: z.string().optional(),
  /** Local tokenizer GGUF (default: the server's /tokenize). */
  tokenizer: z.string().optional(),
  /** Tokens per window (default: min(server maximum, 4,096)). */
  contextSize: z.number().int().min(16).optional(),
  timeoutMs: timerMsSchema().positive().default(REMOTE_DEFAULTS.timeoutMs),
  /** Name of the environment variable holding the API key (the key itself is never stored). */
  apiKeyEnv: z.string().default(REMOTE_DEFAULTS.apiKeyEnv),
  maxAttempts: z.number().int().min(1).default(REMOTE_DEFAULTS.maxAttempts),
  /** Longest Retry-After wait honoured, in ms (longer asks wait this long and count as a failed attempt). */
  maxRetryAfterMs: timerMsSchema().min(0).default(REMOTE_DEFAULTS.maxRetryAfterMs),
});

/** A model to score with: a GGUF file (embedded engine), a weightless baseline, or inference servers. */
export const modelSpecSchema = z.discriminatedUnion('kind', [ggufModelSchema, baselineModelSchema, remoteModelSchema]);
export type ModelSpec = z.infer<typeof modelSpecSchema>;

/** Everything that defines an eval run. Validated; unknown keys are refused. */
export const evalConfigSchema = z.strictObject({
  source: z.string().min(1),
  /** Results database file. */
  db: z.string().min(1).default(DEFAULT_DB),
  model: modelSpecSchema,
  format: z.enum(PROMPT_FORMATS).default('raw'),
  policy: z.enum(CONTEXT_POLICIES).default('windowed'),
  ...sourceConfigShape,
  /** Seed of the persona-shuffled pairing. */
  personaSeed: z.number().int().default(0),
  /** Stop after this many participants failed with backend errors. */
  errorBudget: z.number().int().positive().default(20),
  /** Start a new run even if one with the same configuration exists. */
  newRun: z.boolean().default(false),
});
export type EvalConfig = z.infer<typeof evalConfigSchema>;

/** The default of a schema field (for help texts, so that they show the schema's value, never a copy). */
export function defaultOf(field: z.ZodType): string {
  const v = field.safeParse(undefined);
  return v.success && v.data !== undefined ? String(v.data) : '';
}

/** One line naming the first problem of a failed parse, with its path (e.g. `model.contextsize: unrecognized key`). */
export function describeConfigError(error: z.ZodError, what: string): string {
  const issue = error.issues[0];
  const keys = issue && 'keys' in issue && Array.isArray(issue.keys) ? ` ${issue.keys.join(', ')}` : '';
  return `invalid ${what}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}${keys}`;
}

/** ReadOptions from a validated source configuration. */
export function toReadOptions(c: SourceConfig): ReadOptions {
  return {
    select: c.select,
    maxTextChars: c.maxTextChars,
    maxEntryBytes: c.maxEntryBytes,
    ...(c.splitSeed !== undefined && { splitSeed: c.splitSeed }),
    ...(c.studies && { studies: c.studies }),
  };
}
