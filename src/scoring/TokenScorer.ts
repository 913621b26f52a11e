import { type Backend, isLocalTokenizer, type ScoreRequest, type TokenScore } from '../backends/Backend.js';
import { participantKey } from '../data/participantKey.js';
import type { Metadata, ResponseSpan, Transcript } from '../data/types.js';
import { CapabilityError, DataError } from '../errors.js';
import { hasPersonaMetadata } from '../prompts/persona.js';
import { renderPrompt } from '../prompts/renderPrompt.js';
import type { ContextPolicy, PromptFormat } from '../prompts/types.js';
import { alignSpans } from './alignSpans.js';
import { choiceColumns, choiceDistribution } from './choiceDistribution.js';
import { findChoiceSets } from './choiceSets.js';
import { optionTokens } from './optionTokens.js';
import { pinnedHead, planWindows, type ResponsePositions } from './planWindows.js';
import type { OnTokens, ParticipantScore, ResponseScorer, ScoredResponse, SkippedResponse } from './ResponseScorer.js';
import { type StudyProfile, shuffledPersona } from './studyProfile.js';

export interface TokenScorerOptions {
  format: PromptFormat;
  policy: ContextPolicy;
  /** Participants scored at once (remote backends; 1 for embedded engines). Default: the backend's batchSequences. */
  concurrency?: number;
}

/** A participant's windows as requests, and where each response sits in them (TokenScorer.planParticipant). */
export interface ParticipantPlan {
  requests: ScoreRequest[];
  /** For each request, the responses it scores (index into positions) and the offset of their positions in it. */
  requestOf: { j: number; offset: number; prefixInView: boolean }[][];
  positions: ResponsePositions[];
  present: { index: number; span: ResponseSpan }[];
  /** Index into `present` for each entry of positions. */
  which: number[];
  aligned: ReturnType<typeof alignSpans>;
  sets: ReturnType<typeof findChoiceSets>;
  alternativesOf: Map<number, number[]>;
  skipped: SkippedResponse[];
  /** Tokens of all requests: windows of a long transcript overlap; text after the last response is not evaluated. */
  tokensEvaluated: number;
  /** Tokens of the rendered transcript (BOS included). */
  sequenceLength: number;
  offsetFallback: boolean;
}

/** Scores responses with a language model backend: render, tokenize, align, window, score, sum. */
export class TokenScorer implements ResponseScorer {
  readonly identity;
  readonly tokenizerId;
  readonly concurrency: number;
  private readonly optionCache = new Map<string, number[] | undefined>();

  constructor(
    private readonly backend: Backend,
    private readonly options: TokenScorerOptions,
  ) {
    this.identity = backend.identity;
    this.tokenizerId = backend.tokenizer.id;
    this.concurrency = options.concurrency ?? backend.capabilities.batchSequences;
    if (options.format === 'chat' && !backend.capabilities.chatTemplate) {
      throw new CapabilityError(`${backend.identity.name} has no chat template, so --format chat cannot be used (use raw or persona)`);
    }
  }

  private personaFor(t: Transcript, profile: StudyProfile): Metadata | undefined {
    if (this.options.format === 'persona') {
      if (!hasPersonaMetadata(t.metadata)) throw new DataError('no metadata to state in a persona');
      return t.metadata;
    }
    if (this.options.format === 'persona-shuffled') {
      const other = shuffledPersona(profile, participantKey(t));
      if (!other) throw new DataError('persona-shuffled needs this participant and another of the study to have metadata');
      return other;
    }
    return undefined;
  }

  async scoreParticipant(t: Transcript, profile: StudyProfile, onTokens?: OnTokens): Promise<ParticipantScore> {
    const plan = await this.planParticipant(t, profile);
    return this.collectRows(t, plan, await this.scoreRequests(plan.requests, onTokens));
  }

