/**
 * Child process of the speed bench (one engine per process, so each peak RSS is its own):
 *   node speedChild.js REQUEST.json  →  one JSON line {loadMs, results: [{ms, logprobs}], maxRssMb}
 * REQUEST: {mode: 'ours' | 'floor', model, threads, contextSize, engine: {flashAttention, kvCacheType, batchSize}, requests}
 * 'ours' is humanlike's scoring path (LlamaCppBackend.scoreTokens); 'floor' is node-llama-cpp alone with the same
 * context options, evaluating the same tokens with no outputs at all.
 */
import { readFileSync } from 'node:fs';
import type { ScoreRequest } from '../src/backends/Backend.js';
import { LlamaCppBackend, type LlamaCppOptions } from '../src/backends/LlamaCppBackend.js';

export interface SpeedChildRequest {
  mode: 'ours' | 'floor';
  model: string;
  threads: number;
  contextSize: number;
  engine: Pick<LlamaCppOptions, 'flashAttention' | 'kvCacheType' | 'batchSize'>;
  requests: { tokens: readonly number[]; positions: readonly number[] }[];
}

export interface SpeedChildResult {
  loadMs: number;
  results: { ms: number; cpuMs: number; logprobs: number[] }[];
  maxRssMb: number;
}

/** CPU time (user + system, all threads) since `start`: less sensitive than wall time to other load on the machine. */
function cpuMs(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

async function runOurs(r: SpeedChildRequest): Promise<Omit<SpeedChildResult, 'maxRssMb'>> {
  const t0 = performance.now();
  const backend = await LlamaCppBackend.create({ model: r.model, gpu: 'cpu', threads: r.threads, contextSize: r.contextSize, ...r.engine });
  const loadMs = performance.now() - t0;
  const first = r.requests[0];
  if (first) await backend.scoreTokens([{ tokens: first.tokens.slice(0, 16), positions: [1] }]); // warm-up, untimed
  const results = [];
  for (const q of r.requests) {
    const t1 = performance.now();
    const c1 = process.cpuUsage();
    const [scores] = await backend.scoreTokens([q satisfies ScoreRequest]);
    results.push({ ms: performance.now() - t1, cpuMs: cpuMs(c1), logprobs: (scores ?? []).map((s) => s.logprob) });
  }
  await backend.close();
  return { loadMs, results };
}

async function runFloor(r: SpeedChildRequest): Promise<Omit<SpeedChildResult, 'maxRssMb'>> {
  const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
  const t0 = performance.now();
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error, progressLogs: false });
  const model = await llama.loadModel({ modelPath: r.model });
  const kv = r.engine.kvCacheType;
  const context = await model.createContext({
    contextSize: r.contextSize,
    sequences: 1,
    threads: r.threads,
    batchSize: r.engine.batchSize ?? Math.min(r.contextSize, 512), // LlamaCppBackend's CPU default
    ...(r.engine.flashAttention !== undefined && { flashAttention: r.engine.flashAttention }),
    ...(kv !== undefined && {
      experimentalKvCacheKeyType: kv.toUpperCase() as never,
      experimentalKvCacheValueType: kv.toUpperCase() as never,
    }),
  });
  const sequence = context.getSequence();
  const loadMs = performance.now() - t0;
  await sequence.controlledEvaluate((r.requests[0]?.tokens ?? []).slice(0, 16) as never); // warm-up, untimed
  const results = [];
  for (const q of r.requests) {
    const t1 = performance.now();
    const c1 = process.cpuUsage();
    await sequence.clearHistory();
    await sequence.controlledEvaluate(q.tokens as never);
    results.push({ ms: performance.now() - t1, cpuMs: cpuMs(c1), logprobs: [] });
  }
  await context.dispose();
  await model.dispose();
  return { loadMs, results };
}

const file = process.argv[2];
if (!file) throw new Error('usage: speedChild REQUEST.json');
const request = JSON.parse(readFileSync(file, 'utf8')) as SpeedChildRequest;
const out = request.mode === 'ours' ? await runOurs(request) : await runFloor(request);
process.stdout.write(JSON.stringify({ ...out, maxRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n');
