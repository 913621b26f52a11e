import type { ResponseSpan } from '../data/types.js';

/** How a transcript is turned into the text a model reads. */
export const PROMPT_FORMATS = ['raw', 'chat', 'persona', 'persona-shuffled'] as const;
export type PromptFormat = (typeof PROMPT_FORMATS)[number];

/**
 * What to do with long transcripts. `windowed` (default) scores every response, splitting a transcript that does
 * not fit the context into windows; `reference` reproduces the paper's scripts: the text is cut at 32,768 characters
 * after their four substitutions, dropping the responses past the cut.
 */
export const CONTEXT_POLICIES = ['windowed', 'reference'] as const;
export type ContextPolicy = (typeof CONTEXT_POLICIES)[number];

/**
 * Versioned identifiers of each policy's rules, recorded in runs and hashed into the run key: a change of a rule
 * (docs/scoring.md) bumps its version, so runs scored under different rules never count as the same run.
 */
export const CONTEXT_POLICY_IDS: Record<ContextPolicy, string> = {
  windowed: 'windowed/pinned-head-25pct/half-window-stride/v2',
  reference: 'reference/32768-code-points+4-substitutions/one-pass-f32/v2',
};
/** How a token straddling a response boundary is scored: every token overlapping the response counts (v1). */
export const STRADDLE_POLICY_ID = 'overlap/v1';

/** The text a model reads, with each response's span in that text. */
export interface RenderedPrompt {
  text: string;
  /** Rendered span of each response, indexed like the transcript's spans; undefined when it was cut off. */
  spans: (ResponseSpan | undefined)[];
  /** Tokenize with special tokens (chat templates contain them). */
  special: boolean;
  /** Whether the rendered text already starts with BOS text (chat templates that render `bos_token`). */
  hasBosText: boolean;
  /** Characters the format puts before the transcript (the persona prefix); 0 for raw and chat. */
  prefixChars: number;
}