  /**
   * Score the windows, reporting tokens as each finishes: one request per backend call, at most the backend's
   * batchSequences in flight (an embedded engine scores one at a time; a server pool gets as many as it takes).
   */
  private async scoreRequests(requests: readonly ScoreRequest[], onTokens: OnTokens | undefined): Promise<TokenScore[][]> {
    const planned = requests.reduce((s, r) => s + r.tokens.length, 0);
    if (!onTokens) return this.backend.scoreTokens(requests);
    onTokens({ planned, scored: 0 });
    const results: TokenScore[][] = new Array<TokenScore[]>(requests.length);
    let next = 0;
    let scored = 0;
    let failed = false; // a failed window fails the participant: send no more
    const worker = async (): Promise<void> => {
      while (next < requests.length && !failed) {
        const i = next++;
        const r = requests[i]!;
        try {
          results[i] = (await this.backend.scoreTokens([r]))[0]!;
        } catch (e) {
          failed = true;
          throw e;
        }
        scored += r.tokens.length;
        onTokens({ planned, scored });
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(this.backend.capabilities.batchSequences, requests.length)) }, worker));
    return results;
  }

  /**
   * Render, tokenize, align and window one participant: the requests a backend scores (and, for assembling rows,
   * where each response sits). Needs only the tokenizer and the context size: `eval --dry-run` counts with it.
   */
  async planParticipant(t: Transcript, profile: StudyProfile): Promise<ParticipantPlan> {
    const rendered = this.render(t, profile);
    const { present, skipped } = partitionSpans(rendered);
    const located = await this.locateResponses(rendered, present, skipped);
    const { sequence, positions, which } = located;
    const { contextSize } = this.backend.capabilities;
    // The paper's evaluator reads the whole cut text at once: no windows under the reference policy.
    if (this.options.policy === 'reference' && sequence.length > contextSize) {
      throw new CapabilityError(
        `the reference policy scores the cut text in one pass: it is ${sequence.length} tokens and the engine's context holds ${contextSize} (give --context-size ${sequence.length} or more)`,
      );
    }
    // What the participant was told before the first response (and the persona prefix, the system turn) is pinned at
    // the start of every window, up to HEAD_SHARE of the context.
    const plan = planWindows(sequence.length, positions, contextSize, pinnedHead(positions[0]?.first ?? 0, contextSize));
    for (const u of plan.unscorable) skipped.push({ responseIndex: present[which[u.index]!]!.index, reason: u.reason });
    const sets = findChoiceSets(t.text, t.spans, profile.options);
    const alternativesOf = this.choiceAlternatives(t, rendered, sets, present, located);
    return {
      ...windowRequests(plan.windows, sequence, positions, alternativesOf, located.prefixTokens),
      positions,
      present,
      which,
      aligned: located.aligned,
      sets,
      alternativesOf,
      skipped,
      sequenceLength: sequence.length,
      offsetFallback: located.offsetFallback,
    };
  }

  /** The participant's prompt in the run's format (a persona from this or a shuffled participant's metadata). */
  private render(t: Transcript, profile: StudyProfile): RenderedPrompt {
    const { tokenizer, capabilities } = this.backend;
    const personaMetadata = this.personaFor(t, profile);
    const rendered = renderPrompt(t, {
      format: this.options.format,
      policy: this.options.policy,
      ...(capabilities.chatTemplate !== undefined && { chatTemplate: capabilities.chatTemplate }),
      bosText: tokenizer.bosText,
      eosText: tokenizer.eosText,
      ...(personaMetadata && { personaMetadata }),
    });
    // eval_meta.py keeps only participants with a field it would state ("Healthy" alone is N/A).
    if (personaMetadata && this.options.policy === 'reference' && rendered.prefixChars === 0) {
      throw new DataError('no metadata eval_meta.py would state (a control diagnosis such as "Healthy" is N/A)');
    }
    return rendered;
  }

  /**
   * Tokenize the rendered text and find each present response's tokens (BOS included in the positions); responses no
   * token covers are skipped. prefixTokens: the tokens of the persona prefix (BOS included).
   */
  private async locateResponses(rendered: RenderedPrompt, present: PresentSpan[], skipped: SkippedResponse[]): Promise<LocatedResponses> {
    const { tokenizer } = this.backend;
    const tok = await tokenizer.tokenizeWithRanges(rendered.text, rendered.special);
    const aligned = alignSpans(
      present.map((p) => p.span),
      tok.starts,
      tok.ends,
    );
    const usesBos = tokenizer.addBos && tokenizer.bos !== undefined && !rendered.hasBosText;
    const shift = usesBos ? 1 : 0;
    const sequence = usesBos ? [tokenizer.bos as number, ...tok.tokens] : tok.tokens;
    const positions: ResponsePositions[] = [];
    const which: number[] = [];
    aligned.forEach((a, i) => {
      if (a.first < 0) skipped.push({ responseIndex: present[i]!.index, reason: 'no token covers the response' });
      else {
        positions.push({ first: a.first + shift, last: a.last + shift });
        which.push(i);
      }
    });
    let prefixTokens = 0;
    while (prefixTokens < tok.starts.length && tok.starts[prefixTokens]! < rendered.prefixChars) prefixTokens++;
    return { sequence, aligned, positions, which, prefixTokens: prefixTokens + shift, offsetFallback: tok.usedFallback };
  }

  /**
   * Choice-restricted accuracy needs the tokens of the response's own options (its choice set) at its position: for
   * single-token answers whose option tokens include the human's token there. Keyed by index into positions.
   */
  private choiceAlternatives(
    t: Transcript,
    rendered: RenderedPrompt,
    sets: ReturnType<typeof findChoiceSets>,
    present: PresentSpan[],
    { sequence, positions, which, aligned }: LocatedResponses,
  ): Map<number, number[]> {
    const { tokenizer, capabilities } = this.backend;
    const alternativesOf = new Map<number, number[]>();
    if (!capabilities.alternatives || !isLocalTokenizer(tokenizer)) return alternativesOf;
    positions.forEach((pos, j) => {
      const p = present[which[j]!]!;
      const a = aligned[which[j]!]!;
      const set = sets[p.index];
      if (!set || set.letters.length < 2 || pos.first !== pos.last || a.straddleStart || a.straddleEnd) return;
      const content = t.text.slice(t.spans[p.index]!.start, t.spans[p.index]!.end);
      const ids = optionTokens(tokenizer, rendered.text.slice(0, p.span.start), set.letters, rendered.special, this.optionCache);
      if (ids && ids[set.letters.indexOf(content)] === sequence[pos.first]) alternativesOf.set(j, ids);
    });
    return alternativesOf;
  }

  private collectRows(t: Transcript, plan: ParticipantPlan, results: TokenScore[][]): ParticipantScore {
    const rows: ScoredResponse[] = [];
    results.forEach((scores, r) => {
      let cursor = 0;
      for (const placed of plan.requestOf[r]!) {
        const pos = plan.positions[placed.j]!;
        const n = pos.last - pos.first + 1;
        rows.push(this.responseRow(t, plan, placed, scores.slice(cursor, cursor + n)));
        cursor += n;
      }
    });
    rows.sort((a, b) => a.responseIndex - b.responseIndex);
    plan.skipped.sort((a, b) => a.responseIndex - b.responseIndex);
    return { rows, skipped: plan.skipped, tokensEvaluated: plan.tokensEvaluated, offsetFallbacks: plan.offsetFallback ? 1 : 0 };
  }

  /** One scored response from its tokens' scores (`mine`): NLL, greedy match, and over its choice set, the choice. */
  private responseRow(
    t: Transcript,
    plan: ParticipantPlan,
    { j, offset, prefixInView }: ParticipantPlan['requestOf'][number][number],
    mine: TokenScore[],
  ): ScoredResponse {
    const { capabilities } = this.backend;
    const pos = plan.positions[j]!;
    const n = mine.length;
    const p = plan.present[plan.which[j]!]!;
    const a = plan.aligned[plan.which[j]!]!;
    const orig = t.spans[p.index]!;
    const content = t.text.slice(orig.start, orig.end);
    const set = plan.sets[p.index];
    const discrete = set !== undefined;
    const first = mine[0];
    const alts = first?.alternatives;
    const dist = plan.alternativesOf.has(j) && alts ? choiceDistribution(alts, set?.letters.indexOf(content) ?? -1) : undefined;
    return {
      responseIndex: p.index,
      charStart: orig.start,
      charEnd: orig.end,
      nTokens: n,
      nll: -mine.reduce((s, x) => s + x.logprob, 0),
      greedyMatch: capabilities.top1 ? mine.every((x) => x.top1) : null,
      firstTokenLogprob: first?.logprob ?? null,
      straddle: (a.straddleStart ? 1 : 0) | (a.straddleEnd ? 2 : 0),
      contextTokens: pos.first + offset,
      prefixInView,
      discrete,
      choiceCorrect: discrete && n === 1 && capabilities.top1 ? (first?.top1 ?? null) : null,
      choiceNll: dist?.nll ?? null,
      choiceCorrectRestricted: dist?.correct ?? null,
      ...choiceColumns(set, content, dist),
    };
  }

  close(): Promise<void> {
    return this.backend.close();
  }
}

