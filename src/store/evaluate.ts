import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { displayUrl } from '../backends/remote/httpJson.js';
import { loadTestSets, type ReadOptions } from '../data/readTranscripts.js';
import { DataError, UsageError } from '../errors.js';
import type { ContextPolicy, PromptFormat } from '../prompts/types.js';
import { createScorer } from '../scoring/createScorer.js';
import type { EvalConfig } from '../scoring/evalConfig.js';
import { profileStudies } from '../scoring/profileStudies.js';
import type { ResponseScorer } from '../scoring/ResponseScorer.js';
import { runEval, type EvalProgress, type EvalSummary } from '../scoring/runEval.js';
import { VERSION } from '../version.js';
import { ResultsStore, type RunRecord } from './ResultsStore.js';
import { computeRunStats, type RunStats } from './runStats.js';

export interface EvaluateResult {
  run: RunRecord;
  /** What this invocation did (a resumed run reports only its own part here; `stats` covers the whole run). */
  session: EvalSummary | undefined;
  stats: RunStats;
  resumed: boolean;
  alreadyComplete: boolean;
  removedPartialRows: number;
}

export interface EvaluateHooks {
  onProgress?: (p: EvalProgress) => void;
  /** Called once the run is known, before scoring starts. */
  onStart?: (info: { run: RunRecord; resumed: boolean; participantsTotal: number; participantsFinished: number }) => void;
  signal?: AbortSignal;
  /** Use this scorer instead of building one from config.model (tests, benchmarks). */
  scorer?: ResponseScorer;
}

function readOptionsOf(c: EvalConfig): ReadOptions {
  const read: ReadOptions = { select: c.select, maxTextChars: c.maxTextChars, maxEntryBytes: c.maxEntryBytes };
  if (c.splitSeed !== undefined) read.splitSeed = c.splitSeed;
  if (c.studies) read.studies = c.studies;
  return read;
}

const slug = (s: string): string => s.replace(/\.gguf$/i, '').replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 40);

/**
 * Score a dataset with a model and store every response: profile the data, find or create the run (same
 * configuration = same run, resumed), score the participants not finished yet, and record the run's statistics.
 */
