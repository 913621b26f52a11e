import { type Command, Option } from 'commander';
import { REMOTE_PROTOCOLS } from '../../backends/remote/protocols/protocolRegistry.js';
import { displayUrl } from '../../backends/remote/redactSecrets.js';
import { REMOTE_DEFAULTS } from '../../backends/remote/remoteDefaults.js';
import { UsageError } from '../../errors.js';
import { describeConfigError, type EvalConfig, evalConfigSchema, remoteModelSchema } from '../../eval/evalConfig.js';
import { type EvaluateResult, evaluate } from '../../eval/evaluate.js';
import { CONTEXT_POLICIES, PROMPT_FORMATS } from '../../prompts/types.js';
import { BASELINES } from '../../scoring/BaselineScorer.js';
import { formatCount } from '../../util/formatCount.js';
import { readSmallTextFile } from '../../util/readUserFile.js';
import { escapeTerminal } from '../escapeTerminal.js';
import { formatTable } from '../formatTable.js';
import { createProgressReporter, DEFAULT_PROGRESS_INTERVAL_S, PROGRESS_MODES, type ProgressMode } from '../progressBar.js';
import {
  addSourceOptions,
  definedEntries,
  flashAttentionOption,
  gpuOption,
  integerFlag,
  kvCacheTypeOption,
  parseInteger,
  readEngineOptions,
  sourceFlags,
  withDefault,
} from '../sourceOptions.js';
export function registerEval(program: Command): void {
  addSourceOptions(
    program
      .command('eval')
      .description(
        'Score every human response of a dataset with a model (negative log-likelihood, natural log) and store one row per\nresponse in a DuckDB file. Running the same command again resumes an interrupted run without recomputing anything.',
      )
      .argument('<source>', 'dataset folder, .jsonl, .jsonl.zip or Parquet file(s)')
      .option('--model <gguf>', 'GGUF file or hf:<user>/<repo>/<file>.gguf (default: $HUMANLIKE_MODEL)')
      .addOption(new Option('--baseline <name>', 'score with a weightless baseline instead of a model').choices(BASELINES))
      .addOption(new Option('--format <format>', withDefault('prompt format', evalConfigSchema.shape.format)).choices(PROMPT_FORMATS))
      .addOption(
        new Option(
          '--policy <policy>',
          withDefault(
            'long transcripts: windowed (score every response) or reference (paper: 32,768 characters)',
            evalConfigSchema.shape.policy,
          ),
        ).choices(CONTEXT_POLICIES),
      )
      .option('--endpoint <url...>', 'score through servers (vLLM, SGLang, TGI, humanlike serve); repeat for several')
      .addOption(
        new Option('--protocol <protocol>', withDefault('server protocol for --endpoint', remoteModelSchema.shape.protocol)).choices(
          REMOTE_PROTOCOLS,
        ),
      )
      .option('--served-model <name>', 'model name the servers serve (default: what they report)')
      .option(
        '--tokenizer <gguf>',
        "local tokenizer for --endpoint (the model's GGUF or a vocab-only GGUF; default: the server's /tokenize)",
      )
      .option('--concurrency <n>', `requests in flight per endpoint (default: ${REMOTE_DEFAULTS.concurrency})`)
      .option('--timeout-ms <n>', withDefault('per-request timeout for --endpoint', remoteModelSchema.shape.timeoutMs))
      .option(
        '--api-key-env <name>',
        withDefault('environment variable holding the API key for --endpoint (never stored)', remoteModelSchema.shape.apiKeyEnv),
      )
      .option(
        '--max-attempts <n>',
        withDefault('attempts per request to --endpoint before it counts as a failure', remoteModelSchema.shape.maxAttempts),
      )
      .option(
        '--max-retry-after <seconds>',
        `longest Retry-After wait honoured for --endpoint; a longer ask waits this long and counts as a failed attempt (default: ${REMOTE_DEFAULTS.maxRetryAfterMs / 1000})`,
      )
      .option('--context-size <n>', 'tokens per window (default: the model training context, at most 32768; 4096 for servers)')
      .option('--batch-size <n>', 'tokens per engine batch (default: 512 on CPU, min(context, 2048) on GPUs)')
      .option('--threads <n>', 'CPU threads (default: math cores)')
      .addOption(flashAttentionOption())
      .addOption(kvCacheTypeOption())
      .addOption(gpuOption())
      .option('--db <file>', withDefault('results database', evalConfigSchema.shape.db))
      .option('--persona-seed <n>', withDefault('seed of the persona-shuffled pairing', evalConfigSchema.shape.personaSeed))
      .option(
        '--error-budget <n>',
        withDefault('stop after this many participants failed with backend errors', evalConfigSchema.shape.errorBudget),
      )
      .option('--new-run', 'start a new run even if this configuration was run before')
      .option('--config <file>', 'JSON file with the run configuration (keys as in docs/results.md; flags given on the command line win)')
      .option('--json', 'print the run record and statistics as JSON on stdout')
      .option('--dry-run', 'write nothing: print participants, responses and tokens per study and a time estimate from a short calibration')
      .addOption(
        new Option(
          '--progress <mode>',
          `progress on stderr, by tokens scored: a bar on a terminal, a line every --progress-interval seconds otherwise (default: auto)`,
        ).choices(PROGRESS_MODES),
      )
      .option('--progress-interval <seconds>', `seconds between progress lines (default: ${DEFAULT_PROGRESS_INTERVAL_S})`)
      .addHelpText(
        'after',
        `
Examples:
  $ humanlike eval ../shared/psych201 --model ../shared/models/stories260K.gguf --study franke2024bayesian --context-size 512
  $ humanlike eval split --test-only --baseline uniform
  $ humanlike eval ../shared/psych201 --model ../shared/models/stories260K.gguf --dry-run   counts and a time estimate
  $ humanlike eval split --test-only --model hf:Qwen/Qwen2.5-0.5B-GGUF/qwen2.5-0.5b-q8_0.gguf --format persona
  $ humanlike eval split --endpoint http://gpu1:8000 --endpoint http://gpu2:8000 --concurrency 8

Exit codes: 0 run complete, 1 finished with participants left unscored (resume to retry), 2 usage or input error,
130 interrupted (Ctrl-C; run the same command to resume).`,
      ),
  ).action(async (source: string, opts: Record<string, unknown>) => {
    const config = await buildConfig(source, opts);
    const json = Boolean(opts['json']);
    if (opts['dryRun']) {
      const { dryRun } = await import('../../eval/dryRun.js');
      const { renderDryRun } = await import('../renderDryRun.js');
      const report = await dryRun(config, { onStep: (what) => void process.stderr.write(`dry run: ${escapeTerminal(what)}\n`) });
      process.stdout.write((json ? JSON.stringify({ config: redactConfig(config), dryRun: report }) : renderDryRun(config, report)) + '\n');
      return;
    }
    const intervalS =
      opts['progressInterval'] === undefined ? DEFAULT_PROGRESS_INTERVAL_S : parseSeconds(opts['progressInterval'], '--progress-interval');
    const bar = await createProgressReporter((opts['progress'] as ProgressMode | undefined) ?? (json ? 'none' : 'auto'), intervalS * 1000);
    const controller = new AbortController();
    let interrupts = 0;
    const onSigint = (): void => {
      interrupts++;
      if (interrupts > 1) {
        bar.stop(); // restore the cursor and line wrapping before leaving
        process.exit(130);
      }
      process.stderr.write(
        '\nhumanlike: stopping after the participants in progress (Ctrl-C again to quit at once; the run resumes either way)\n',
      );
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    let result: EvaluateResult;
    try {
      result = await evaluate(config, {
        signal: controller.signal,
        onProgress: bar.update,
        onStart: ({ run, resumed, participantsTotal, participantsFinished }) => {
          if (!json)
            process.stderr.write(
              `${resumed ? 'resuming' : 'starting'} run ${run.runId}: ${formatCount(participantsTotal, 'participant')}${resumed ? `, ${participantsFinished} already done` : ''}\n`,
            );
        },
      });
    } finally {
      bar.stop();
      process.off('SIGINT', onSigint);
    }
    if (json)
      process.stdout.write(
        JSON.stringify({
          config: redactConfig(config),
          run: result.run,
          stats: result.stats,
          session: result.session ?? null,
          alreadyComplete: result.alreadyComplete,
        }) + '\n',
      );
    else process.stdout.write(renderEvalResult(result) + '\n');
    if (controller.signal.aborted) process.exitCode = 130;
    else if (result.run.status !== 'complete') process.exitCode = 1;
  });
}

function parseSeconds(value: unknown, flag: string): number {
  const n = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new UsageError(`${flag} expects a number of seconds (0 or more), found ${JSON.stringify(value)}`);
  return n;
}

/** Model-level flags, by the model kind they apply to. */
const MODEL_FLAGS = {
  gguf: ['gpu', 'contextSize', 'batchSize', 'threads', 'flashAttention', 'kvCacheType'],
  remote: [
    'protocol',
    'servedModel',
    'tokenizer',
    'concurrency',
    'timeoutMs',
    'apiKeyEnv',
    'maxAttempts',
    'maxRetryAfterMs',
    'contextSize',
  ],
  baseline: [],
} as const;
const FLAG_NAMES: Record<string, string> = {
  gpu: '--gpu',
  contextSize: '--context-size',
  batchSize: '--batch-size',
  threads: '--threads',
  flashAttention: '--flash-attention',
  kvCacheType: '--kv-cache-type',
  protocol: '--protocol',
  servedModel: '--served-model',
  tokenizer: '--tokenizer',
  concurrency: '--concurrency',
  timeoutMs: '--timeout-ms',
  apiKeyEnv: '--api-key-env',
  maxAttempts: '--max-attempts',
  maxRetryAfterMs: '--max-retry-after',
};

async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  const what = 'the run configuration';
  let text: string;
  try {
    text = await readSmallTextFile(path, what);
  } catch (e) {
    throw new UsageError((e as Error).message, { cause: e });
  }
  try {
    const json = JSON.parse(text) as unknown;
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('expected a JSON object');
    return json as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(`${path}: cannot read ${what} (${(e as Error).message})`);
  }
}

