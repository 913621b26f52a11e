import { sliceCodePoints } from '../util/sliceCodePoints.js';

/** The reference scripts' character limit. */
export const REFERENCE_MAX_CHARS = 32_768;

const SPACE_BEFORE_CLOSE = /\s+(?=>>)/g;

/**
 * The text transformation of the paper's evaluation scripts (`safe_truncate_angle`), for exact comparability: cut at
 * 32,768 characters (code points, like Python's `text[:32768]`), apply their four substitutions, drop an unclosed trailing `<<`, and delete whitespace right
 * before `>>`. Responses past the cut are not scored under this policy.
 */
export function applyReferencePreset(text: string, maxChars = REFERENCE_MAX_CHARS): string {
  let t = applyReferenceSubstitutions(sliceCodePoints(text, maxChars));
  if (t.split('<<').length > t.split('>>').length) {
    const lastOpen = t.lastIndexOf('<<');
    if (lastOpen !== -1) t = t.slice(0, lastOpen);
  }
  return t.replace(SPACE_BEFORE_CLOSE, '');
}

/** The scripts' four literal substitutions, alone (the reference policy validates records after them). */
export function applyReferenceSubstitutions(text: string): string {
  return text
    .replaceAll('<<skip>>', '<<skip>>.')
    .replaceAll('<<-', '<< -')
    .replaceAll('<<think>>', '<< think>>')
    .replaceAll('More Details >>', 'More Details ->');
}
