import { getLlama, LlamaLogLevel, type LlamaModel } from 'node-llama-cpp';

/**
 * An independent teacher-forced computation: full logits at every position, log-softmax in float64, and token
 * character ranges from detokenizing every growing prefix. It shares nothing with humanlike's scoring path.
 */
export async function loadDirectModel(path: string): Promise<{ model: LlamaModel; dispose: () => Promise<void> }> {
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath: path });
  return { model, dispose: () => model.dispose() };
}

/**
 * log P(tokens[i] | tokens[<i]) for every i ≥ 1, by softmax over all logits. `exact`: F32 KV cache and no flash
 * attention (an fp32 computation); otherwise the engine's own defaults.
 */
export async function directLogprobs(
  model: LlamaModel,
  tokens: number[],
  contextSize: number,
  o: { exact?: boolean } = {},
): Promise<number[]> {
  const llama = model.llama;
  const exact = o.exact ? ({ flashAttention: false, experimentalKvCacheKeyType: 'F32', experimentalKvCacheValueType: 'F32' } as const) : {};
  const ctx = await model.createContext({ contextSize, threads: llama.cpuMathCores, sequences: 1, ...exact });
  try {
    const seq = ctx.getSequence();
    const items = tokens.map((t, i) => (i < tokens.length - 1 ? [t, { generateNext: { logits: true } }] : t));
    const res = await seq.controlledEvaluate(items as never);
    const out: number[] = [Number.NaN];
    for (let i = 1; i < tokens.length; i++) {
      const logits = res[i - 1]?.next?.logits;
      if (!logits) throw new Error(`no logits at ${i}`);
      let max = -Infinity;
      for (const v of logits.values()) if (v > max) max = v;
      let sum = 0;
      for (const v of logits.values()) sum += Math.exp(v - max);
      out.push((logits.get(tokens[i] as never) as number) - max - Math.log(sum));
    }
    return out;
  } finally {
    await ctx.dispose();
  }
}

/** Character range of each token by detokenizing growing prefixes (exact, quadratic). */
export function prefixRanges(model: LlamaModel, tokens: number[]): [number, number][] {
  const ranges: [number, number][] = [];
  let prev = 0;
  for (let k = 0; k < tokens.length; k++) {
    const len = model.detokenize(tokens.slice(0, k + 1) as never).replace(/\uFFFD+$/, '').length;
    ranges.push([prev, Math.max(prev, len)]);
    prev = Math.max(prev, len);
  }
  // A token that completes no character yet (part of a multi-byte character) belongs to the character it starts.
  for (let k = ranges.length - 2; k >= 0; k--) {
    const [s, e] = ranges[k]!;
    const next = ranges[k + 1]!;
    if (s === e && next[0] === s) ranges[k] = [s, next[1]];
  }
  return ranges;
}
