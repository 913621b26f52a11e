import { existsSync } from 'node:fs';
import type { Backend, ScoreRequest } from '../backends/Backend.js';
import { VocabOnlyBackend } from '../backends/VocabOnlyBackend.js';
import { studyParticipantKey } from '../data/participantKey.js';
import { type ReadOptions, readTranscripts } from '../data/readTranscripts.js';
import { DatabaseLockedError, HumanlikeError, UsageError } from '../errors.js';
import { TokenScorer } from '../scoring/TokenScorer.js';
import { ResultsStore } from '../store/ResultsStore.js';
import { createBackend } from './createScorer.js';
import type { EvalConfig } from './evalConfig.js';
import { assertPersonasAvailable, readOptionsWithSplit } from './evaluate.js';
import { estimateSeconds, fitWindowTimes, type WindowTimeModel, type WindowTiming } from './fitWindowTimes.js';
import { type DatasetProfile, profileStudies } from './profileStudies.js';
import { computeRunKey } from './runKey.js';

/** The run's first windows timed by the calibration; its shortest and longest windows are timed too. */
export const CALIBRATION_WINDOWS = 3;
/** The longest window is timed on at most this many tokens; longer ones are extrapolated (a·n + b·n²). */
export const CALIBRATION_MAX_TOKENS = 4096;

export interface DryRunStudy {
  study: string;
  participants: number;
  responses: number;
  characters: number;
  /** Tokens of the rendered transcripts (BOS included), with the model's tokenizer; null without one. */
  tokens: number | null;
  /** Tokens of every window (overlapping windows of long transcripts count twice): what the run evaluates. */
  tokensEvaluated: number | null;
  /** Participants the existing run (resumed) has finished already, and the tokens left to evaluate without them. */
  participantsDone: number;
  tokensEvaluatedLeft: number | null;
  windows: number | null;
  /** Participants the run would skip as a whole (persona metadata missing, a tokenizer that changes the text). */
  participantsSkipped: number;
  /** Time for the participants left (a resumed run does not score its finished ones again). */
  estimatedSeconds: number | null;
}

export interface DryRunReport {
  model: string;
  contextSize: number | null;
  /** What the run database holds for this configuration (nothing is created or written). */
  existing: { runId: string; status: string; participantsDone: number } | null;
  studies: DryRunStudy[];
  calibration: { windows: WindowTiming[]; fit: WindowTimeModel } | null;
  estimatedSeconds: number | null;
  notes: string[];
}

/**
 * What `eval` would do, without doing it: the participants, responses and tokens per study (rendered, tokenized and
 * windowed exactly as the run would, with a vocab-only load of a GGUF model), and the time from a short calibration
 * with the real model. Writes nothing: no database is created.
 */
export async function dryRun(config: EvalConfig, hooks: { onStep?: (what: string) => void } = {}): Promise<DryRunReport> {
  const notes: string[] = [];
  const { existing, finished } = await findExisting(config, notes);
  const read = await readOptionsWithSplit(config);
  const profile = await profileStudies(readTranscripts(config.source, { ...read, select: 'all' }), {
    select: config.select,
    seed: config.personaSeed,
    countResponses: true,
  });
  if (profile.participants === 0)
    throw new UsageError(
      `${config.source}: nothing to score (no valid participant in the selection${config.select !== 'all' ? ` '${config.select}'` : ''}); run 'humanlike validate' to see why`,
    );
  assertPersonasAvailable(config, profile);
  const planner = await openPlanner(config, notes);
  try {
    const scorer = planner ? new TokenScorer(planner, { format: config.format, policy: config.policy }) : undefined;
    const { studies, samples } = await planStudies(config, read, profile, { scorer, finished, onStep: hooks.onStep });
    if (planner && samples.length) hooks.onStep?.(`calibrating: timing ${samples.length} windows with the model`);
    const calibration = planner ? await calibrate(config, planner, samples, notes) : null;
    const rows = studies
      .sort((a, b) => (a.study < b.study ? -1 : 1))
      .map(({ squares, ...s }) => ({
        ...s,
        estimatedSeconds:
          calibration && s.tokensEvaluatedLeft !== null ? estimateSeconds(calibration.fit, s.tokensEvaluatedLeft, squares) : null,
      }));
    if (config.model.kind === 'baseline') notes.push('a baseline evaluates no tokens: the run takes about as long as reading the data');
    const total = calibration ? rows.reduce((sum, r) => sum + (r.estimatedSeconds ?? 0), 0) : null;
    return {
      model: planner?.identity.name ?? `baseline:${config.model.kind === 'baseline' ? config.model.name : ''}`,
      contextSize: planner?.capabilities.contextSize ?? null,
      existing,
      studies: rows,
      calibration,
      estimatedSeconds: total,
      notes,
    };
  } finally {
    await planner?.close();
  }
}

