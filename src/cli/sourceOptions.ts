import { Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import type { ReadOptions } from '../data/readTranscripts.js';
import { KV_CACHE_TYPES, type KvCacheType } from '../backends/LlamaCppBackend.js';

/** The options every command that reads a source accepts. */
export function addSourceOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--test-only', 'read only the held-out test participants'))
    .addOption(new Option('--train-only', 'read only the training participants'))
    .addOption(new Option('--split-seed <n>', 'split on the fly with this seed when the source has no split manifest'))
    .addOption(new Option('--study <name...>', 'read only these studies'))
    .addOption(new Option('--max-text-chars <n>', 'a transcript longer than this is an error').default('1000000'))
    .addOption(new Option('--max-inflate-bytes <n>', 'refuse a zip entry that inflates past this (zip-bomb guard)').default(String(8 * 1024 ** 3)));
}

export function parseInteger(value: unknown, flag: string): number {
  const n = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isSafeInteger(n)) {
    throw new UsageError(`${flag} expects an integer, found ${JSON.stringify(value)}`);
  }
  return n;
}

/** Turn parsed flags into ReadOptions. */
export function readOptionsFrom(opts: Record<string, unknown>): ReadOptions {
  if (opts['testOnly'] && opts['trainOnly']) throw new UsageError('--test-only and --train-only exclude each other');
  const read: ReadOptions = {
    select: opts['testOnly'] ? 'test' : opts['trainOnly'] ? 'train' : 'all',
    maxTextChars: parseInteger(opts['maxTextChars'], '--max-text-chars'),
    maxEntryBytes: parseInteger(opts['maxInflateBytes'], '--max-inflate-bytes'),
  };
  if (opts['splitSeed'] !== undefined) read.splitSeed = parseInteger(opts['splitSeed'], '--split-seed');
  if (Array.isArray(opts['study'])) read.studies = opts['study'] as string[];
  return read;
}

/** The compute backend option shared by commands that load a GGUF model. */
export function gpuOption(): Option {
  return new Option('--gpu <gpu>', 'compute backend').choices(['auto', 'cpu', 'cuda', 'metal', 'vulkan']).default('auto');
}

/** llama.cpp flash attention, for `eval` and `serve` (default: see LlamaCppOptions and docs/backends.md). */
export function flashAttentionOption(): Option {
  return new Option('--flash-attention <on|off>', "llama.cpp flash attention (default: the engine's auto, on where supported; off + --kv-cache-type f32 is exact)").choices(['on', 'off']);
}

/** KV cache element type, for `eval` and `serve`. */
export function kvCacheTypeOption(): Option {
  return new Option('--kv-cache-type <type>', 'KV cache element type (default: f16; f32 with flash attention off is exact, what eval --policy reference uses)').choices([...KV_CACHE_TYPES]);
}

/** The engine options given on the command line, ready for a gguf model spec. */
export function readEngineOptions(opts: Record<string, unknown>): { flashAttention?: boolean; kvCacheType?: KvCacheType } {
  return {
    ...(opts['flashAttention'] !== undefined && { flashAttention: opts['flashAttention'] === 'on' }),
    ...(opts['kvCacheType'] !== undefined && { kvCacheType: opts['kvCacheType'] as KvCacheType }),
  };
}
