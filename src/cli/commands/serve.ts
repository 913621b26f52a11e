import type { Command } from 'commander';
import { LlamaCppBackend } from '../../backends/LlamaCppBackend.js';
import type { GpuChoice } from '../../backends/loadLlama.js';
import { UsageError } from '../../errors.js';
import { createScoringServer } from '../../server/createScoringServer.js';
import { flashAttentionOption, kvCacheTypeOption, parseInteger, readEngineOptions, gpuOption } from '../sourceOptions.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .summary('serve a GGUF model over a vLLM-compatible scoring API')
    .description('Expose an embedded GGUF model as a vLLM-compatible server: /v1/completions with prompt_logprobs (token ids or text),\n/tokenize, /detokenize, /v1/models, /health. It scores prompts and does not generate. Binds 127.0.0.1 unless told.')
    .requiredOption('--model <gguf>', 'GGUF file or hf:<user>/<repo>/<file>.gguf')
    .option('--host <host>', 'address to bind (0.0.0.0 to share on a network)', '127.0.0.1')
    .option('--port <n>', 'port (0 picks a free one)', '8000')
    .option('--served-model-name <name>', 'model name clients send (default: the file name)')
    .option('--context-size <n>', 'largest prompt in tokens (default: the model training context, at most 32768)')
    .option('--threads <n>', 'CPU threads')
    .addOption(flashAttentionOption())
    .addOption(kvCacheTypeOption())
    .addOption(gpuOption())
    .option('--max-queue <n>', 'requests waiting at most; more get HTTP 503', '64')
    .option('--max-body-bytes <n>', 'largest request body', String(16 * 1024 * 1024))
    .addHelpText('after', '\nExamples:\n  $ humanlike serve --model model.gguf --port 8000\n  $ humanlike eval data --endpoint http://127.0.0.1:8000')
    .action(async (opts: Record<string, string | undefined>) => {
      const port = parseInteger(opts['port'], '--port');
      if (port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, found ${port}`);
      const backend = await LlamaCppBackend.create({
        model: String(opts['model']),
        gpu: opts['gpu'] as GpuChoice,
        ...(opts['contextSize'] !== undefined && { contextSize: parseInteger(opts['contextSize'], '--context-size') }),
        ...(opts['threads'] !== undefined && { threads: parseInteger(opts['threads'], '--threads') }),
        ...readEngineOptions(opts),
      });
      const modelName = opts['servedModelName'] ?? backend.identity.name;
      const { server, drain } = createScoringServer(backend, {
        modelName,
        maxQueue: parseInteger(opts['maxQueue'], '--max-queue'),
        maxBodyBytes: parseInteger(opts['maxBodyBytes'], '--max-body-bytes'),
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', (e) => reject(new UsageError(`cannot listen on ${opts['host']}:${port}: ${e.message}`)));
        server.listen(port, opts['host'], resolve);
      });
      const address = server.address();
      const actualPort = typeof address === 'object' && address ? address.port : port;
      process.stdout.write(`humanlike serve: listening on http://${opts['host']}:${actualPort} (model ${modelName}, context ${backend.capabilities.contextSize})\n`);
      // Graceful shutdown: stop accepting, finish the queued requests, free the model.
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.stdout.write('humanlike serve: shutting down after the requests in progress\n');
          server.close();
          server.closeIdleConnections();
          void drain().then(() => backend.close()).then(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