type RenderedPrompt = ReturnType<typeof renderPrompt>;
type PresentSpan = { index: number; span: ResponseSpan };

/** Where the present responses sit in the tokenized sequence (TokenScorer.locateResponses). */
interface LocatedResponses {
  sequence: number[];
  aligned: ReturnType<typeof alignSpans>;
  positions: ResponsePositions[];
  /** Index into the present responses for each entry of positions. */
  which: number[];
  prefixTokens: number;
  offsetFallback: boolean;
}

/** The rendered responses to score, and those skipped before tokenizing (cut off by the preset, empty `<<>>`). */
function partitionSpans(rendered: RenderedPrompt): { present: PresentSpan[]; skipped: SkippedResponse[] } {
  const skipped: SkippedResponse[] = [];
  const present: PresentSpan[] = [];
  rendered.spans.forEach((span, index) => {
    if (!span) skipped.push({ responseIndex: index, reason: 'cut off by the reference preset (32,768 characters)' });
    else if (rendered.text.slice(span.start, span.end).trim() === '') skipped.push({ responseIndex: index, reason: 'empty response <<>>' });
    else present.push({ index, span });
  });
  return { present, skipped };
}

/**
 * One request per window: the pinned head then the window's tokens, scoring its responses' positions (shifted by the
 * window's offset). A response saw the persona prefix when its window starts at 0 or its pinned head holds the prefix.
 */
