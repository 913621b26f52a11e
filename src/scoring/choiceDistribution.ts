import type { ChoiceSet } from './choiceSets.js';
import type { ScoredResponse } from './ResponseScorer.js';

/**
 * A distribution over a response's choice set S and what the store keeps of it (record version 3): from log-weights
 * of the options (log-probabilities, or any unnormalised logs), renormalised over S, p_o = exp(w_o) / Σ_{o'∈S} exp(w_o').
 */
export interface ChoiceDistribution {
  /** −ln p_human: the choice-restricted NLL. */
  nll: number;
  /** The human's option has the highest probability (ties count as correct). */
  correct: boolean;
  /** −Σ p_o ln p_o, nats. */
  entropy: number;
  /** p_human. */
  prob: number;
  /** max_o p_o: the model's confidence. */
  maxProb: number;
  /** Σ p_o²: with prob, the multi-class Brier score Σ (p_o − 1[o = human])² = sumSq − 2 prob + 1. */
  sumSq: number;
}

/** The distribution over the set from each option's log-weight, and the human's option's index in it. */
export function choiceDistribution(logWeights: readonly number[], human: number): ChoiceDistribution {
  const max = Math.max(...logWeights);
  const lse = max + Math.log(logWeights.reduce((s, x) => s + Math.exp(x - max), 0));
  const target = logWeights[human] ?? Number.NEGATIVE_INFINITY;
  let entropy = 0;
  let sumSq = 0;
  for (const w of logWeights) {
    const p = Math.exp(w - lse);
    if (p > 0) entropy -= p * (w - lse);
    sumSq += p * p;
  }
  return { nll: lse - target, correct: target >= max, entropy, prob: Math.exp(target - lse), maxProb: Math.exp(max - lse), sumSq };
}

/** The row columns that describe a response's choice set and the scorer's distribution over it (null where absent). */
export function choiceColumns(
  set: ChoiceSet | undefined,
  answer: string,
  dist: ChoiceDistribution | undefined,
): Pick<
  ScoredResponse,
  'choiceRule' | 'choiceSetSize' | 'choiceSet' | 'choiceAnswer' | 'choiceEntropy' | 'choiceProb' | 'choiceMaxProb' | 'choiceSumSq'
> {
  return {
    choiceRule: set?.rule ?? null,
    choiceSetSize: set?.letters.length ?? null,
    choiceSet: set ? set.letters.join('') : null,
    choiceAnswer: set ? answer : null,
    choiceEntropy: dist?.entropy ?? null,
    choiceProb: dist?.prob ?? null,
    choiceMaxProb: dist?.maxProb ?? null,
    choiceSumSq: dist?.sumSq ?? null,
  };
}
