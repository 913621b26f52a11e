import { resolve } from 'node:path';
import { displayUrl } from '../backends/remote/httpJson.js';
import { loadTestSets, type ReadOptions, readTranscripts } from '../data/readTranscripts.js';
import { DataError, UsageError } from '../errors.js';
import { CONTEXT_POLICY_IDS, STRADDLE_POLICY_ID } from '../prompts/types.js';
import type { ResponseScorer } from '../scoring/ResponseScorer.js';
import { ResultsStore, type RunRecord } from '../store/ResultsStore.js';
import { computeRunStats, type RunStats } from '../store/runStats.js';
import { VERSION } from '../version.js';
import { createScorer } from './createScorer.js';
import { type EvalConfig, toReadOptions } from './evalConfig.js';
import { type DatasetProfile, profileStudies } from './profileStudies.js';
import { type EvalProgress, type EvalSummary, runEval } from './runEval.js';
import { computeRunKey } from './runKey.js';
import { type ProgressFileWriter, startProgressFile } from './startProgressFile.js';

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

const slug = (s: string): string =>
  s
    .replace(/\.gguf$/i, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .slice(0, 40);

/**
 * Score a dataset with a model and store every response. The order matters for a user with a 40 GB model: open the
 * store and look the run up first (a locked database fails here, and a complete run returns at once), then profile
 * the data, then load the model, score what is not finished yet, and record the run's statistics.
 */
export async function evaluate(config: EvalConfig, hooks: EvaluateHooks = {}): Promise<EvaluateResult> {
  const runKey = await computeRunKey(config);
  const store = await ResultsStore.open(config.db);
  let scorer: ResponseScorer | undefined;
  let progressFile: ProgressFileWriter | undefined;
  try {
    const found = config.newRun ? undefined : await store.findRunByConfig(runKey);
    if (found?.status === 'complete') {
      const stats = (found.stats as RunStats | null) ?? (await computeRunStats(store, found.runId));
      return { run: found, session: undefined, stats, resumed: false, alreadyComplete: true, removedPartialRows: 0 };
    }
    const read = await readOptionsWithSplit(config);
    const profile = await profileStudies(readTranscripts(config.source, { ...read, select: 'all' }), {
      select: config.select,
      seed: config.personaSeed,
      countResponses: true,
    });
    if (profile.participants === 0) {
      throw new UsageError(
        `${config.source}: nothing to score (no valid participant in the selection${config.select !== 'all' ? ` '${config.select}'` : ''}); run 'humanlike validate' to see why`,
      );
    }
    assertPersonasAvailable(config, profile);
    scorer = hooks.scorer ?? (await createScorer(config.model, config.format, config.policy));
    const { run, resumed, removedPartialRows } = await openRun(store, config, runKey, profile, scorer, found);
    const finished = await store.finishedParticipants(run.runId);
    // The database stays locked until the eval ends: onlookers (`runs`) read this file beside it meanwhile.
    const live = startProgressFile(
      config.db,
      run.runId,
      (await store.listRuns()) as unknown as Record<string, unknown>[],
      profile.participants,
    );
    progressFile = live;
    hooks.onStart?.({ run, resumed, participantsTotal: profile.participants, participantsFinished: finished.size });
    const session = await scoreRun(store, run.runId, {
      records: readTranscripts(config.source, read),
      scorer,
      profile,
      finished,
      errorBudget: config.errorBudget,
      onProgress: (p) => {
        live.update(p);
        hooks.onProgress?.(p);
      },
      ...(hooks.signal && { signal: hooks.signal }),
    });
    const stats = await computeRunStats(store, run.runId, uniformByStudy(profile));
    // A run that scored nothing is no result, whatever the reasons: never 'complete' with exit 0.
    if (!session.interrupted && stats.responsesScored === 0 && profile.responses > 0) {
      const reasons = Object.entries({ ...stats.participantSkipReasons, ...stats.responseSkipReasons })
        .slice(0, 3)
        .map(([k, v]) => `${v} × ${k}`)
        .join('; ');
      const message = `no response was scored (0 of ${profile.responses}): ${reasons || 'every one was skipped'}`;
      await store.updateRun(run.runId, { status: 'failed', stats, error: message });
      throw new DataError(message);
    }
    const status = session.interrupted ? 'interrupted' : 'complete';
    await store.updateRun(run.runId, {
      status,
      stats: { ...stats, duplicateRecordsSkipped: session.duplicateRecords },
      timings: {
        lastSessionMs: session.elapsedMs,
        lastSessionTokens: session.tokens,
        tokensPerSecond: session.tokens / Math.max(1e-9, session.elapsedMs / 1000),
      },
      finished: status === 'complete',
    });
    return { run: (await store.getRun(run.runId))!, session, stats, resumed, alreadyComplete: false, removedPartialRows };
  } finally {
    store.close();
    progressFile?.stop(); // after the close: whoever finds no file finds the database unlocked
    if (scorer && !hooks.scorer) await scorer.close();
  }
}

/**
 * The persona formats state each participant's metadata (persona-shuffled: another participant's of the same study).
 * A study where no participant has any would have every participant fail after the model is loaded: refuse first.
 */
export function assertPersonasAvailable(config: EvalConfig, profile: DatasetProfile): void {
  if (config.format !== 'persona' && config.format !== 'persona-shuffled') return;
  const needed = config.format === 'persona' ? 1 : 2;
  const selected = [...profile.studies.values()].filter((p) => p.participants > 0);
  const short = selected.filter((p) => p.personas.length < needed);
  if (short.length === 0) return;
  const without = short.map((p) => p.study).join(', ');
  const withMetadata = selected.filter((p) => p.personas.length >= needed).map((p) => p.study);
  const what = short.every((p) => p.personas.length === 0)
    ? `no participant of ${without} has any`
    : `fewer than two participants of ${without} have any (persona-shuffled states another participant's)`;
  throw new UsageError(
    `--format ${config.format} states each participant's metadata, and ${what} ` +
      `(studies with metadata: ${withMetadata.join(', ') || 'none'}); ` +
      `${withMetadata.length ? `use --study ${withMetadata.join(' ')}, or --format raw` : 'use --format raw'}`,
  );
}

/** Read options, with a split computed on the fly (--split-seed) once for the profile pass and the scoring pass. */
export async function readOptionsWithSplit(config: EvalConfig): Promise<ReadOptions> {
  const read = toReadOptions(config);
  // The reference policy validates after the paper's substitutions and lets `<<>>` through (skipped when scoring).
  if (config.policy === 'reference') read.reference = true;
  // With a side selected, this also refuses a source that has no split manifest and no --split-seed (the profile
  // pass reads every side, so it would otherwise find nothing to score and say only that).
  if (read.splitSeed !== undefined || config.select !== 'all') {
    const testSets = await loadTestSets(config.source, { ...read, select: config.select });
    if (testSets) read.testSets = testSets;
  }
  return read;
}

/** Resume the run found (after checking it is the same data and model), or create it. */
async function openRun(
  store: ResultsStore,
  config: EvalConfig,
  runKey: string,
  profile: DatasetProfile,
  scorer: ResponseScorer,
  found: RunRecord | undefined,
): Promise<{ run: RunRecord; resumed: boolean; removedPartialRows: number }> {
  const identity = scorer.identity;
  if (found) {
    const changed =
      found.datasetHash !== profile.datasetHash
        ? 'data'
        : found.modelSha256 !== (identity.fileSha256 ?? null) || found.model !== identity.name
          ? 'model'
          : undefined;
    if (changed)
      throw new DataError(
        `run ${found.runId} was started on other ${changed} under the same name (the ${changed} changed since); give --new-run to start a new run`,
      );
    const removedPartialRows = await store.removeUnfinished(found.runId);
    await store.updateRun(found.runId, { status: 'running', error: null });
    return { run: found, resumed: true, removedPartialRows };
  }
  const runId = `${slug(identity.name)}-${config.format}-${runKey.slice(0, 8)}${config.newRun ? `-${Date.now().toString(36)}` : ''}`;
  const options = {
    studies: config.studies ?? null,
    splitSeed: config.splitSeed ?? null,
    personaSeed: config.personaSeed,
    maxTextChars: config.maxTextChars,
    model:
      config.model.kind === 'remote'
        ? { ...config.model, endpoints: config.model.endpoints.map((e) => ({ ...e, url: displayUrl(e.url) })) }
        : config.model,
    windowing: CONTEXT_POLICY_IDS[config.policy],
    straddlePolicy: STRADDLE_POLICY_ID,
    studyHashes: Object.fromEntries(profile.studyHashes),
  };
  await store.createRun({
    runId,
    configKey: runKey,
    toolVersion: VERSION,
    source: resolve(config.source),
    selection: config.select,
    datasetHash: profile.datasetHash,
    model: identity.name,
    modelKind: identity.kind,
    modelSha256: identity.fileSha256 ?? null,
    modelIdentity: identity as unknown as Record<string, unknown>,
    tokenizer: scorer.tokenizerId,
    promptFormat: config.format,
    contextPolicy: config.policy,
    options,
  });
  return { run: (await store.getRun(runId))!, resumed: false, removedPartialRows: 0 };
}

/** The run loop writing to the run's writer; a failure marks the run failed (finished work stays) and rethrows. */
async function scoreRun(store: ResultsStore, runId: string, o: Omit<Parameters<typeof runEval>[0], 'sink'>): Promise<EvalSummary> {
  const sink = store.writer(runId);
  try {
    return await runEval({ ...o, sink });
  } catch (e) {
    await sink.flush().catch(() => undefined);
    await store.updateRun(runId, { status: 'failed', error: (e as Error).message });
    throw e;
  }
}

/** ln K per study: the uniform baseline's NLL of a response that is not discrete (discrete ones: ln |choice set|, stored per row). */
function uniformByStudy(profile: DatasetProfile): Map<string, number> {
  return new Map([...profile.studies].map(([s, p]) => [s, Math.log(Math.max(1, p.distinctResponses))]));
}
