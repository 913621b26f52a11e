import type { Transcript } from '../data/types.js';

/**
 * Tokens per character assumed before any participant of the session has been tokenized: about 4 characters per
 * token, the usual figure for English text and byte-pair vocabularies. Replaced by the measured ratio (tokens the
 * scorer planned, windows' overlap included, per transcript character) as soon as one participant is planned.
 */
export const DEFAULT_TOKENS_PER_CHAR = 0.25;

export interface TokenTally {
  /** A participant in progress reported its planned and scored tokens (cumulative). */
  update(t: Transcript, p: { planned: number; scored: number }): void;
  /** A participant left the session: scored (its tokens), or skipped, resumed, failed or a duplicate (undefined). */
  finish(t: Transcript, tokensEvaluated: number | undefined): void;
  /** Tokens evaluated in this session, participants in progress included. */
  tokens(): number;
  /** Estimate of the session's tokens when done: what is known, plus the characters left × the measured ratio. */
  estimateTotal(): number;
}

/** The run loop's token accounting, for progress and its ETA. `charactersTotal`: characters of every selected transcript. */
export function createTokenTally(charactersTotal: number): TokenTally {
  const live = new Map<Transcript, { planned: number; scored: number }>();
  let spent = 0; // tokens evaluated for participants no longer in progress
  let settledChars = 0; // characters of participants no longer in progress (their work is known or will not be done)
  let measuredChars = 0;
  let measuredTokens = 0;
  return {
    update: (t, p) => void live.set(t, p),
    finish: (t, tokensEvaluated) => {
      const p = live.get(t);
      live.delete(t);
      settledChars += t.text.length;
      if (tokensEvaluated !== undefined) {
        spent += tokensEvaluated;
        measuredChars += t.text.length;
        measuredTokens += tokensEvaluated;
      } else spent += p?.scored ?? 0;
    },
    tokens: () => {
      let n = spent;
      for (const p of live.values()) n += p.scored;
      return n;
    },
    estimateTotal: () => {
      let planned = 0;
      let liveChars = 0;
      for (const [t, p] of live) {
        planned += p.planned;
        liveChars += t.text.length;
      }
      const chars = measuredChars + liveChars;
      const ratio = chars > 0 ? (measuredTokens + planned) / chars : DEFAULT_TOKENS_PER_CHAR;
      const left = Math.max(0, charactersTotal - settledChars - liveChars);
      return Math.round(spent + planned + left * ratio);
    },
  };
}
