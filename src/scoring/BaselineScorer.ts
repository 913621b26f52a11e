import type { Transcript } from '../data/types.js';
import type { ModelIdentity } from '../backends/Backend.js';
import { DISCRETE_RESPONSE, type StudyProfile } from './studyProfile.js';
import type { ParticipantScore, ResponseScorer, ScoredResponse } from './ResponseScorer.js';

export const BASELINES = ['uniform', 'frequency'] as const;
export type BaselineKind = (typeof BASELINES)[number];

/** Add-one smoothing of the frequency baseline. */
const ALPHA = 1;

/**
 * Baselines that need no weights, scoring whole responses:
 * - `uniform`: each response equally likely among the K distinct responses seen in the study: NLL = ln K (chance).
 * - `frequency`: P(r) = (c(r) + 1) / (N + K), with c the response counts of the study's training participants (or,
 *   without a split, of every other participant: the scored participant is left out) and N their total.
 */
export class BaselineScorer implements ResponseScorer {
  readonly identity: ModelIdentity;
  readonly tokenizerId = 'none';
  readonly concurrency = 1;

  constructor(readonly kind: BaselineKind) {
    this.identity = { name: `baseline:${kind}`, kind: 'baseline', details: kind === 'frequency' ? { smoothing: `add-${ALPHA}` } : {} };
  }

  scoreParticipant(t: Transcript, profile: StudyProfile): Promise<ParticipantScore> {
    const K = Math.max(1, profile.distinctResponses);
    const contents = t.spans.map((s) => t.text.slice(s.start, s.end));
    let counts = profile.counts;
    let total = profile.countsTotal;
    // Leave the scored participant out when the counts include them (no split): no one predicts themselves.
    if (this.kind === 'frequency' && (profile.countsIncludeEveryone || t.split === 'train')) {
      counts = new Map(counts);
      for (const c of contents) {
        counts.set(c, (counts.get(c) ?? 0) - 1);
        total--;
      }
    }
    let argmax: string | undefined;
    if (this.kind === 'frequency') {
      let best = -1;
      for (const [r, c] of counts) if (c > best || (c === best && argmax !== undefined && r < argmax)) { best = c; argmax = r; }
    }
    const rows: ScoredResponse[] = contents.map((content, i) => {
      const span = t.spans[i]!;
      const logp = this.kind === 'uniform' ? -Math.log(K) : Math.log(((counts.get(content) ?? 0) + ALPHA) / (total + ALPHA * K));
      const discrete = DISCRETE_RESPONSE.test(content) && profile.options.includes(content);
      let choiceNll: number | null = null;
      let choiceCorrectRestricted: boolean | null = null;
      if (discrete && profile.options.length >= 2) {
        if (this.kind === 'uniform') choiceNll = Math.log(profile.options.length);
        else {
          const w = profile.options.map((o) => (counts.get(o) ?? 0) + ALPHA);
          const mine = (counts.get(content) ?? 0) + ALPHA;
          choiceNll = -Math.log(mine / w.reduce((a, b) => a + b, 0));
          choiceCorrectRestricted = mine >= Math.max(...w);
        }
      }
      return {
        responseIndex: i, charStart: span.start, charEnd: span.end, nTokens: 1, nll: -logp,
        greedyMatch: this.kind === 'frequency' ? content === argmax : null,
        firstTokenLogprob: logp, straddle: 0, contextTokens: 0, prefixInView: null, discrete,
        choiceCorrect: discrete && this.kind === 'frequency' ? content === argmax : null,
        choiceNll, choiceCorrectRestricted,
      };
    });
    return Promise.resolve({ rows, skipped: [], tokensEvaluated: 0, offsetFallbacks: 0 });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
