import type { ModelIdentity } from '../backends/Backend.js';
import type { Transcript } from '../data/types.js';
import { choiceColumns, choiceDistribution } from './choiceDistribution.js';
import { findChoiceSets } from './choiceSets.js';
import type { ParticipantScore, ResponseScorer, ScoredResponse } from './ResponseScorer.js';
import { DISCRETE_RESPONSE, type StudyProfile } from './studyProfile.js';

export const BASELINES = ['uniform', 'frequency', 'sequential'] as const;
export type BaselineKind = (typeof BASELINES)[number];

/** Add-one smoothing of the frequency and sequential baselines. */
const ALPHA = 1;

/** The most frequent response (ties: the first in sort order), or undefined when nothing was counted. */
function argmaxOf(counts: ReadonlyMap<string, number>, among?: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestCount = 0;
  for (const r of among ?? [...counts.keys()].sort()) {
    const c = counts.get(r) ?? 0;
    if (c > bestCount || (best === undefined && among)) {
      best = r;
      bestCount = c;
    }
  }
  return best;
}

/**
 * Baselines that need no weights, scoring whole responses. A discrete response (one capital letter) is scored over
 * its own choice set S (choiceSets.ts); any other response over the study's support: its K distinct non-discrete
 * responses.
 * - `uniform` (chance): ln |S|, or ln K.
 * - `frequency`: P(r) = (c(r) + 1) / (Σ_{o∈S} c(o) + |S|), or (c(r) + 1) / (N + K), with c the response counts of the
 *   study's training participants (without a split, of every other participant: the scored participant is left out)
 *   and N their total over non-discrete responses. Letters are pooled across participants, whose letters may mean
 *   different things (Psych-201 randomises them), so on such studies it learns little more than a letter bias.
 * - `sequential` (habit/perseveration): the same with c the participant's own earlier responses.
 */
export class BaselineScorer implements ResponseScorer {
  readonly identity: ModelIdentity;
  readonly tokenizerId = 'none';
  readonly concurrency = 1;

  constructor(readonly kind: BaselineKind) {
    const details = kind === 'uniform' ? {} : { smoothing: `add-${ALPHA}`, support: 'choice set (discrete), study responses (other)' };
    this.identity = { name: `baseline:${kind}`, kind: 'baseline', details };
  }

  scoreParticipant(t: Transcript, profile: StudyProfile): Promise<ParticipantScore> {
    const K = Math.max(1, profile.distinctResponses);
    const contents = t.spans.map((s) => t.text.slice(s.start, s.end));
    const sets = findChoiceSets(t.text, t.spans, profile.options);
    let counts = profile.counts;
    let total = profile.countsTotal;
    // Leave the scored participant out when the counts include them (no split): no one predicts themselves.
    if (this.kind === 'frequency' && (profile.countsIncludeEveryone || t.split === 'train')) {
      counts = new Map(counts);
      contents.forEach((c, i) => {
        counts.set(c, (counts.get(c) ?? 0) - 1);
        if (!sets[i]) total--;
      });
    }
    const otherArgmax = this.kind === 'frequency' ? argmaxOf(new Map([...counts].filter(([r]) => !DISCRETE_RESPONSE.test(r)))) : undefined;
    const earlier = new Map<string, number>(); // sequential: this participant's responses so far
    let earlierOther = 0;
    let habit: string | undefined; // sequential: the most frequent earlier non-discrete response (ties: sort order)
    const rows: ScoredResponse[] = contents.map((content, i) => {
      const span = t.spans[i]!;
      const set = sets[i];
      const seen = this.kind === 'sequential' ? earlier : counts;
      const weight = (r: string): number => (this.kind === 'uniform' ? 1 : (seen.get(r) ?? 0) + ALPHA);
      // ln(total) − ln(weight), so that chance is exactly ln |S| or ln K.
      let logp: number;
      let predicted: string | undefined;
      // The baseline's own distribution over the set (the weights it normalises), for calibration; read before the
      // sequential counts take this response in.
      const dist =
        set && set.letters.length >= 2
          ? choiceDistribution(
              set.letters.map((o) => Math.log(weight(o))),
              set.letters.indexOf(content),
            )
          : undefined;
      if (set) {
        logp = Math.log(weight(content)) - Math.log(set.letters.reduce((s, o) => s + weight(o), 0));
        predicted = this.kind === 'uniform' ? undefined : argmaxOf(seen, set.letters);
      } else {
        const n = this.kind === 'uniform' ? 0 : this.kind === 'sequential' ? earlierOther : total;
        logp = Math.log(weight(content)) - Math.log(n + ALPHA * K);
        predicted = this.kind === 'sequential' ? habit : otherArgmax;
      }
      if (this.kind === 'sequential') {
        const c = (earlier.get(content) ?? 0) + 1;
        earlier.set(content, c);
        if (!set) {
          earlierOther++;
          // Counts only grow, so the running argmax stays exact.
          const best = habit === undefined ? 0 : (earlier.get(habit) ?? 0);
          if (c > best || (c === best && habit !== undefined && content < habit)) habit = content;
        }
      }
      const correct = this.kind === 'uniform' || predicted === undefined ? null : content === predicted;
      const choice = set !== undefined && set.letters.length >= 2;
      return {
        responseIndex: i,
        charStart: span.start,
        charEnd: span.end,
        nTokens: 1,
        nll: -logp,
        greedyMatch: correct,
        firstTokenLogprob: logp,
        straddle: 0,
        contextTokens: 0,
        prefixInView: null,
        discrete: set !== undefined,
        choiceCorrect: set ? correct : null,
        choiceNll: choice ? -logp : null,
        choiceCorrectRestricted: choice ? correct : null,
        ...choiceColumns(set, content, dist),
      };
    });
    // An empty response (let through only by the reference policy) is skipped, as a model run skips it.
    const empty = (i: number): boolean => contents[i]!.trim() === '';
    const skipped = rows
      .filter((r) => empty(r.responseIndex))
      .map((r) => ({ responseIndex: r.responseIndex, reason: 'empty response <<>>' }));
    return Promise.resolve({ rows: rows.filter((r) => !empty(r.responseIndex)), skipped, tokensEvaluated: 0, offsetFallbacks: 0 });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
