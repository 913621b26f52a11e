import type { ResponseSpan } from '../data/types.js';
import { DISCRETE_RESPONSE } from './studyProfile.js';

/**
 * Which rule gave a discrete response its choice set, tried in this order:
 * - `offered`: keys named as options in the text since the previous response (for the first response, since the
 *   start of the transcript), e.g. franke2024bayesian's `X: red / I: hexagon / ...` before each answer;
 * - `instructions`: keys named in the instructions (the text before the first response);
 * - `participant`: the distinct single letters this participant answered with;
 * - `study`: the distinct single letters of the whole study (only when the participant used one letter).
 * A rule applies when it names at least two keys and the human's answer is one of them.
 */
export const CHOICE_RULES = ['offered', 'instructions', 'participant', 'study'] as const;
export type ChoiceRule = (typeof CHOICE_RULES)[number];

export interface ChoiceSet {
  /** The keys the participant chose between, sorted. */
  letters: readonly string[];
  rule: ChoiceRule;
  /** The first rule that named two or more keys without the human's answer (then passed over): an exception. */
  missedBy?: ChoiceRule;
}

/** Case-insensitive word (the letters of options must stay case-sensitive, so no `i` flag). */
const ci = (word: string): string => word.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`);

/** Nouns that name an option when followed by a letter (`Option J`, `Stock P`, `house 'S'`, `Row A`, `key F`). */
const NOUN = `(?:${[
  'option',
  'alternative',
  'choice',
  'key',
  'button',
  'label',
  'letter',
  'stock',
  'bag',
  'house',
  'lotter(?:y|ie)',
  'gamble',
  'machine',
  'slot',
  'arm',
  'deck',
  'card',
  'door',
  'box',
  'urn',
  'row',
]
  .map(ci)
  .join('|')})(?:e?s)?`;
/** A standalone capital letter, optionally quoted (thoma2025problearn writes `labeled 'S' and I'`). */
const LETTER = `['"‘’]?([A-Z])['"‘’]?(?![\\p{L}\\p{N}])`;
const ITEM = `(?:${NOUN}\\s+)?${LETTER}`;
const SEP = `(?:\\s*,\\s*(?:and|or)\\s+|\\s*,\\s*|\\s+(?:and|or)\\s+|\\s*[/&]\\s*)`;
const LIST = `${ITEM}(?:${SEP}${ITEM})*`;
/** Words allowed between a trigger and its list: `options to choose from, J and G`, `options: M and Z`, `press the C key`. */
const FILLER = `(?:[\\s:,]*(?:${['to choose from', 'are', 'is', 'the'].map(ci).join('|')})(?![\\p{L}]))*[\\s:,]*`;
const BEFORE = '(?<![\\p{L}\\p{N}])';

/**
 * The option-naming patterns (each match's list of letters is read with ITEM):
 * 1. a noun of NOUN followed by a list: `Option J`, `options M and Z`, `houses labeled 'S' and I'`, `Row A and Row B`;
 * 2. a naming phrase followed by a list: `names are J, G, and F`, `named`, `called`, `labeled`;
 * 3. a key-press verb followed by a list: `press X`, `press the C key`, `select F or J`;
 * 4. a list followed by `key(s)`/`button(s)`: `the F and J keys`;
 * 5. option lines: a line that starts with a letter and `:` or `)`, e.g. `X: red`.
 */
const PATTERNS: readonly RegExp[] = [
  new RegExp(`${BEFORE}${NOUN}'?${FILLER}(${LIST})`, 'gu'),
  new RegExp(`${BEFORE}(?:${ci('name')}s? (?:are|is)|${ci('named')}|${ci('called')}|${ci('label')}l?ed)${FILLER}(${LIST})`, 'gu'),
  new RegExp(
    `${BEFORE}(?:${ci('press')}(?:es|ed|ing)?|${ci('hit')}|${ci('tap')}(?:ped|ping|s)?|${ci('select')}(?:s|ed|ing)?|${ci('click')}(?:s|ed|ing)?)${FILLER}(${LIST})`,
    'gu',
  ),
  new RegExp(`${BEFORE}(${LIST})\\s+(?:${ci('key')}|${ci('button')})s?(?![\\p{L}])`, 'gu'),
  new RegExp(`^[ \\t]*(${LETTER.replace('(?![\\p{L}\\p{N}])', '')})[ \\t]*[:)][ \\t]+\\S`, 'gmu'),
];
const ITEM_RE = new RegExp(`${BEFORE}${ITEM}`, 'gu');

