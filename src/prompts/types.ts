import type { ResponseSpan } from '../data/types.js';

/** How a transcript is turned into the text a model reads. */
export type PromptFormat = 'raw' | 'chat' | 'persona' | 'persona-shuffled';
export const PROMPT_FORMATS: readonly PromptFormat[] = ['raw', 'chat', 'persona', 'persona-shuffled'];

/**
 * What to do with long transcripts. `windowed` (default) scores every response, splitting a transcript that does
 * not fit the context into windows; `reference` reproduces the paper's scripts: the text is cut at 32,768 characters
 * after their four substitutions, dropping the responses past the cut.
 */
export type ContextPolicy = 'windowed' | 'reference';
export const CONTEXT_POLICIES: readonly ContextPolicy[] = ['windowed', 'reference'];

/** The text a model reads, with each response's span in that text. */
export interface RenderedPrompt {
  text: string;
  /** Rendered span of each response, indexed like the transcript's spans; undefined when it was cut off. */
  spans: (ResponseSpan | undefined)[];
  /** Tokenize with special tokens (chat templates contain them). */
  special: boolean;
  /** Whether the rendered text already starts with BOS text (chat templates that render `bos_token`). */
  hasBosText: boolean;
}
