import { createServer, type Server } from 'node:http';
import type { Backend, TokenScore } from '../../src/backends/Backend.js';
import { type FakeServer, listenFake } from './fakeScoringServer.js';

/**
 * An SGLang-compatible fake on loopback that scores with a real engine (a LlamaCppBackend in this process): answers
 * `/get_model_info` and `/generate` with `return_logprob`, `logprob_start_len: 0`, `top_logprobs_num: 1` and
 * `token_ids_logprob`, in SGLang's shapes (`[logprob, id, text]` triples, a null first position). The engine reports
 * top-1 as a flag only, so a non-top-1 position gets a stand-in top entry (another id, a higher log-probability).
 * Requests are scored one at a time (the engine has one sequence).
 */
export async function startFakeSglang(
  backend: Backend,
  o: {
    model?: string /** An SGLang too old for token_ids_logprob: 'ignore' it, or 'reject' it with a 400. */;
    old?: 'ignore' | 'reject';
  } = {},
): Promise<FakeServer> {
  const model = o.model ?? 'fake-sglang';
  let n = 0;
  let queue: Promise<unknown> = Promise.resolve();
  const score = (tokens: number[], ids: number[]): Promise<TokenScore[]> => {
    const positions = tokens.map((_, i) => i).slice(1);
    const alternatives = new Map(positions.map((p) => [p, ids]));
    const next = queue.then(() => backend.scoreTokens([{ tokens, positions, ...(ids.length > 0 && { alternatives }) }]));
    queue = next.catch(() => undefined);
    return next.then((r) => r[0]!);
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const json = (status: number, v: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(v));
      };
      if (req.url === '/get_model_info') return json(200, { model_path: model, is_generation: true });
      if (req.url !== '/generate') return json(404, { error: 'not found' });
      n++;
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { input_ids: number[]; token_ids_logprob?: number[] };
      const tokens = body.input_ids;
      if (o.old === 'reject' && body.token_ids_logprob) return json(400, { error: "unexpected keyword argument 'token_ids_logprob'" });
      const ids = o.old === 'ignore' ? [] : (body.token_ids_logprob ?? []);
      score(tokens, ids).then(
        (scores) =>
          json(200, {
            text: '',
            meta_info: {
              prompt_tokens: tokens.length,
              input_token_logprobs: [[null, tokens[0], null], ...scores.map((s, i) => [s.logprob, tokens[i + 1], null])],
              input_top_logprobs: [
                null,
                ...scores.map((s, i) => [s.top1 ? [s.logprob, tokens[i + 1], null] : [s.logprob / 2, tokens[i + 1]! + 1, null]]),
              ],
              ...(ids.length > 0 && {
                input_token_ids_logprobs: [null, ...scores.map((s) => ids.map((id, k) => [s.alternatives![k], id, null]))],
              }),
            },
          }),
        (e: unknown) => json(500, { error: String(e) }),
      );
    });
  });
  return listenFake(server, () => n);
}
