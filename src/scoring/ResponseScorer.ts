import type { ModelIdentity } from '../backends/Backend.js';
import type { Transcript } from '../data/types.js';
import type { ChoiceRule } from './choiceSets.js';
import type { StudyProfile } from './studyProfile.js';

/** One scored human response: a row of the results store. NLL in nats (natural log). */
export interface ScoredResponse {
  /** 0-based order of the response in the transcript. */
  responseIndex: number;
  /** UTF-16 offsets of the response content in the original transcript text. */
  charStart: number;
  charEnd: number;
  nTokens: number;
  nll: number;
  /** Every token was the model's top-1 (null when the scorer has no notion of top-1). */
  greedyMatch: boolean | null;
  firstTokenLogprob: number | null;
  /** Bit 1: the first token also covers text before the response; bit 2: the last token covers text after it. */
  straddle: number;
  /** Tokens of context the response was scored with (the window's tokens before its first token). */
  contextTokens: number;
  /**
   * Whether what the prompt format puts before the transcript (the persona prefix) was in view: the window starts at
   * the text's start, or its pinned head holds the whole prefix. Null for baselines (no context).
   */
  prefixInView: boolean | null;
  /** A discrete response: a single capital letter, with a choice set. */
  discrete: boolean;
  /** Full-vocabulary accuracy: a one-token response whose token is the model's argmax (discrete responses only). */
  choiceCorrect: boolean | null;
  /** NLL renormalised over the response's choice set (discrete, one-token responses with one-token options). */
  choiceNll: number | null;
  /** Choice-restricted accuracy: the human's option has the highest probability among the options. */
  choiceCorrectRestricted: boolean | null;
  /** Which rule found the choice set of a discrete response, and its size (null for other responses). */
  choiceRule: ChoiceRule | null;
  choiceSetSize: number | null;
  /** The letters of the choice set, sorted and concatenated (`FJ`), and the human's letter (discrete responses). */
  choiceSet: string | null;
  choiceAnswer: string | null;
  /**
   * The scorer's distribution over the choice set (where choiceNll is computed; choiceDistribution.ts): its entropy
   * (nats), the probability of the human's choice, the largest probability (confidence) and Σ p² (for the Brier score).
   */
  choiceEntropy: number | null;
  choiceProb: number | null;
  choiceMaxProb: number | null;
  choiceSumSq: number | null;
}

export interface SkippedResponse {
  responseIndex: number;
  reason: string;
}

export interface ParticipantScore {
  rows: ScoredResponse[];
  skipped: SkippedResponse[];
  /** Tokens evaluated by the model for this participant (windows overlap, so ≥ the transcript's tokens). */
  tokensEvaluated: number;
  /** Texts whose token offsets needed the exact O(n²) method. */
  offsetFallbacks: number;
}

/**
 * Progress within one participant, cumulative: `planned` tokens once its windows are known (then `scored` is 0), then
 * after every window. A long transcript takes minutes: without this the run's progress moved once per participant.
 */
export type OnTokens = (p: { planned: number; scored: number }) => void;

/** What the run loop drives: model backends through TokenScorer, baselines directly. */
export interface ResponseScorer {
  readonly identity: ModelIdentity;
  /** Tokenizer description recorded in the run ('none' for baselines). */
  readonly tokenizerId: string;
  /** How many participants the run loop may score at once. */
  readonly concurrency: number;
  /**
   * Score a participant, or throw a HumanlikeError when the participant as a whole cannot be scored (the run loop
   * records it as skipped with the message).
   */
  scoreParticipant(t: Transcript, profile: StudyProfile, onTokens?: OnTokens): Promise<ParticipantScore>;
  close(): Promise<void>;
}

/** Where finished participants go (a results store's run writer). Written in order of completion; flush makes them durable. */
export interface ResultSink {
  add(outcome: ParticipantOutcome): Promise<void>;
  flush(): Promise<void>;
}

/** A participant finished (scored, or skipped with a reason), as handed to the results sink. */
export interface ParticipantOutcome {
  study: string;
  experiment: string;
  participant: string;
  nResponses: number;
  score: ParticipantScore | undefined;
  skipReason: string | undefined;
  seconds: number;
}
