/**
 * Speed at a realistic model size: humanlike's scoring path (LlamaCppBackend) vs the bare llama.cpp floor
 * (node-llama-cpp alone, same options, no outputs) vs a PyTorch peer (HF transformers, CPU, fp32, batch 1) on the
 * same token sequences: one real long transcript cut to each length bucket. Each engine runs in its own process, so
 * its peak RSS is its own. The model is a random-weight GGUF in Qwen2.5-0.5B's shape (bench/makeBenchModels.py).
 *
 *   node dist/bench/speedBench.js [--buckets 1000,4000,10000,20000] [--model 0.5b-f16|0.5b-bf16|0.5b-q8_0|1.5b-…] [--no-peer] [--no-floor] [--reps N]
 *   node dist/bench/speedBench.js --sweep 4000 [--batches 512]   engine options at one length: speed, deviation from exact
 *   node dist/bench/speedBench.js --sweep 2000 --model ../shared/models/stories260K.gguf --context 2048   (a trained model)
 *
 * Python: $HUMANLIKE_BENCH_PYTHON (default python3) with bench/requirements.txt installed; the peer and the model
 * generator are skipped with a message when it lacks them. Models go to $HUMANLIKE_CACHE/bench-models.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Backend, ScoreRequest, Tokenizer } from '../src/backends/Backend.js';
import { createLlamaTokenizer } from '../src/backends/LlamaTokenizer.js';
import { loadGgufModel, loadLlama } from '../src/backends/loadLlama.js';
import { readTranscripts } from '../src/data/readTranscripts.js';
import type { Transcript } from '../src/data/types.js';
import type { StudyProfile } from '../src/scoring/studyProfile.js';
import { TokenScorer } from '../src/scoring/TokenScorer.js';
import { cacheDir } from '../src/util/cacheDir.js';
import { hasModels, hasPsych201, makeTempDir, psych201Dir, repoRoot } from '../test/helpers/paths.js';
import { reportBench } from './benchUtil.js';
import type { SpeedChildRequest, SpeedChildResult } from './speedChild.js';

type Engine = NonNullable<SpeedChildRequest['engine']>;
const PYTHON = process.env['HUMANLIKE_BENCH_PYTHON'] ?? 'python3';
const STUDIES = ['shahar2019twosteptask', 'spektor2024lossaversion'];
let CONTEXT = 32_768; // humanlike's default window for models trained on long contexts; --context changes it
const THREADS = 2;

const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

/** The bench model, generated on first use; undefined (with a message) when Python lacks the gguf package. */
function benchModel(name: string): string | undefined {
  if (name.endsWith('.gguf')) return name;
  const path = join(cacheDir(), 'bench-models', `bench-${name}.gguf`);
  if (existsSync(path)) return path;
  const [shape, type] = name.split('-');
  const r = spawnSync(
    PYTHON,
    [join(repoRoot, 'bench', 'makeBenchModels.py'), join(cacheDir(), 'bench-models'), '--shapes', shape ?? '', '--types', type ?? ''],
    { stdio: 'inherit' },
  );
  if (r.status !== 0 || !existsSync(path)) {
    console.log(`speed bench skipped: cannot build ${path} (install bench/requirements.txt into ${PYTHON} or set HUMANLIKE_BENCH_PYTHON)`);
    return undefined;
  }
  return path;
}

/** The longest transcript of the studies (dezfouli-like two-step and loss-aversion tasks). */
async function longestTranscript(): Promise<Transcript> {
  let best: Transcript | undefined;
  for await (const { transcript: t } of readTranscripts(psych201Dir, { studies: STUDIES })) {
    if (t && (!best || t.text.length > best.text.length)) best = t;
  }
  if (!best) throw new Error('no transcript found');
  return best;
}

/** The transcript cut after the last response that ends within `maxTokens` tokens (BOS included). */
async function cutToTokens(t: Transcript, tokenizer: Tokenizer, maxTokens: number): Promise<Transcript> {
  const tok = await tokenizer.tokenizeWithRanges(t.text, false);
  const spans = t.spans.filter((s) => {
    const endTok = tok.ends.findIndex((e) => e >= s.end + 2);
    return endTok >= 0 && endTok + 2 <= maxTokens;
  });
  const last = spans[spans.length - 1];
  if (!last) throw new Error(`no response within ${maxTokens} tokens`);
  return { ...t, text: t.text.slice(0, last.end + 2), spans };
}

