import type { Command } from 'commander';
import { LlamaCppBackend } from '../../backends/LlamaCppBackend.js';
import type { GpuChoice } from '../../backends/loadLlama.js';
import { UsageError } from '../../errors.js';
import { describeConfigError } from '../../eval/evalConfig.js';
import { isLoopbackHost } from '../../server/createRequestGuard.js';
import { createScoringServer } from '../../server/createScoringServer.js';
import { type ServeConfig, serveConfigSchema, serveConfigShape } from '../../server/serveConfig.js';
import {
  definedEntries,
  flashAttentionOption,
  gpuOption,
  integerFlag,
  kvCacheTypeOption,
  parseInteger,
  readEngineOptions,
  withDefault,
} from '../sourceOptions.js';

type Opts = Record<string, string | boolean | undefined>;

/** The API key from --api-key-env or --api-key; refuse a non-loopback --host without one (unless told). */
function resolveApiKey(opts: Opts, host: string): string | undefined {
  const env = opts['apiKeyEnv'] as string | undefined;
  const flag = opts['apiKey'] as string | undefined;
  if (env !== undefined && flag !== undefined) throw new UsageError('give --api-key-env or --api-key, not both');
  const key = env !== undefined ? process.env[env] : flag;
  if (env !== undefined && !key) throw new UsageError(`--api-key-env ${env}: the environment variable ${env} is not set (or is empty)`);
  if (flag !== undefined && !key) throw new UsageError('--api-key is empty');
  // Clients send it as `Authorization: Bearer <key>`: a space, line ending or non-ASCII letter could never match.
  const bad = key?.search(/[^\x21-\x7e]/) ?? -1;
  if (bad >= 0)
    throw new UsageError(
      `${env !== undefined ? `$${env}` : '--api-key'} holds a character an HTTP header cannot carry at position ${bad + 1} (a line ending, a space, a control character or a non-ASCII letter): no client could send this key`,
    );
  if (!key && !isLoopbackHost(host) && opts['insecureNoAuth'] !== true) {
    throw new UsageError(
      `--host ${host} is not a loopback address: give --api-key-env NAME (or --api-key), or --insecure-no-auth to serve the network without authentication`,
    );
  }
  return key;
}