const NUMBERS = ['two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
const COUNT = `(\\d+|${NUMBERS.join('|')})`;
/**
 * A stated number of options, with the list that may follow it: `three stocks to choose from`
 * (olschewski2024skewness), `two options to choose from, J and G` (spektor2019contexteffects), `between two options: M and Z`.
 */
const DECLARED = new RegExp(
  `${BEFORE}(?:${COUNT}\\s+${NOUN}\\s+to choose from|between\\s+${COUNT}\\s+${NOUN}(?![\\p{L}]))(?:${FILLER}(${LIST}))?`,
  'u',
);

/** The first statement of a number of options in a text, and the keys listed right after it. */
export function declaredOptions(text: string): { count: number; keys: string[] } | undefined {
  const m = DECLARED.exec(text);
  const n = m?.[1] ?? m?.[2];
  if (n === undefined) return undefined;
  const i = NUMBERS.indexOf(n);
  const keys = new Set<string>();
  for (const item of (m?.[3] ?? '').matchAll(ITEM_RE)) if (item[1]) keys.add(item[1]);
  return { count: i >= 0 ? i + 2 : Number(n), keys: [...keys].sort() };
}

/** The keys a piece of text names as options (see PATTERNS), sorted. */
export function namedKeys(text: string): string[] {
  const keys = new Set<string>();
  for (const pattern of PATTERNS) {
    pattern.lastIndex = 0;
    for (const m of text.matchAll(pattern)) for (const item of (m[1] ?? '').matchAll(ITEM_RE)) if (item[1]) keys.add(item[1]);
  }
  return [...keys].sort();
}

/**
 * Rule (a)'s keys: those named in the text; where the text states how many options there are, the keys listed with
 * that statement, or all named keys when they are that many, else none (names left over from the last trial).
 */
function offeredKeys(segment: string): string[] {
  const named = namedKeys(segment);
  const declared = declaredOptions(segment);
  if (!declared) return named;
  if (declared.keys.length === declared.count) return declared.keys;
  return named.length === declared.count ? named : [];
}

/** A set is usable when it names at least two keys and contains the answer; otherwise the next rule applies. */
const usable = (letters: readonly string[], answer: string): boolean => letters.length >= 2 && letters.includes(answer);

/**
 * The choice set of each response of a transcript (undefined for responses that are not one capital letter), from
 * the rules of CHOICE_RULES in order. `studyLetters` is the last resort, for a participant who used a single letter.
 */
export function findChoiceSets(
  text: string,
  spans: readonly ResponseSpan[],
  studyLetters: readonly string[] = [],
): (ChoiceSet | undefined)[] {
  const answers = spans.map((s) => text.slice(s.start, s.end));
  const instructions = namedKeys(text.slice(0, Math.max(0, (spans[0]?.start ?? 2) - 2)));
  const own = [...new Set(answers.filter((a) => DISCRETE_RESPONSE.test(a)))].sort();
  const study = [...studyLetters].sort();
  return spans.map((span, i) => {
    const answer = answers[i]!;
    if (!DISCRETE_RESPONSE.test(answer)) return undefined;
    const from = i === 0 ? 0 : spans[i - 1]!.end + 2;
    const offered = offeredKeys(text.slice(from, Math.max(from, span.start - 2)));
    const candidates: [ChoiceRule, readonly string[]][] = [
      ['offered', offered],
      ['instructions', instructions],
      ['participant', own],
    ];
    let missedBy: ChoiceRule | undefined;
    for (const [rule, letters] of candidates) {
      if (usable(letters, answer)) return { letters, rule, ...(missedBy && { missedBy }) };
      if (letters.length >= 2) missedBy ??= rule;
    }
    // One letter used throughout and nothing named: the study's letters (with the answer) are the best support left.
    const letters = study.includes(answer) ? study : [...study, answer].sort();
    return { letters, rule: 'study', ...(missedBy && { missedBy }) };
  });
}