/** The requests humanlike's TokenScorer sends for a transcript (raw format, one window), and its responses' sizes. */
async function scoringRequests(t: Transcript, tokenizer: Tokenizer): Promise<{ request: ScoreRequest; responseTokens: number[] }> {
  const log: ScoreRequest[] = [];
  const recorder: Backend = {
    identity: { name: 'recorder', kind: 'gguf' },
    capabilities: { contextSize: CONTEXT, chatTemplate: undefined, top1: true, alternatives: false, batchSequences: 1 },
    tokenizer,
    scoreTokens: (rs) => {
      log.push(...rs);
      return Promise.resolve(rs.map((r) => r.positions.map(() => ({ logprob: 0, top1: false }))));
    },
    close: () => Promise.resolve(),
  };
  const profile = {
    study: t.study,
    participants: 1,
    responses: t.spans.length,
    options: [],
    distinctResponses: 0,
    counts: new Map(),
    countsTotal: 0,
    countsIncludeEveryone: true,
    personas: [],
    personaIndex: new Map(),
  } as unknown as StudyProfile;
  const score = await new TokenScorer(recorder, { format: 'raw', policy: 'windowed' }).scoreParticipant(t, profile);
  if (log.length !== 1 || !log[0]) throw new Error(`expected one window, got ${log.length}`);
  return { request: log[0], responseTokens: score.rows.map((r) => r.nTokens) };
}

function runChild(req: SpeedChildRequest): SpeedChildResult {
  const file = join(makeTempDir('humanlike-speed-'), 'request.json');
  writeFileSync(file, JSON.stringify(req));
  const r = spawnSync(process.execPath, [fileURLToPath(new URL('./speedChild.js', import.meta.url)), file], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`speedChild ${req.mode}: ${r.stderr}`);
  return JSON.parse(r.stdout) as SpeedChildResult;
}

function runPeer(model: string, request: ScoreRequest): SpeedChildResult | undefined {
  const file = join(makeTempDir('humanlike-speed-'), 'peer.json');
  writeFileSync(file, JSON.stringify({ model, threads: THREADS, sequences: [{ tokens: request.tokens, positions: request.positions }] }));
  const r = spawnSync(PYTHON, [join(repoRoot, 'bench', 'torchPeer.py'), file], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) {
    console.log(`peer skipped: ${r.stderr.trim().split('\n').pop()}`);
    return undefined;
  }
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as SpeedChildResult;
}

/** Per-response deviation (nats, |Σ Δ log p| over a response's tokens) of `a` from the reference `b`. */
function deviation(a: number[], b: number[], responseTokens: number[]): { max: number; mean: number } {
  let cursor = 0;
  const devs = responseTokens.map((n) => {
    let d = 0;
    for (let i = cursor; i < cursor + n; i++) d += (a[i] ?? Number.NaN) - (b[i] ?? Number.NaN);
    cursor += n;
    return Math.abs(d);
  });
  return { max: Math.max(...devs), mean: devs.reduce((s, x) => s + x, 0) / devs.length };
}

async function prepare(
  modelPath: string,
  buckets: number[],
): Promise<{ bucket: number; request: ScoreRequest; responseTokens: number[] }[]> {
  const llama = await loadLlama('cpu');
  const vocab = await loadGgufModel(llama, modelPath, { vocabOnly: true });
  const tokenizer = createLlamaTokenizer(vocab, 'bench');
  const full = await longestTranscript();
  const out = [];
  for (const bucket of buckets) {
    const t = await cutToTokens(full, tokenizer, bucket);
    out.push({ bucket, ...(await scoringRequests(t, tokenizer)) });
  }
  await vocab.dispose();
  return out;
}

const tokS = (n: number, ms: number): number => Math.round((n / (ms / 1000)) * 10) / 10;

