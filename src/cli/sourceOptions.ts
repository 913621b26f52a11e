import { type Command, Option } from 'commander';
import { GPU_CHOICES, KV_CACHE_TYPES, type KvCacheType } from '../backends/loadLlama.js';
import type { ReadOptions } from '../data/readTranscripts.js';
import { UsageError } from '../errors.js';
import {
  defaultOf,
  describeConfigError,
  ggufModelSchema,
  type SourceConfig,
  sourceConfigSchema,
  sourceConfigShape,
  toReadOptions,
} from '../eval/evalConfig.js';

/** Help text of an option whose default lives in a schema: the schema's value, never a copy. */
export const withDefault = (description: string, field: Parameters<typeof defaultOf>[0]): string =>
  `${description} (default: ${defaultOf(field)})`;

/** The options every command that reads a source accepts. No Commander defaults: the schema supplies them. */
export function addSourceOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--test-only', 'read only the held-out test participants'))
    .addOption(new Option('--train-only', 'read only the training participants'))
    .addOption(new Option('--split-seed <n>', 'split on the fly with this seed when the source has no split manifest'))
    .addOption(new Option('--study <name...>', 'read only these studies'))
    .addOption(new Option('--max-text-chars <n>', withDefault('a transcript longer than this is an error', sourceConfigShape.maxTextChars)))
    .addOption(
      new Option(
        '--max-inflate-bytes <n>',
        withDefault('refuse a zip entry that inflates past this (zip-bomb guard)', sourceConfigShape.maxEntryBytes),
      ),
    );
}

export function parseInteger(value: unknown, flag: string): number {
  const n = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isSafeInteger(n)) {
    throw new UsageError(`${flag} expects an integer, found ${JSON.stringify(value)}`);
  }
  return n;
}

/** An integer flag when given, else undefined (so the schema's default, or a config file's value, applies). */
export function integerFlag(opts: Record<string, unknown>, key: string, flag: string): number | undefined {
  return opts[key] === undefined ? undefined : parseInteger(opts[key], flag);
}

/** Keep only the entries whose value is defined: the flags actually given. */
export function definedEntries<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

/** The source options given as flags (only those given), as configuration keys. */
export function sourceFlags(opts: Record<string, unknown>): Partial<SourceConfig> {
  if (opts['testOnly'] && opts['trainOnly']) throw new UsageError('--test-only and --train-only exclude each other');
  return definedEntries({
    select: opts['testOnly'] ? ('test' as const) : opts['trainOnly'] ? ('train' as const) : undefined,
    splitSeed: integerFlag(opts, 'splitSeed', '--split-seed'),
    studies: Array.isArray(opts['study']) ? (opts['study'] as string[]) : undefined,
    maxTextChars: integerFlag(opts, 'maxTextChars', '--max-text-chars'),
    maxEntryBytes: integerFlag(opts, 'maxInflateBytes', '--max-inflate-bytes'),
  });
}

/** Turn parsed flags into ReadOptions (the defaults from the schema). */
export function readOptionsFrom(opts: Record<string, unknown>): ReadOptions {
  const parsed = sourceConfigSchema.safeParse(sourceFlags(opts));
  if (!parsed.success) throw new UsageError(describeConfigError(parsed.error, 'options'));
  return toReadOptions(parsed.data);
}

/** The compute backend option shared by commands that load a GGUF model. */
export function gpuOption(): Option {
  return new Option('--gpu <gpu>', withDefault('compute backend', ggufModelSchema.shape.gpu)).choices(GPU_CHOICES);
}

/** llama.cpp flash attention, for `eval` and `serve` (default: see LlamaCppOptions and docs/backends.md). */
export function flashAttentionOption(): Option {
  return new Option(
    '--flash-attention <on|off>',
    "llama.cpp flash attention (default: the engine's auto, on where supported; off + --kv-cache-type f32 is exact)",
  ).choices(['on', 'off']);
}

/** KV cache element type, for `eval` and `serve`. */
export function kvCacheTypeOption(): Option {
  return new Option(
    '--kv-cache-type <type>',
    'KV cache element type (default: f16; f32 with flash attention off is exact, what eval --policy reference uses)',
  ).choices([...KV_CACHE_TYPES]);
}

/** The engine options given on the command line, ready for a gguf model spec. */
export function readEngineOptions(opts: Record<string, unknown>): { flashAttention?: boolean; kvCacheType?: KvCacheType } {
  return {
    ...(opts['flashAttention'] !== undefined && { flashAttention: opts['flashAttention'] === 'on' }),
    ...(opts['kvCacheType'] !== undefined && { kvCacheType: opts['kvCacheType'] as KvCacheType }),
  };
}