/** squares: Σ n² over the windows of the participants left (the quadratic term of the time model). */
type PlannedStudy = DryRunStudy & { squares: number };

interface PlanContext {
  scorer: TokenScorer | undefined;
  /** Keys of the participants the existing run has finished (studyParticipantKey). */
  finished: ReadonlySet<string>;
  onStep?: ((what: string) => void) | undefined;
}

/**
 * Count (and with a scorer, plan) every participant the run would score, per study, keeping the windows a calibration
 * times: the run's first CALIBRATION_WINDOWS, its shortest and its longest. Finished participants count in the totals
 * but not in what is left.
 */
async function planStudies(
  config: EvalConfig,
  read: ReadOptions,
  profile: DatasetProfile,
  { scorer, finished, onStep }: PlanContext,
): Promise<{ studies: PlannedStudy[]; samples: ScoreRequest[] }> {
  const studies = new Map<string, PlannedStudy>();
  const first: ScoreRequest[] = [];
  let shortest: ScoreRequest | undefined;
  let longest: ScoreRequest | undefined;
  const seen = new Set<string>();
  for await (const parsed of readTranscripts(config.source, read)) {
    const t = parsed.transcript;
    const key = t && studyParticipantKey(t);
    if (!t || !key || parsed.hasErrors || seen.has(key)) continue;
    seen.add(key);
    let s = studies.get(t.study);
    if (!s) {
      onStep?.(`${scorer ? 'tokenizing' : 'counting'} ${t.study}`);
      s = {
        study: t.study,
        participants: 0,
        responses: 0,
        characters: 0,
        tokens: scorer ? 0 : null,
        tokensEvaluated: scorer ? 0 : null,
        participantsDone: 0,
        tokensEvaluatedLeft: scorer ? 0 : null,
        windows: scorer ? 0 : null,
        participantsSkipped: 0,
        estimatedSeconds: null,
        squares: 0,
      };
      studies.set(t.study, s);
    }
    s.participants++;
    s.responses += t.spans.length;
    s.characters += t.text.length;
    const done = finished.has(key);
    if (done) s.participantsDone++;
    if (!scorer) continue;
    try {
      const plan = await scorer.planParticipant(t, profile.studies.get(t.study)!);
      s.tokens = (s.tokens ?? 0) + plan.sequenceLength;
      s.tokensEvaluated = (s.tokensEvaluated ?? 0) + plan.tokensEvaluated;
      s.windows = (s.windows ?? 0) + plan.requests.length;
      if (!done) s.tokensEvaluatedLeft = (s.tokensEvaluatedLeft ?? 0) + plan.tokensEvaluated;
      for (const r of plan.requests) {
        if (!done) s.squares += r.tokens.length ** 2;
        if (first.length < CALIBRATION_WINDOWS) first.push(r);
        if (!longest || r.tokens.length > longest.tokens.length) longest = r;
        if (!shortest || r.tokens.length < shortest.tokens.length) shortest = r;
      }
    } catch (e) {
      if (!(e instanceof HumanlikeError)) throw e;
      s.participantsSkipped++;
    }
  }
  const extra = [shortest, longest && cut(longest, CALIBRATION_MAX_TOKENS)].filter(
    (r): r is ScoreRequest => r !== undefined && !first.includes(r),
  );
  return { studies: [...studies.values()], samples: [...first, ...extra] };
}

