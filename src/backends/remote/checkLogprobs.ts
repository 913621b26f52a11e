import { BackendError } from '../../errors.js';

/** Positive log-probabilities up to this are rounding of a certain token (read as 0); beyond it they are impossible. */
export const LOGPROB_ROUNDING = 1e-4;
/**
 * Lowest log-probability accepted, in nats. vLLM clamps at −9,999; no float32 softmax gets near −100,000, and values
 * like −1e308 would overflow a response's NLL to infinity.
 */
export const MIN_LOGPROB = -1e5;

/** A server reply that no model can produce: stored nowhere, the participant fails as a backend error. */
export class ImpossibleScoreError extends BackendError {}

/** The log-probability a server reported, checked: finite, in [MIN_LOGPROB, LOGPROB_ROUNDING]; rounding clamped to 0. */
export function checkLogprob(endpoint: string, value: unknown, position: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value > LOGPROB_ROUNDING || value < MIN_LOGPROB) {
    throw new ImpossibleScoreError(
      `${endpoint}: impossible log-probability ${String(value)} at position ${position} (expected a number in [${MIN_LOGPROB}, 0]); nothing of this participant is stored`,
      { endpoint },
    );
  }
  return Math.min(0, value);
}

/**
 * Check the top entries a server returned at one position with their claimed ranks (vLLM's map token → {logprob,
 * rank}): ranks are positive integers, a better rank never has a lower log-probability, and distinct tokens never
 * hold more than all the probability mass. Returns whether `actual` is the top-1.
 */
export function checkRankedEntries(
  endpoint: string,
  position: number,
  entries: readonly { token: string; logprob: number; rank: number | undefined }[],
  actual: string,
): boolean {
  const contradict = (why: string): never => {
    throw new ImpossibleScoreError(
      `${endpoint}: the top entries at position ${position} contradict each other (${why}); nothing of this participant is stored`,
      { endpoint },
    );
  };
  let mass = 0;
  let best = Number.NEGATIVE_INFINITY;
  for (const e of entries) {
    if (e.rank !== undefined && (!Number.isInteger(e.rank) || e.rank < 1)) contradict(`token ${e.token} has rank ${String(e.rank)}`);
    mass += Math.exp(e.logprob);
    best = Math.max(best, e.logprob);
  }
  if (mass > 1 + 1e-3) contradict(`their probabilities add up to more than 1 (${mass.toFixed(4)})`);
  const disorder = findRankDisorder(entries);
  if (disorder) {
    const [a, b] = disorder;
    contradict(`token ${a.token} has rank ${a.rank} but a lower log-probability than token ${b.token} of rank ${b.rank}`);
  }
  const mine = entries.find((e) => e.token === actual);
  if (!mine) return false;
  if (mine.rank === 1 && mine.logprob < best - LOGPROB_ROUNDING) contradict(`token ${actual} has rank 1 but another token is more likely`);
  return mine.rank !== undefined ? mine.rank === 1 : mine.logprob >= best;
}

/**
 * A pair of ranked entries where the better rank has the lower log-probability (beyond rounding), or undefined. Sorted
 * by rank, each entry is compared with the least likely entry of a strictly better rank: O(n log n), so a server
 * that sends 100,000 entries where 2 were asked for cannot stall the run.
 */
function findRankDisorder<E extends { logprob: number; rank: number | undefined }>(entries: readonly E[]): [E, E] | undefined {
  const ranked = entries.filter((e) => e.rank !== undefined).sort((x, y) => x.rank! - y.rank!);
  let worstBetter: E | undefined; // least likely entry among the ranks before the current one
  let worstHere: E | undefined; // least likely entry of the current rank
  for (let i = 0; i < ranked.length; i++) {
    const e = ranked[i]!;
    if (i > 0 && e.rank !== ranked[i - 1]!.rank) {
      if (worstHere && (!worstBetter || worstHere.logprob < worstBetter.logprob)) worstBetter = worstHere;
      worstHere = undefined;
    }
    if (worstBetter && worstBetter.logprob < e.logprob - LOGPROB_ROUNDING) return [worstBetter, e];
    if (!worstHere || e.logprob < worstHere.logprob) worstHere = e;
  }
  return undefined;
}

/** SGLang's top-1 list at a position against the actual token's log-probability. Returns whether it is the top-1. */
export function checkTop1(
  endpoint: string,
  position: number,
  actual: number,
  actualLogprob: number,
  top: { token: number; logprob: number } | undefined,
): boolean {
  if (!top) return false;
  const agree =
    top.token === actual ? Math.abs(top.logprob - actualLogprob) <= LOGPROB_ROUNDING : top.logprob >= actualLogprob - LOGPROB_ROUNDING;
  if (!agree) {
    throw new ImpossibleScoreError(
      `${endpoint}: the top entries at position ${position} contradict the actual token's log-probability (top-1 token ${top.token} at ${top.logprob}, token ${actual} at ${actualLogprob}); nothing of this participant is stored`,
      { endpoint },
    );
  }
  return top.token === actual || actualLogprob >= top.logprob;
}
