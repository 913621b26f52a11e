import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { probeServedModelName } from '../backends/remote/probeServedModel.js';
import { remoteProtocol } from '../backends/remote/protocols/protocolRegistry.js';
import { fingerprintFile, fingerprintSource } from '../data/fingerprintSource.js';
import { CONTEXT_POLICY_IDS, STRADDLE_POLICY_ID } from '../prompts/types.js';
import { RECORD_VERSION } from '../store/schema.js';
import type { EvalConfig, ModelSpec } from './evalConfig.js';

/** Version of the key's own layout: bump it when a field is added or changes meaning. */
const RUN_KEY_VERSION = 2;

/** What identifies the model without loading it: the file (path, size, mtime), the servers, or the baseline. */
async function modelKey(m: ModelSpec): Promise<unknown> {
  switch (m.kind) {
    case 'baseline':
      return { kind: m.kind, name: m.name };
    case 'gguf':
      return {
        kind: m.kind,
        contextSize: m.contextSize ?? null,
        flashAttention: m.flashAttention ?? null,
        kvCacheType: m.kvCacheType ?? null,
        file: m.path.startsWith('hf:') ? m.path : await fingerprintFile(m.path).catch(() => resolve(m.path)),
      };
    case 'remote':
      return {
        kind: m.kind,
        protocol: m.protocol,
        contextSize: m.contextSize ?? null,
        servedModel:
          m.servedModel ??
          (await probeServedModelName(
            m.protocol,
            m.endpoints.map((e) => e.url),
            { timeoutMs: 10_000, apiKey: process.env[m.apiKeyEnv] },
          )) ??
          null,
        tokenizer: m.tokenizer ? await fingerprintFile(m.tokenizer).catch(() => resolve(m.tokenizer!)) : 'server',
        // A protocol that stores choice distributions makes other rows than one that cannot (never mixed in one run);
        // only added when true, so the keys of runs over protocols without them are unchanged.
        ...(remoteProtocol(m.protocol).alternatives && { choiceDistributions: true }),
      };
  }
}

/**
 * The key that finds a run again: a hash of versioned identifiers of everything that defines it (the data's files,
 * the selection, the model's file or served name, format, policy and straddle rule ids, seeds, limits), computed without
 * reading the data or loading the model (a server is only asked for its model's name). Options that do not change
 * results (threads, GPU, batch size, endpoints, concurrency, timeouts) are not part of it.
 */
export async function computeRunKey(config: EvalConfig): Promise<string> {
  const key = {
    version: RUN_KEY_VERSION,
    // Rows of another record version mean other things: such a run is never resumed or returned as complete.
    recordVersion: RECORD_VERSION,
    source: resolve(config.source),
    sourceFiles: await fingerprintSource(config.source, { ...(config.studies && { studies: config.studies }) }),
    select: config.select,
    splitSeed: config.splitSeed ?? null,
    studies: config.studies ?? null,
    maxTextChars: config.maxTextChars,
    model: await modelKey(config.model),
    format: config.format,
    policy: CONTEXT_POLICY_IDS[config.policy],
    straddle: STRADDLE_POLICY_ID,
    personaSeed: config.personaSeed,
  };
  return createHash('sha256').update(JSON.stringify(key)).digest('hex');
}