function windowRequests(
  windows: ReturnType<typeof planWindows>['windows'],
  sequence: readonly number[],
  positions: readonly ResponsePositions[],
  alternativesOf: ReadonlyMap<number, number[]>,
  prefixTokens: number,
): Pick<ParticipantPlan, 'requests' | 'requestOf' | 'tokensEvaluated'> {
  const requests: ScoreRequest[] = [];
  const requestOf: ParticipantPlan['requestOf'] = [];
  let tokensEvaluated = 0;
  for (const w of windows) {
    const offset = w.head - w.start;
    const tokens = w.head > 0 ? [...sequence.slice(0, w.head), ...sequence.slice(w.start, w.end)] : sequence.slice(w.start, w.end);
    const scoredPositions: number[] = [];
    const alternatives = new Map<number, number[]>();
    for (const j of w.responses) {
      const pos = positions[j]!;
      for (let p = pos.first; p <= pos.last; p++) scoredPositions.push(p + offset);
      const alts = alternativesOf.get(j);
      if (alts) alternatives.set(pos.first + offset, alts);
    }
    requests.push({ tokens, positions: scoredPositions, ...(alternatives.size > 0 && { alternatives }) });
    requestOf.push(w.responses.map((j) => ({ j, offset, prefixInView: w.start === 0 || w.head >= prefixTokens })));
    tokensEvaluated += tokens.length;
  }
  return { requests, requestOf, tokensEvaluated };
}
