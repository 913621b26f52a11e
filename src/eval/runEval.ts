import type { ParsedRecord } from '../data/parseRecord.js';
import { studyParticipantKey } from '../data/participantKey.js';
import type { Transcript } from '../data/types.js';
import { BackendError, HumanlikeError } from '../errors.js';
import type { ParticipantOutcome, ParticipantScore, ResponseScorer, ResultSink } from '../scoring/ResponseScorer.js';
import { createTokenTally } from './createTokenTally.js';
import type { DatasetProfile } from './profileStudies.js';

export interface EvalProgress {
  participantsDone: number;
  participantsTotal: number;
  responsesScored: number;
  /** Tokens evaluated in this session so far, the windows of participants in progress included. */
  tokens: number;
  /**
   * Estimate of the tokens this session will evaluate when done (see estimateSessionTokens); 0 when the scorer
   * evaluates no tokens (baselines).
   */
  tokensTotal: number;
  elapsedMs: number;
}

export interface EvalOptions {
  /** The selected participants' records, parsed (readTranscripts of a source, or records held in memory). */
  records: AsyncIterable<ParsedRecord>;
  scorer: ResponseScorer;
  profile: DatasetProfile;
  sink: ResultSink;
  /** Participants already finished by an earlier, interrupted run: skipped without recomputation. */
  finished: ReadonlySet<string>;
  onProgress?: (p: EvalProgress) => void;
  /** Stop taking new participants when aborted (Ctrl-C); finished work is kept. */
  signal?: AbortSignal;
  /** Stop the run after this many participants failed with backend errors. Default 20. */
  errorBudget?: number;
}

export interface EvalSummary {
  participantsScored: number;
  participantsSkipped: number;
  participantsResumed: number;
  responsesScored: number;
  responsesSkipped: number;
  /** Participants left unfinished by backend failures (a resume retries them). */
  participantsFailed: number;
  /** Records repeating a participant id already scored in this run (validate reports them); not scored twice. */
  duplicateRecords: number;
  tokens: number;
  interrupted: boolean;
  elapsedMs: number;
}

/**
 * The run loop: stream the selected participants, skip the finished ones, score the rest (up to the scorer's
 * concurrency at once), and hand every outcome to the sink. A participant that cannot be scored becomes a skipped
 * outcome with its reason, never a crashed run; backend failures count against the error budget.
 */
export async function runEval(o: EvalOptions): Promise<EvalSummary> {
  const started = Date.now();
  const summary: EvalSummary = {
    participantsScored: 0,
    participantsSkipped: 0,
    participantsResumed: 0,
    responsesScored: 0,
    responsesSkipped: 0,
    participantsFailed: 0,
    duplicateRecords: 0,
    tokens: 0,
    interrupted: false,
    elapsedMs: 0,
  };
  const budget = o.errorBudget ?? 20;
  let backendFailures = 0;
  let lastBackendError: BackendError | undefined;
  const inFlight = new Set<Promise<void>>();
  let sinkChain: Promise<void> = Promise.resolve();
  let fatal: unknown;
  const tally = createTokenTally(o.profile.characters);
  const progress = (): void =>
    o.onProgress?.({
      participantsDone: summary.participantsScored + summary.participantsSkipped + summary.participantsResumed,
      participantsTotal: o.profile.participants,
      responsesScored: summary.responsesScored,
      tokens: tally.tokens(),
      tokensTotal: tally.estimateTotal(),
      elapsedMs: Date.now() - started,
    });

  const finish = async (outcome: ParticipantOutcome): Promise<void> => {
    if (outcome.score) {
      summary.participantsScored++;
      summary.responsesScored += outcome.score.rows.length;
      summary.responsesSkipped += outcome.score.skipped.length;
      summary.tokens += outcome.score.tokensEvaluated;
    } else {
      summary.participantsSkipped++;
      summary.responsesSkipped += outcome.nResponses;
    }
    // One write at a time: participants finish concurrently, the sink is sequential.
    sinkChain = sinkChain.then(() => o.sink.add(outcome));
    await sinkChain;
    progress();
  };

  const scoreOne = async (t: Transcript): Promise<void> => {
    const t0 = Date.now();
    const base = { study: t.study, experiment: t.experiment, participant: t.participant, nResponses: t.spans.length };
    const profile = o.profile.studies.get(t.study);
    let score: ParticipantScore;
    try {
      if (!profile) throw new HumanlikeError(`study ${t.study} has no profile`);
      score = await o.scorer.scoreParticipant(t, profile, (p) => {
        tally.update(t, p);
        progress();
      });
      tally.finish(t, score.tokensEvaluated);
    } catch (e) {
      tally.finish(t, undefined);
      if (!(e instanceof HumanlikeError)) throw e;
      if (e instanceof BackendError) {
        backendFailures++;
        summary.participantsFailed++;
        lastBackendError = e;
        // A failing backend is not a property of the participant: leave it unfinished so a resume retries it.
        if (backendFailures >= budget)
          throw new BackendError(
            `stopped after ${backendFailures} backend failures (error budget ${budget}); the last: ${e.message}. Finished work is saved: run the same command again to resume`,
            { cause: e },
          );
        return;
      }
      await finish({ ...base, score: undefined, skipReason: e.message, seconds: (Date.now() - t0) / 1000 });
      return;
    }
    // Outside the try: a failing write (disk full) stops the run; it is no reason to skip the participant.
    await finish({ ...base, score, skipReason: undefined, seconds: (Date.now() - t0) / 1000 });
  };

  const seen = new Set<string>();
  progress();
  for await (const parsed of o.records) {
    if (fatal) break;
    if (o.signal?.aborted) {
      summary.interrupted = true;
      break;
    }
    const t = parsed.transcript;
    if (!t) continue; // not a transcript at all: counted by the profile pass and reported by validate
    const key = studyParticipantKey(t);
    if (o.finished.has(key)) {
      summary.participantsResumed++;
      tally.finish(t, undefined);
      continue;
    }
    if (seen.has(key)) {
      summary.duplicateRecords++;
      tally.finish(t, undefined);
      continue;
    }
    seen.add(key);
    if (parsed.hasErrors) {
      const codes = [...new Set(parsed.problems.filter((p) => p.severity === 'error').map((p) => p.code))].join(', ');
      await finish({
        study: t.study,
        experiment: t.experiment,
        participant: t.participant,
        nResponses: t.spans.length,
        score: undefined,
        skipReason: `invalid record (${codes}); see humanlike validate`,
        seconds: 0,
      });
      continue;
    }
    const p = scoreOne(t).catch((e: unknown) => {
      fatal ??= e;
    });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    while (inFlight.size >= Math.max(1, o.scorer.concurrency)) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  await sinkChain;
  await o.sink.flush();
  summary.elapsedMs = Date.now() - started;
  if (fatal) throw fatal;
  // Nothing scored and every failure a backend's: the backend is broken, not the data (a resume retries them all).
  if (lastBackendError && summary.participantsScored === 0) {
    throw new BackendError(
      `no participant could be scored: all ${summary.participantsFailed} attempted failed with backend errors; the last: ${lastBackendError.message}. Finished work is saved: run the same command again to resume`,
      { cause: lastBackendError },
    );
  }
  if (lastBackendError) summary.interrupted = true; // some participants were left for a resume
  return summary;
}