export async function evaluate(config: EvalConfig, hooks: EvaluateHooks = {}): Promise<EvaluateResult> {
  const read = readOptionsOf(config);
  // A split computed on the fly (--split-seed) is computed once for the profile pass and the scoring pass.
  if (read.splitSeed !== undefined) {
    const testSets = await loadTestSets(config.source, { ...read, select: 'all' });
    if (testSets) read.testSets = testSets;
  }
  const profile = await profileStudies(config.source, read, { seed: config.personaSeed, countResponses: true });
  if (profile.participants === 0) {
    throw new UsageError(`${config.source}: nothing to score (no valid participant in the selection${config.select !== 'all' ? ` '${config.select}'` : ''}); run 'humanlike validate' to see why`);
  }
  const scorer = hooks.scorer ?? (await createScorer(config.model, config.format as PromptFormat, config.policy as ContextPolicy));
  const store = await ResultsStore.open(config.db);
  try {
    const identity = scorer.identity;
    const options = {
      studies: config.studies ?? null, splitSeed: config.splitSeed ?? null, personaSeed: config.personaSeed, maxTextChars: config.maxTextChars,
      model: config.model.kind === 'remote' ? { ...config.model, endpoints: config.model.endpoints.map((e) => ({ ...e, url: displayUrl(e.url) })) } : config.model,
      windowing: config.policy === 'windowed' ? 'windows of the context size; each next window starts half a window before the first unscored response' : 'reference: 32,768 characters and the four substitutions of the paper scripts',
      straddlePolicy: 'a response is scored on every token overlapping its characters',
    };
    const configKey = createHash('sha256').update(JSON.stringify({
      source: resolve(config.source), select: config.select, datasetHash: profile.datasetHash, model: identity.fileSha256 ?? identity.name,
      kind: identity.kind, tokenizer: scorer.tokenizerId, format: config.format, policy: config.policy, options: { ...options, model: undefined },
      contextSize: config.model.kind !== 'baseline' ? config.model.contextSize ?? null : null,
    })).digest('hex');
    let run = config.newRun ? undefined : await store.findRunByConfig(configKey);
    let resumed = false;
    let removedPartialRows = 0;
    if (run?.status === 'complete') {
      const stats = await computeRunStats(store, run.runId, uniformByStudy(profile));
      return { run, session: undefined, stats, resumed: false, alreadyComplete: true, removedPartialRows: 0 };
    }
    if (run) {
      resumed = true;
      removedPartialRows = await store.removeUnfinished(run.runId);
      await store.updateRun(run.runId, { status: 'running', error: null });
    } else {
      const runId = `${slug(identity.name)}-${config.format}-${configKey.slice(0, 8)}${config.newRun ? `-${Date.now().toString(36)}` : ''}`;
      await store.createRun({
        runId, configKey, toolVersion: VERSION, source: resolve(config.source), selection: config.select, datasetHash: profile.datasetHash,
        model: identity.name, modelKind: identity.kind, modelSha256: identity.fileSha256 ?? null, modelIdentity: identity as unknown as Record<string, unknown>,
        tokenizer: scorer.tokenizerId, promptFormat: config.format, contextPolicy: config.policy, options,
      });
      run = (await store.getRun(runId))!;
    }
    const finished = await store.finishedParticipants(run.runId);
    hooks.onStart?.({ run, resumed, participantsTotal: profile.participants, participantsFinished: finished.size });
    const runId = run.runId;
    let session: EvalSummary | undefined;
    try {
      session = await runEval({
        source: config.source, read, scorer, profile, finished, errorBudget: config.errorBudget,
        sink: { add: (o) => store.add(runId, o), flush: () => store.flush(runId) },
        ...(hooks.onProgress && { onProgress: hooks.onProgress }),
        ...(hooks.signal && { signal: hooks.signal }),
      });
    } catch (e) {
      await store.flush(runId).catch(() => undefined);
      await store.updateRun(runId, { status: 'failed', error: (e as Error).message });
      throw e;
    }
    const stats = await computeRunStats(store, runId, uniformByStudy(profile));
    // A run that scored nothing is no result, whatever the reasons: never 'complete' with exit 0.
    if (!session.interrupted && stats.responsesScored === 0 && profile.responses > 0) {
      const reasons = Object.entries({ ...stats.participantSkipReasons, ...stats.responseSkipReasons }).slice(0, 3).map(([k, v]) => `${v} × ${k}`).join('; ');
      const message = `no response was scored (0 of ${profile.responses}): ${reasons || 'every one was skipped'}`;
      await store.updateRun(runId, { status: 'failed', stats: { ...stats, perStudy: undefined }, error: message });
      throw new DataError(message);
    }
    const status = session.interrupted ? 'interrupted' : 'complete';
    await store.updateRun(runId, {
      status, stats: { ...stats, perStudy: undefined, duplicateRecordsSkipped: session.duplicateRecords },
      timings: { lastSessionMs: session.elapsedMs, lastSessionTokens: session.tokens, tokensPerSecond: session.tokens / Math.max(1e-9, session.elapsedMs / 1000) },
      finished: status === 'complete',
    });
    const record = (await store.getRun(runId))!;
    return { run: record, session, stats, resumed, alreadyComplete: false, removedPartialRows };
  } finally {
    store.close();
    if (!hooks.scorer) await scorer.close();
  }
}

/** ln K per study: the uniform baseline's NLL of every response. */
function uniformByStudy(profile: Awaited<ReturnType<typeof profileStudies>>): Map<string, number> {
  return new Map([...profile.studies].map(([s, p]) => [s, Math.log(Math.max(1, p.distinctResponses))]));
}
