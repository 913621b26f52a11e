/**
 * Remote scoring: the client's overhead per scored token as a share of server time (the same requests replayed
 * with bare fetch, one at a time), and throughput with 1, 2 and 4 `humanlike serve` endpoints on loopback (ratio to
 * one endpoint). Every server runs one thread: on a 2-core machine the ceiling is 2× whatever the endpoint count.
 */
import { join } from 'node:path';
import type { Backend, ScoreRequest } from '../src/backends/Backend.js';
import { remoteProtocol } from '../src/backends/remote/protocols/protocolRegistry.js';
import { RemoteBackend } from '../src/backends/remote/RemoteBackend.js';
import { evalConfigSchema } from '../src/eval/evalConfig.js';
import { evaluate } from '../src/eval/evaluate.js';
import { TokenScorer } from '../src/scoring/TokenScorer.js';
import { hasModels, hasPsych201, makeTempDir, modelsDir } from '../test/helpers/paths.js';
import { writeRealSubset } from '../test/helpers/realSubset.js';
import { type ServeProcess, startServe } from '../test/helpers/startServe.js';
import { reportBench, timeMs } from './benchUtil.js';

const MODEL = join(modelsDir, 'stories260K.gguf');

export async function runRemoteBench(): Promise<void> {
  if (!hasModels || !hasPsych201) {
    console.log('remote bench skipped: ../shared models or psych201 not found');
    return;
  }
  const { dir } = await writeRealSubset({
    studies: ['thoma2025problearn', 'franke2024bayesian', 'guenther2024substitutions'],
    perStudy: 8,
    maxChars: 2000,
  });
  const servers: ServeProcess[] = [];
  const rows: Record<string, string | number>[] = [];
  try {
    for (let i = 0; i < 4; i++)
      servers.push(await startServe(['--model', MODEL, '--context-size', '1024', '--gpu', 'cpu', '--threads', '1']));
    // 1. Client overhead: one endpoint, one request at a time, against the same requests sent with bare fetch.
    const remote = await RemoteBackend.create({
      endpoints: [{ url: servers[0]!.url, concurrency: 1 }],
      protocol: 'vllm',
      tokenizer: MODEL,
    });
    const log: ScoreRequest[] = [];
    const recording: Backend = {
      identity: remote.identity,
      capabilities: remote.capabilities,
      tokenizer: remote.tokenizer,
      close: () => remote.close(),
      scoreTokens: (r) => {
        log.push(...r);
        return remote.scoreTokens(r);
      },
    };
    const scorer = new TokenScorer(recording, { format: 'raw', policy: 'windowed', concurrency: 1 });
    const config = evalConfigSchema.parse({
      source: dir,
      db: join(makeTempDir(), 'c.duckdb'),
      model: { kind: 'remote', endpoints: [{ url: servers[0]!.url, concurrency: 1 }], tokenizer: MODEL },
    });
    const ours = await timeMs(() => evaluate(config, { scorer }));
    const tokens = log.reduce((n, r) => n + r.tokens.length, 0);
    const scored = log.reduce((n, r) => n + r.positions.length, 0);
    const floor = await timeMs(async () => {
      for (const r of log) {
        const spec = remoteProtocol('vllm').buildRequest(remote.identity.name, r.tokens, undefined);
        await (
          await fetch(servers[0]!.url + spec.path, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(spec.body),
          })
        ).json();
      }
    });
    rows.push({ measure: 'server time (bare fetch, same requests)', value: `${floor.toFixed(0)} ms for ${tokens} tokens` });
    rows.push({ measure: 'humanlike eval, same requests, concurrency 1', value: `${ours.toFixed(0)} ms` });
    rows.push({ measure: 'client overhead per prompt token sent', value: `${(((ours - floor) / tokens) * 1000).toFixed(1)} µs` });
    rows.push({
      measure: 'client overhead per scored (response) token',
      value: `${(((ours - floor) / scored) * 1000).toFixed(1)} µs (${scored} scored tokens; includes the run's fixed costs)`,
    });
    rows.push({ measure: 'client overhead as share of server time', value: ((ours - floor) / floor).toFixed(3) });
    // 2. Throughput with 1, 2, 4 endpoints (two requests in flight per endpoint).
    let one = 0;
    for (const n of [1, 2, 4]) {
      const c = evalConfigSchema.parse({
        source: dir,
        db: join(makeTempDir(), `t${n}.duckdb`),
        model: { kind: 'remote', endpoints: servers.slice(0, n).map((s) => ({ url: s.url, concurrency: 2 })), tokenizer: MODEL },
      });
      let tok = 0;
      const ms = await timeMs(async () => {
        tok = (await evaluate(c)).stats.tokensEvaluated;
      });
      const tps = tok / (ms / 1000);
      if (n === 1) one = tps;
      rows.push({ measure: `${n} endpoint(s): tokens/s, ratio to 1`, value: `${Math.round(tps)}  ${(tps / one).toFixed(2)}×` });
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
  reportBench('remote', rows, { note: 'each serve process uses 1 thread; on 2 cores the ceiling is 2x' });
}

if (import.meta.url === `file://${process.argv[1]}`) await runRemoteBench();