/** The serve flags given, validated by the schema (which supplies every default). */
function serveConfigFrom(opts: Opts): ServeConfig {
  const given = definedEntries({
    host: opts['host'] as string | undefined,
    port: integerFlag(opts, 'port', '--port'),
    maxQueue: integerFlag(opts, 'maxQueue', '--max-queue'),
    maxBodyBytes: integerFlag(opts, 'maxBodyBytes', '--max-body-bytes'),
    maxPromptChars: integerFlag(opts, 'maxPromptChars', '--max-prompt-chars'),
    maxConnections: integerFlag(opts, 'maxConnections', '--max-connections'),
    headersTimeoutMs: integerFlag(opts, 'headersTimeoutMs', '--headers-timeout-ms'),
    requestTimeoutMs: integerFlag(opts, 'requestTimeoutMs', '--request-timeout-ms'),
    shutdownGraceMs: integerFlag(opts, 'shutdownGraceMs', '--shutdown-grace-ms'),
  });
  const parsed = serveConfigSchema.safeParse(given);
  if (!parsed.success) throw new UsageError(describeConfigError(parsed.error, 'serve options'));
  return parsed.data;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'Expose an embedded GGUF model as a vLLM-compatible server: /v1/completions with prompt_logprobs (token ids or text),\n/tokenize, /detokenize, /v1/models, /health. It scores prompts and does not generate. Binds 127.0.0.1 unless told; any other address needs an API key (or --insecure-no-auth).',
    )
    .requiredOption('--model <gguf>', 'GGUF file or hf:<user>/<repo>/<file>.gguf')
    .option('--host <host>', withDefault('address to bind (0.0.0.0 to share on a network: needs an API key)', serveConfigShape.host))
    .option('--port <n>', withDefault('port (0 picks a free one)', serveConfigShape.port))
    .option('--served-model-name <name>', 'model name clients send (default: the file name)')
    .option('--context-size <n>', 'largest prompt in tokens (default: the model training context, at most 32768)')
    .option('--threads <n>', 'CPU threads')
    .addOption(flashAttentionOption())
    .addOption(kvCacheTypeOption())
    .addOption(gpuOption())
    .option('--api-key-env <name>', 'environment variable holding the API key clients must send as Authorization: Bearer')
    .option('--api-key <key>', 'the API key itself (other users can read it in the process list: prefer --api-key-env)')
    .option('--insecure-no-auth', 'allow a non-loopback --host without an API key')
    .option('--max-queue <n>', withDefault('requests waiting at most; more get HTTP 503', serveConfigShape.maxQueue))
    .option('--max-body-bytes <n>', withDefault('largest request body', serveConfigShape.maxBodyBytes))
    .option(
      '--max-prompt-chars <n>',
      withDefault('longest text prompt in characters (checked before tokenizing)', serveConfigShape.maxPromptChars),
    )
    .option(
      '--max-connections <n>',
      withDefault('open connections at most (at the cap the longest-waiting unserved one is closed)', serveConfigShape.maxConnections),
    )
    .option('--headers-timeout-ms <n>', withDefault('time to receive the request headers', serveConfigShape.headersTimeoutMs))
    .option('--request-timeout-ms <n>', withDefault('time to receive a whole request (not the scoring)', serveConfigShape.requestTimeoutMs))
    .option(
      '--shutdown-grace-ms <n>',
      withDefault('on SIGINT/SIGTERM, time requests in progress get before connections are closed', serveConfigShape.shutdownGraceMs),
    )
    .option('--log', 'one access-log line per request on stderr (method, path, status, ms, tokens)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ humanlike serve --model model.gguf --port 8000\n  $ humanlike eval data --endpoint http://127.0.0.1:8000\n  $ SERVE_KEY=... humanlike serve --model model.gguf --host 0.0.0.0 --api-key-env SERVE_KEY\n  $ HUMANLIKE_API_KEY=... humanlike eval data --endpoint http://gpubox:8000',
    )
    .action(async (opts: Opts) => {
      const config = serveConfigFrom(opts);
      const { host, port, shutdownGraceMs: graceMs, ...limits } = config;
      const apiKey = resolveApiKey(opts, host);
      const backend = await LlamaCppBackend.create({
        model: String(opts['model']),
        gpu: opts['gpu'] as GpuChoice,
        ...(opts['contextSize'] !== undefined && { contextSize: parseInteger(opts['contextSize'], '--context-size') }),
        ...(opts['threads'] !== undefined && { threads: parseInteger(opts['threads'], '--threads') }),
        ...readEngineOptions(opts),
      });
      const modelName = (opts['servedModelName'] as string | undefined) ?? backend.identity.name;
      const log = opts['log'] === true ? (line: string): void => void process.stderr.write(`${line}\n`) : undefined;
      const scoring = createScoringServer(backend, { modelName, host, apiKey, ...limits, ...(log && { log }) });
      await new Promise<void>((resolve, reject) => {
        scoring.server.once('error', (e) => reject(new UsageError(`cannot listen on ${host}:${port}: ${e.message}`)));
        // A deep accept backlog: a burst of connections queues instead of dropping SYNs (each retried after 1 s, 3 s…).
        scoring.server.listen({ port, host, backlog: 4096 }, resolve);
      });
      const address = scoring.server.address();
      const actualPort = typeof address === 'object' && address ? address.port : port;
      const auth = apiKey ? ', API key required' : '';
      if (!apiKey && !isLoopbackHost(host))
        process.stderr.write(`humanlike serve: warning: serving ${host} without authentication (--insecure-no-auth)\n`);
      process.stdout.write(
        `humanlike serve: listening on http://${host}:${actualPort} (model ${modelName}, context ${backend.capabilities.contextSize}${auth})\n`,
      );
      await new Promise<void>((resolve) => {
        let stopping = false;
        const onSignal = (signal: NodeJS.Signals): void => {
          if (stopping) {
            process.stdout.write(`humanlike serve: ${signal} again, exiting now\n`);
            process.exit(signal === 'SIGINT' ? 130 : 143);
          }
          stopping = true;
          process.stdout.write(`humanlike serve: shutting down (requests in progress get ${graceMs} ms; ${signal} again to exit now)\n`);
          void scoring
            .shutdown(graceMs)
            .then(() => backend.close())
            .then(() => {
              process.off('SIGINT', onSignal);
              process.off('SIGTERM', onSignal);
              resolve();
            });
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
      });
    });
}