/** The model-level flags actually given, parsed. */
function modelFlags(opts: Record<string, unknown>): Record<string, unknown> {
  return definedEntries({
    gpu: opts['gpu'],
    protocol: opts['protocol'],
    servedModel: opts['servedModel'],
    tokenizer: opts['tokenizer'],
    apiKeyEnv: opts['apiKeyEnv'],
    contextSize: integerFlag(opts, 'contextSize', '--context-size'),
    batchSize: integerFlag(opts, 'batchSize', '--batch-size'),
    threads: integerFlag(opts, 'threads', '--threads'),
    concurrency: integerFlag(opts, 'concurrency', '--concurrency'),
    timeoutMs: integerFlag(opts, 'timeoutMs', '--timeout-ms'),
    maxAttempts: integerFlag(opts, 'maxAttempts', '--max-attempts'),
    maxRetryAfterMs: opts['maxRetryAfter'] === undefined ? undefined : 1000 * parseInteger(opts['maxRetryAfter'], '--max-retry-after'),
    ...readEngineOptions(opts),
  });
}

/** The model: from --model/--baseline/--endpoint, else the config file, else $HUMANLIKE_MODEL; model flags merged in. */
function buildModel(opts: Record<string, unknown>, fromFile: unknown): Record<string, unknown> {
  const chosen = ['baseline', 'model', 'endpoint'].filter((k) => opts[k] !== undefined);
  if (chosen.length > 1)
    throw new UsageError(`give one of --model, --baseline or --endpoint, not ${chosen.map((k) => `--${k}`).join(' and ')}`);
  let model: Record<string, unknown> | undefined;
  if (opts['baseline']) model = { kind: 'baseline', name: opts['baseline'] };
  else if (Array.isArray(opts['endpoint'])) model = { kind: 'remote', endpoints: (opts['endpoint'] as string[]).map((url) => ({ url })) };
  else if (typeof opts['model'] === 'string') model = { kind: 'gguf', path: opts['model'] };
  else if (fromFile !== undefined) model = { ...(fromFile as Record<string, unknown>) };
  else if (process.env['HUMANLIKE_MODEL']) model = { kind: 'gguf', path: process.env['HUMANLIKE_MODEL'] };
  if (!model)
    throw new UsageError(`no model: give --model <gguf>, --baseline ${BASELINES.join('|')}, --endpoint <url>, or set HUMANLIKE_MODEL`);
  const kind = String(model['kind']) as keyof typeof MODEL_FLAGS;
  const flags = modelFlags(opts);
  const allowed: readonly string[] = MODEL_FLAGS[kind] ?? [];
  const stray = Object.keys(flags).filter((k) => !allowed.includes(k));
  if (stray.length) throw new UsageError(`${stray.map((k) => FLAG_NAMES[k]).join(', ')} do(es) not apply to a ${kind} model`);
  const { concurrency, ...rest } = flags;
  if (concurrency !== undefined && Array.isArray(model['endpoints'])) {
    model['endpoints'] = (model['endpoints'] as Record<string, unknown>[]).map((e) => ({ ...e, concurrency }));
  }
  return { ...model, ...rest };
}

