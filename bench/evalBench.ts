/**
 * End-to-end eval throughput on real transcripts with the real stories260K GGUF, against the engine's own floor:
 * the very same token windows through node-llama-cpp with no outputs at all, same threads. Also the share of the
 * run spent in alignment (render, tokenize with offsets, align, plan windows) and in storage, and how the ratio moves
 * with transcript length and the engine batch size.
 */
import { join } from 'node:path';
import type { Backend, ScoreRequest } from '../src/backends/Backend.js';
import { LlamaCppBackend } from '../src/backends/LlamaCppBackend.js';
import { tokenizeWithOffsets } from '../src/backends/tokenizeWithOffsets.js';
import type { Transcript } from '../src/data/types.js';
import { evalConfigSchema } from '../src/eval/evalConfig.js';
import { evaluate } from '../src/eval/evaluate.js';
import { renderPrompt } from '../src/prompts/renderPrompt.js';
import { alignSpans } from '../src/scoring/alignSpans.js';
import { planWindows } from '../src/scoring/planWindows.js';
import { TokenScorer } from '../src/scoring/TokenScorer.js';
import { hasModels, hasPsych201, makeTempDir, modelsDir } from '../test/helpers/paths.js';
import { writeRealSubset } from '../test/helpers/realSubset.js';
import { median, reportBench, timeMs } from './benchUtil.js';

const MODEL = join(modelsDir, 'stories260K.gguf');

/** A backend wrapper that records every request (to replay them through the floor). */
function recording(backend: Backend, log: ScoreRequest[]): Backend {
  return {
    identity: backend.identity,
    capabilities: backend.capabilities,
    tokenizer: backend.tokenizer,
    scoreTokens: (r) => {
      log.push(...r);
      return backend.scoreTokens(r);
    },
    close: () => Promise.resolve(),
  };
}

async function measure(
  dir: string,
  backend: LlamaCppBackend,
  transcripts: Transcript[],
): Promise<{ ours: number; floor: number; tokens: number; align: number; setup: number }> {
  const ours: number[] = [];
  const floor: number[] = [];
  let tokens = 0;
  let requests: ScoreRequest[] = [];
  for (let rep = 0; rep < 3; rep++) {
    requests = [];
    const scorer = new TokenScorer(recording(backend, requests), { format: 'raw', policy: 'windowed' });
    const config = evalConfigSchema.parse({ source: dir, db: join(makeTempDir(), 'bench.duckdb'), model: { kind: 'gguf', path: MODEL } });
    ours.push(await timeMs(() => evaluate(config, { scorer })));
    tokens = requests.reduce((n, r) => n + r.tokens.length, 0);
    floor.push(
      await timeMs(async () => {
        for (const r of requests) await backend.evaluateOnly(r.tokens);
      }),
    );
  }
  // Alignment alone: render, tokenize with offsets, align, plan windows.
  const align = await timeMs(async () => {
    for (const t of transcripts) {
      const r = renderPrompt(t, { format: 'raw', policy: 'windowed' });
      const tok = tokenizeWithOffsets(backend.tokenizer, r.text);
      const a = alignSpans(t.spans, tok.starts, tok.ends);
      planWindows(
        tok.tokens.length + 1,
        a.map((x) => ({ first: x.first + 1, last: x.last + 1 })),
        backend.capabilities.contextSize,
        1,
      );
    }
  });
  // Fixed per-run cost: the same run with a weightless scorer (profile pass, database, run record, row writes).
  const setups: number[] = [];
  for (let i = 0; i < 3; i++)
    setups.push(
      await timeMs(() =>
        evaluate(
          evalConfigSchema.parse({ source: dir, db: join(makeTempDir(), 'setup.duckdb'), model: { kind: 'baseline', name: 'uniform' } }),
        ),
      ),
    );
  const setup = median(setups);
  return { ours: median(ours), floor: median(floor), tokens, align, setup };
}

export async function runEvalBench(): Promise<void> {
  if (!hasModels || !hasPsych201) {
    console.log('eval bench skipped: ../shared models or psych201 not found');
    return;
  }
  const studies = ['thoma2025problearn', 'franke2024bayesian', 'guenther2024substitutions', 'spektor2024lossaversion'];
  const rows: Record<string, string | number>[] = [];
  const backend = await LlamaCppBackend.create({ model: MODEL, gpu: 'cpu', contextSize: 512 });
  let main: Awaited<ReturnType<typeof measure>> | undefined;
  try {
    for (const maxChars of [1000, 2000, 4000]) {
      const { dir, transcripts } = await writeRealSubset({ studies, perStudy: 6, maxChars });
      const m = await measure(dir, backend, transcripts);
      if (maxChars === 2000) main = m;
      rows.push({
        case: `length ≤ ${maxChars} chars, batch 512`,
        tokens: m.tokens,
        'ours tok/s': Math.round(m.tokens / (m.ours / 1000)),
        'floor tok/s': Math.round(m.tokens / (m.floor / 1000)),
        'ratio (target ≥ 0.9)': (m.floor / m.ours).toFixed(3),
        'ratio excl. fixed setup': (m.floor / (m.ours - m.setup)).toFixed(3),
        'setup ms': m.setup.toFixed(0),
        'align share': (m.align / m.ours).toFixed(3),
      });
    }
  } finally {
    await backend.close();
  }
  const { dir, transcripts } = await writeRealSubset({ studies, perStudy: 6, maxChars: 2000 });
  for (const batchSize of [64, 128, 256]) {
    const b = await LlamaCppBackend.create({ model: MODEL, gpu: 'cpu', contextSize: 512, batchSize });
    try {
      const m = await measure(dir, b, transcripts);
      rows.push({
        case: `length ≤ 2000 chars, batch ${batchSize}`,
        tokens: m.tokens,
        'ours tok/s': Math.round(m.tokens / (m.ours / 1000)),
        'floor tok/s': Math.round(m.tokens / (m.floor / 1000)),
        'ratio (target ≥ 0.9)': (m.floor / m.ours).toFixed(3),
        'ratio excl. fixed setup': (m.floor / (m.ours - m.setup)).toFixed(3),
        'setup ms': m.setup.toFixed(0),
        'align share': (m.align / m.ours).toFixed(3),
      });
    } finally {
      await b.close();
    }
  }
  // Storage: the share of the run spent writing rows (baseline run = profile + read + store, no model).
  const base = evalConfigSchema.parse({
    source: dir,
    db: join(makeTempDir(), 'store.duckdb'),
    model: { kind: 'baseline', name: 'uniform' },
  });
  const storeMs = await timeMs(() => evaluate(base));
  rows.push({
    case: 'storage + data pass of the same run (baseline, no model)',
    tokens: '',
    'ours tok/s': '',
    'floor tok/s': '',
    'ratio (target ≥ 0.9)': '',
    'ratio excl. fixed setup': '',
    'setup ms': storeMs.toFixed(0),
    'align share': `store share ≤ ${(storeMs / (main?.ours ?? storeMs)).toFixed(3)}`,
  });
  reportBench('eval', rows, { transcripts: transcripts.length, model: 'stories260K.gguf', contextSize: 512 });
}

if (import.meta.url === `file://${process.argv[1]}`) await runEvalBench();