async function runBuckets(
  modelName: string,
  buckets: number[],
  engine: Engine,
  withPeer: boolean,
  withFloor: boolean,
  reps: number,
): Promise<void> {
  const model = benchModel(modelName);
  if (!model) return;
  const cases = await prepare(model, buckets);
  const rows: Record<string, string | number>[] = [];
  const loads: string[] = [load()];
  for (const c of cases) {
    const base = { model, threads: THREADS, contextSize: CONTEXT, engine, requests: [c.request] };
    // Repetitions interleave the three engines and keep each one's fastest: other load on a shared machine only slows.
    let ours: SpeedChildResult | undefined, floor: SpeedChildResult | undefined, peer: SpeedChildResult | undefined;
    const fastest = (a: SpeedChildResult | undefined, b: SpeedChildResult | undefined): SpeedChildResult | undefined =>
      !a ? b : !b ? a : a.results[0]!.ms <= b.results[0]!.ms ? a : b;
    for (let rep = 0; rep < reps; rep++) {
      ours = fastest(ours, runChild({ ...base, mode: 'ours' }));
      if (withFloor) floor = fastest(floor, runChild({ ...base, mode: 'floor' }));
      if (withPeer) peer = fastest(peer, runPeer(model, c.request));
    }
    if (!ours) throw new Error('no measurement');
    loads.push(load());
    const n = c.request.tokens.length;
    const o = ours.results[0]!,
      f = floor?.results[0],
      p = peer?.results[0];
    const dev = p ? deviation(o.logprobs, p.logprobs, c.responseTokens) : undefined;
    rows.push({
      bucket: `≤ ${c.bucket}`,
      tokens: n,
      responses: c.responseTokens.length,
      'ours tok/s': tokS(n, o.ms),
      'floor tok/s': f ? tokS(n, f.ms) : '',
      'peer tok/s': p ? tokS(n, p.ms) : '',
      'ours/floor': f ? (f.ms / o.ms).toFixed(3) : '',
      'ours/peer': p ? (p.ms / o.ms).toFixed(2) : '',
      'CPU-time ratios ours/floor, ours/peer': `${f ? (f.cpuMs / o.cpuMs).toFixed(3) : '-'}, ${p ? (p.cpuMs / o.cpuMs).toFixed(2) : '-'}`,
      'RSS MB ours/floor/peer': `${ours.maxRssMb.toFixed(0)}/${floor ? floor.maxRssMb.toFixed(0) : '-'}/${peer ? peer.maxRssMb.toFixed(0) : '-'}`,
      'mem ours/peer': peer ? (ours.maxRssMb / peer.maxRssMb).toFixed(2) : '',
      'Δ vs peer max/mean nats per response': dev ? `${dev.max.toFixed(4)}/${dev.mean.toFixed(4)}` : '',
      'load avg': loads[loads.length - 1]!,
    });
    console.log(JSON.stringify(rows[rows.length - 1]));
  }
  reportBench(`speed-${modelName.split('/').pop()}-${buckets.join('-')}`, rows, {
    model: modelName,
    reps,
    engine,
    threads: THREADS,
    contextSize: CONTEXT,
    loadAverages: loads,
  });
}

/** Engine options at one length: speed and deviation relative to the first configuration (the exact one). */
async function runSweep(modelName: string, bucket: number, configs: Engine[]): Promise<void> {
  const model = benchModel(modelName);
  if (!model) return;
  const [c] = await prepare(model, [bucket]);
  if (!c) return;
  const runs = configs.map((engine) => {
    const r = runChild({ mode: 'ours', model, threads: THREADS, contextSize: CONTEXT, engine, requests: [c.request] });
    console.log(JSON.stringify({ engine, ms: r.results[0]!.ms, cpuMs: r.results[0]!.cpuMs, rss: r.maxRssMb, load: load() }));
    return { engine, r };
  });
  const ref = runs[0]!.r.results[0]!;
  const n = c.request.tokens.length;
  const rows = runs.map(({ engine, r }) => {
    const x = r.results[0]!;
    const dev = deviation(x.logprobs, ref.logprobs, c.responseTokens);
    return {
      'flash attn': String(engine.flashAttention ?? 'auto'),
      'kv cache': engine.kvCacheType ?? 'f16',
      batch: engine.batchSize ?? Math.min(CONTEXT, 2048),
      'tok/s': tokS(n, x.ms),
      'speed vs first': (ref.ms / x.ms).toFixed(2),
      'CPU-time speed vs first': (ref.cpuMs / x.cpuMs).toFixed(2),
      'peak RSS MB': r.maxRssMb.toFixed(0),
      'Δ vs first max/mean nats per response': `${dev.max.toFixed(4)}/${dev.mean.toFixed(4)}`,
    };
  });
  reportBench(`speed-sweep-${modelName.split('/').pop()}-${bucket}`, rows, { tokens: n, threads: THREADS, loadAverage: load() });
}

export async function runSpeedBench(argv: string[] = []): Promise<void> {
  if (!hasModels || !hasPsych201) {
    console.log('speed bench skipped: ../shared models or psych201 not found');
    return;
  }
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const modelName = arg('--model') ?? '0.5b-f16';
  CONTEXT = Number(arg('--context') ?? CONTEXT);
  const sweep = arg('--sweep');
  if (sweep) {
    // --configs fa:kv:batch,... e.g. off:f32:512,on:f16:2048; the first is the reference (default: the exact one).
    const configs = (arg('--configs') ?? 'off:f32:512,off:f16:512,on:f16:512,on:f32:512,on:q8_0:512,off:f32:2048')
      .split(',')
      .map((c): Engine => {
        const [fa, kv, batch] = c.split(':');
        return { flashAttention: fa === 'on', kvCacheType: kv as Engine['kvCacheType'] & string, batchSize: Number(batch) };
      });
    await runSweep(modelName, Number(sweep), configs);
    return;
  }
  const buckets = (arg('--buckets') ?? '1000,4000,10000,20000').split(',').map(Number);
  await runBuckets(modelName, buckets, {}, !argv.includes('--no-peer'), !argv.includes('--no-floor'), Number(arg('--reps') ?? 1));
}

if (import.meta.url === `file://${process.argv[1]}`) await runSpeedBench(process.argv.slice(2));