/**
 * The run this configuration would resume or find complete, and its finished participants, read-only; nothing when
 * there is no database.
 */
async function findExisting(
  config: EvalConfig,
  notes: string[],
): Promise<{ existing: DryRunReport['existing']; finished: ReadonlySet<string> }> {
  const none = { existing: null, finished: new Set<string>() };
  if (config.newRun || !existsSync(config.db)) return none;
  let store: ResultsStore;
  try {
    store = await ResultsStore.open(config.db, { readOnly: true });
  } catch (e) {
    if (!(e instanceof DatabaseLockedError)) throw e;
    notes.push(`${config.db} is in use by a running eval: whether this run exists there is not known`);
    return none;
  }
  try {
    const run = await store.findRunByConfig(await computeRunKey(config));
    if (!run) return none;
    const finished = await store.finishedParticipants(run.runId);
    return { existing: { runId: run.runId, status: run.status, participantsDone: finished.size }, finished };
  } finally {
    store.close();
  }
}

/** What renders and tokenizes like the run: a vocab-only GGUF, or the servers (their tokenizer); none for baselines. */
async function openPlanner(config: EvalConfig, notes: string[]): Promise<Backend | undefined> {
  const spec = config.model;
  if (spec.kind === 'baseline') return undefined;
  if (spec.kind === 'gguf')
    return VocabOnlyBackend.create({
      model: spec.path,
      gpu: spec.gpu,
      ...(spec.contextSize !== undefined && { contextSize: spec.contextSize }),
    });
  try {
    return await createBackend(spec);
  } catch (e) {
    if (!(e instanceof HumanlikeError)) throw e;
    notes.push(`no tokens and no time estimate: the servers cannot be used (${e.message})`);
    return undefined;
  }
}

/**
 * Time a few windows with the real model (the run's first windows, its shortest and its longest cut to
 * CALIBRATION_MAX_TOKENS), each twice after one untimed warm-up, keeping the faster; then fit seconds = a·n + b·n².
 */
async function calibrate(
  config: EvalConfig,
  planner: Backend,
  windows: ScoreRequest[],
  notes: string[],
): Promise<DryRunReport['calibration']> {
  if (config.model.kind === 'baseline' || windows.length === 0) return null;
  let backend: Backend;
  try {
    // Servers score already; a vocab-only GGUF gives way to the full model.
    backend = planner instanceof VocabOnlyBackend ? await createBackend(config.model) : planner;
  } catch (e) {
    if (!(e instanceof HumanlikeError)) throw e;
    notes.push(`no time estimate: the model cannot be loaded (${e.message})`);
    return null;
  }
  try {
    await backend.scoreTokens([windows[0]!]);
    const timings: WindowTiming[] = [];
    for (const w of windows) {
      // The faster of two: a shared machine only ever adds time.
      let best = Number.POSITIVE_INFINITY;
      for (let k = 0; k < 2; k++) {
        const t0 = process.hrtime.bigint();
        await backend.scoreTokens([w]);
        best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
      }
      timings.push({ tokens: w.tokens.length, seconds: best });
    }
    if (config.model.kind === 'remote' && backend.capabilities.batchSequences > 1) {
      notes.push(
        `the estimate assumes one request at a time; with ${backend.capabilities.batchSequences} in flight the run is faster if the servers batch them`,
      );
    }
    return { windows: timings, fit: fitWindowTimes(timings) };
  } finally {
    if (backend !== planner) await backend.close();
  }
}

/** The first n tokens of a request, scoring its positions among them (at least the last). */
function cut(r: ScoreRequest, n: number): ScoreRequest {
  if (r.tokens.length <= n) return r;
  const positions = r.positions.filter((p) => p < n);
  return { tokens: r.tokens.slice(0, n), positions: positions.length ? positions : [n - 1] };
}
