/** Kinds of human responses, used by stats and by the discrete-choice analyses. */
export type ResponseKind = 'single letter' | 'number' | 'word' | 'free text';

export const RESPONSE_KINDS: readonly ResponseKind[] = ['single letter', 'number', 'word', 'free text'];

const NUMBER = /^[+-]?(\d+([.,]\d+)?|[.,]\d+)$/;
const SINGLE_LETTER = /^\p{L}$/u;
const WHITESPACE = /\s/;

/** Classify one response's content: one letter, a number, one word (no whitespace), or free text. */
export function responseKind(content: string): ResponseKind {
  const s = content.trim();
  if (SINGLE_LETTER.test(s)) return 'single letter';
  if (NUMBER.test(s)) return 'number';
  if (!WHITESPACE.test(s)) return 'word';
  return 'free text';
}