/** `{...configFile, ...flagsActuallyGiven}`, parsed once by the schema (which holds every default). */
async function buildConfig(source: string, opts: Record<string, unknown>): Promise<EvalConfig> {
  const file = typeof opts['config'] === 'string' ? await readConfigFile(opts['config']) : {};
  const raw: Record<string, unknown> = {
    ...file,
    source,
    model: buildModel(opts, file['model']),
    ...sourceFlags(opts),
    ...definedEntries({
      db: opts['db'],
      format: opts['format'],
      policy: opts['policy'],
      personaSeed: integerFlag(opts, 'personaSeed', '--persona-seed'),
      errorBudget: integerFlag(opts, 'errorBudget', '--error-budget'),
      newRun: opts['newRun'] ? true : undefined,
    }),
  };
  const parsed = evalConfigSchema.safeParse(raw);
  if (!parsed.success) throw new UsageError(describeConfigError(parsed.error, 'run configuration'));
  return parsed.data;
}

export function renderEvalResult(r: EvaluateResult): string {
  const s = r.stats;
  const out: string[] = [];
  const pct = (x: number | null): string => (x === null ? '-' : `${(100 * x).toFixed(1)}%`);
  out.push(`run ${r.run.runId}: ${r.alreadyComplete ? 'already complete (nothing recomputed; --new-run to score again)' : r.run.status}`);
  out.push(
    `model ${r.run.model} | format ${r.run.promptFormat} | policy ${r.run.contextPolicy} | selection ${r.run.selection} | dataset ${r.run.datasetHash.slice(0, 12)}`,
  );
  out.push('');
  out.push(
    formatTable(
      ['study', 'participants', 'responses', 'mean NLL (nats)', 'pseudo-R2', 'acc', 'acc (choices)'],
      s.perStudy.map((x) => [
        x.study,
        x.participants,
        x.responses,
        x.meanNll,
        x.pseudoR2 === null ? '-' : (Math.abs(x.pseudoR2) < 5e-4 ? 0 : x.pseudoR2).toFixed(3),
        pct(x.accuracy),
        pct(x.accuracyRestricted),
      ]),
    ),
  );
  out.push('');
  out.push(
    `scored ${formatCount(s.responsesScored, 'response')} of ${formatCount(s.participantsScored, 'participant')}; ${formatCount(s.tokensEvaluated, 'token')} evaluated`,
  );
  if (r.session && r.session.tokens > 0)
    out.push(
      `this session: ${Math.round(r.session.tokens / Math.max(0.001, r.session.elapsedMs / 1000))} tokens/s over ${(r.session.elapsedMs / 1000).toFixed(1)} s`,
    );
  if (s.tokensEvaluated > 0)
    out.push(
      `straddling tokens: ${formatCount(s.straddleStart, 'response')} ${s.straddleStart === 1 ? 'starts' : 'start'} inside a token, ${s.straddleEnd} ${s.straddleEnd === 1 ? 'ends' : 'end'} inside one (scored with the whole token)`,
    );
  if (s.participantsSkipped)
    out.push(
      `skipped ${formatCount(s.participantsSkipped, 'participant')}: ${Object.entries(s.participantSkipReasons)
        .map(([k, v]) => `${v} × ${k}`)
        .join('; ')}`,
    );
  if (s.responsesSkipped)
    out.push(
      `skipped ${formatCount(s.responsesSkipped, 'response')}: ${Object.entries(s.responseSkipReasons)
        .map(([k, v]) => `${v} × ${k}`)
        .join('; ')}`,
    );
  if (r.removedPartialRows)
    out.push(`resume: removed ${formatCount(r.removedPartialRows, 'row')} of a participant that was interrupted mid-write`);
  if (r.session?.duplicateRecords)
    out.push(
      `skipped ${formatCount(r.session.duplicateRecords, 'record')} that ${r.session.duplicateRecords === 1 ? 'repeats' : 'repeat'} a participant id already scored (see humanlike validate)`,
    );
  if (r.session?.participantsFailed)
    out.push(
      `${formatCount(r.session.participantsFailed, 'participant')} failed with backend errors and ${r.session.participantsFailed === 1 ? 'is' : 'are'} left for a resume`,
    );
  return out.join('\n');
}

/** The configuration as printed: endpoint URLs without credentials (the API key is never in it: only its variable's name). */
function redactConfig(config: EvalConfig): EvalConfig {
  if (config.model.kind !== 'remote') return config;
  return { ...config, model: { ...config.model, endpoints: config.model.endpoints.map((e) => ({ ...e, url: displayUrl(e.url) })) } };
}
