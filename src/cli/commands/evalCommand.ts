import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { CONTEXT_POLICIES, PROMPT_FORMATS } from '../../prompts/types.js';
import { BASELINES } from '../../scoring/BaselineScorer.js';
import { evalConfigSchema, type EvalConfig } from '../../scoring/evalConfig.js';
import { evaluate, type EvaluateResult } from '../../store/evaluate.js';
import { DEFAULT_DB } from '../../store/ResultsStore.js';
import { UsageError } from '../../errors.js';
import { formatTable } from '../formatTable.js';
import { createProgressBar } from '../progressBar.js';
import { addSourceOptions, flashAttentionOption, kvCacheTypeOption, parseInteger, readEngineOptions, readOptionsFrom, gpuOption } from '../sourceOptions.js';

export function registerEval(program: Command): void {
  addSourceOptions(
    program
      .command('eval')
      .summary('score every human response with a model; resumable')
      .description('Score every human response of a dataset with a model (negative log-likelihood, natural log) and store one row per\nresponse in a DuckDB file. Running the same command again resumes an interrupted run without recomputing anything.')
      .argument('<source>', 'dataset folder, .jsonl, .jsonl.zip or Parquet file(s)')
      .option('--model <gguf>', 'GGUF file or hf:<user>/<repo>/<file>.gguf (default: $HUMANLIKE_MODEL)')
      .addOption(new Option('--baseline <name>', 'score with a weightless baseline instead of a model').choices(BASELINES as string[]))
      .addOption(new Option('--format <format>', 'prompt format').choices(PROMPT_FORMATS as string[]).default('raw'))
      .addOption(new Option('--policy <policy>', 'long transcripts: windowed (score every response) or reference (paper: 32,768 characters)').choices(CONTEXT_POLICIES as string[]).default('windowed'))
      .option('--endpoint <url...>', 'score through servers (vLLM, SGLang, TGI, humanlike serve); repeat for several')
      .addOption(new Option('--protocol <protocol>', 'server protocol for --endpoint').choices(['vllm', 'sglang', 'tgi']).default('vllm'))
      .option('--served-model <name>', 'model name the servers serve (default: what they report)')
      .option('--tokenizer <gguf>', "local tokenizer for --endpoint (the model's GGUF or a vocab-only GGUF; default: the server's /tokenize)")
      .option('--concurrency <n>', 'requests in flight per endpoint', '4')
      .option('--timeout-ms <n>', 'per-request timeout for --endpoint', '300000')
      .option('--api-key-env <name>', 'environment variable holding the API key for --endpoint (never stored)', 'HUMANLIKE_API_KEY')
      .option('--max-attempts <n>', 'attempts per request to --endpoint before it counts as a failure', '8')
      .option('--context-size <n>', 'tokens per window (default: the model training context, at most 32768; 4096 for servers)')
      .option('--batch-size <n>', 'tokens per engine batch (default: 512 on CPU, min(context, 2048) on GPUs)')
      .option('--threads <n>', 'CPU threads (default: math cores)')
      .addOption(flashAttentionOption())
      .addOption(kvCacheTypeOption())
      .addOption(gpuOption())
      .option('--db <file>', 'results database', DEFAULT_DB)
      .option('--persona-seed <n>', 'seed of the persona-shuffled pairing', '0')
      .option('--error-budget <n>', 'stop after this many participants failed with backend errors', '20')
      .option('--new-run', 'start a new run even if this configuration was run before')
      .option('--config <file>', 'JSON file with the run configuration (flags given on the command line win)')
      .option('--json', 'print the run record and statistics as JSON; no progress bar')
      .addHelpText('after', `
Examples:
  $ humanlike eval ../shared/psych201 --model ../shared/models/stories260K.gguf --study franke2024bayesian --context-size 512
  $ humanlike eval split --test-only --baseline uniform
  $ humanlike eval split --test-only --model hf:Qwen/Qwen2.5-0.5B-GGUF/qwen2.5-0.5b-q8_0.gguf --format persona
  $ humanlike eval split --endpoint http://gpu1:8000 --endpoint http://gpu2:8000 --concurrency 8

Exit codes: 0 run complete, 1 finished with participants left unscored (resume to retry), 2 usage or input error,
130 interrupted (Ctrl-C; run the same command to resume).`),
  ).action(async (source: string, opts: Record<string, unknown>, cmd: Command) => {
    const config = await buildConfig(source, opts, cmd);
    const json = Boolean(opts['json']);
    const bar = createProgressBar(!json);
    const controller = new AbortController();
    let interrupts = 0;
    const onSigint = (): void => {
      interrupts++;
      if (interrupts > 1) process.exit(130);
      process.stderr.write('\nhumanlike: stopping after the participants in progress (Ctrl-C again to quit at once; the run resumes either way)\n');
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    let result: EvaluateResult;
    try {
      result = await evaluate(config, {
        signal: controller.signal,
        onProgress: bar.update,
        onStart: ({ run, resumed, participantsTotal, participantsFinished }) => {
          if (!json) process.stderr.write(`${resumed ? 'resuming' : 'starting'} run ${run.runId}: ${participantsTotal} participants${resumed ? `, ${participantsFinished} already done` : ''}\n`);
        },
      });
    } finally {
      bar.stop();
      process.off('SIGINT', onSigint);
    }
    if (json) process.stdout.write(JSON.stringify({ run: result.run, stats: result.stats, session: result.session ?? null, alreadyComplete: result.alreadyComplete }) + '\n');
    else process.stdout.write(renderEvalResult(result) + '\n');
    if (controller.signal.aborted) process.exitCode = 130;
    else if (result.run.status !== 'complete') process.exitCode = 1;
  });
}

async function buildConfig(source: string, opts: Record<string, unknown>, cmd: Command): Promise<EvalConfig> {
  let base: Record<string, unknown> = {};
  if (typeof opts['config'] === 'string') {
    try {
      base = JSON.parse(await readFile(opts['config'], 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new UsageError(`${opts['config']}: cannot read the run configuration (${(e as Error).message})`);
    }
  }
  const given = (name: string): boolean => cmd.getOptionValueSource(name) === 'cli' || base[name] === undefined;
  const read = readOptionsFrom(opts);
  const modelPath = (opts['model'] as string | undefined) ?? (opts['baseline'] || opts['endpoint'] ? undefined : process.env['HUMANLIKE_MODEL']);
  const sources = ['baseline', 'model', 'endpoint'].filter((k) => opts[k] !== undefined);
  if (sources.length > 1) throw new UsageError(`give one of --model, --baseline or --endpoint, not ${sources.map((k) => `--${k}`).join(' and ')}`);
  let model: unknown = base['model'];
  if (opts['baseline']) model = { kind: 'baseline', name: opts['baseline'] };
  else if (Array.isArray(opts['endpoint'])) {
    const concurrency = parseInteger(opts['concurrency'], '--concurrency');
    model = {
      kind: 'remote', protocol: opts['protocol'], endpoints: (opts['endpoint'] as string[]).map((url) => ({ url, concurrency })),
      apiKeyEnv: opts['apiKeyEnv'], timeoutMs: parseInteger(opts['timeoutMs'], '--timeout-ms'), maxAttempts: parseInteger(opts['maxAttempts'], '--max-attempts'),
      ...(opts['servedModel'] !== undefined && { servedModel: opts['servedModel'] }),
      ...(opts['tokenizer'] !== undefined && { tokenizer: opts['tokenizer'] }),
      ...(opts['contextSize'] !== undefined && { contextSize: parseInteger(opts['contextSize'], '--context-size') }),
    };
  }
  else if (modelPath && (opts['model'] !== undefined || model === undefined)) {
    model = {
      kind: 'gguf', path: modelPath, gpu: opts['gpu'],
      ...(opts['contextSize'] !== undefined && { contextSize: parseInteger(opts['contextSize'], '--context-size') }),
      ...(opts['batchSize'] !== undefined && { batchSize: parseInteger(opts['batchSize'], '--batch-size') }),
      ...(opts['threads'] !== undefined && { threads: parseInteger(opts['threads'], '--threads') }),
      ...readEngineOptions(opts),
    };
  }
  if (model === undefined) throw new UsageError('no model: give --model <gguf>, --baseline uniform|frequency, or set HUMANLIKE_MODEL');
  const raw: Record<string, unknown> = {
    ...base,
    source,
    model,
    ...(given('db') && { db: opts['db'] }),
    ...(given('format') && { format: opts['format'] }),
    ...(given('policy') && { policy: opts['policy'] }),
    select: read.select,
    ...(read.splitSeed !== undefined && { splitSeed: read.splitSeed }),
    ...(read.studies && { studies: read.studies }),
    maxTextChars: read.maxTextChars,
    maxEntryBytes: read.maxEntryBytes,
    personaSeed: parseInteger(opts['personaSeed'], '--persona-seed'),
    errorBudget: parseInteger(opts['errorBudget'], '--error-budget'),
    newRun: Boolean(opts['newRun']),
  };
  const parsed = evalConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`invalid run configuration: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  return parsed.data;
}

export function renderEvalResult(r: EvaluateResult): string {
  const s = r.stats;
  const out: string[] = [];
  const pct = (x: number | null): string => (x === null ? '-' : `${(100 * x).toFixed(1)}%`);
  out.push(`run ${r.run.runId}: ${r.alreadyComplete ? 'already complete (nothing recomputed; --new-run to score again)' : r.run.status}`);
  out.push(`model ${r.run.model} | format ${r.run.promptFormat} | policy ${r.run.contextPolicy} | selection ${r.run.selection} | dataset ${r.run.datasetHash.slice(0, 12)}`);
  out.push('');
  out.push(formatTable(
    ['study', 'participants', 'responses', 'mean NLL (nats)', 'pseudo-R2', 'acc', 'acc (choices)'],
    s.perStudy.map((x) => [x.study, x.participants, x.responses, x.meanNll, x.pseudoR2 === null ? '-' : (Math.abs(x.pseudoR2) < 5e-4 ? 0 : x.pseudoR2).toFixed(3), pct(x.accuracy), pct(x.accuracyRestricted)]),
  ));
  out.push('');
  out.push(`scored ${s.responsesScored} responses of ${s.participantsScored} participants; ${s.tokensEvaluated} tokens evaluated`);
  if (r.session && r.session.tokens > 0) out.push(`this session: ${Math.round(r.session.tokens / Math.max(0.001, r.session.elapsedMs / 1000))} tokens/s over ${(r.session.elapsedMs / 1000).toFixed(1)} s`);
  if (s.tokensEvaluated > 0) out.push(`straddling tokens: ${s.straddleStart} responses start inside a token, ${s.straddleEnd} end inside one (scored with the whole token)`);
  if (s.participantsSkipped) out.push(`skipped ${s.participantsSkipped} participants: ${Object.entries(s.participantSkipReasons).map(([k, v]) => `${v} × ${k}`).join('; ')}`);
  if (s.responsesSkipped) out.push(`skipped ${s.responsesSkipped} responses: ${Object.entries(s.responseSkipReasons).map(([k, v]) => `${v} × ${k}`).join('; ')}`);
  if (r.removedPartialRows) out.push(`resume: removed ${r.removedPartialRows} rows of a participant that was interrupted mid-write`);
  if (r.session?.duplicateRecords) out.push(`skipped ${r.session.duplicateRecords} records that repeat a participant id already scored (see humanlike validate)`);
  if (r.session?.participantsFailed) out.push(`${r.session.participantsFailed} participants failed with backend errors and are left for a resume`);
  return out.join('\n');
}
