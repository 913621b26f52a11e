/** The reference scripts' character limit. */
export const REFERENCE_MAX_CHARS = 32_768;

const SPACE_BEFORE_CLOSE = /\s+(?=>>)/g;

/**
 * The text transformation of the paper's evaluation scripts (`safe_truncate_angle`), for exact comparability: cut at
 * 32,768 characters, apply their four substitutions, drop an unclosed trailing `<<`, and delete whitespace right
 * before `>>`. Responses past the cut are not scored under this policy.
 */
export function applyReferencePreset(text: string, maxChars = REFERENCE_MAX_CHARS): string {
  let t = text
    .slice(0, maxChars)
    .replaceAll('<<skip>>', '<<skip>>.')
    .replaceAll('<<-', '<< -')
    .replaceAll('<<think>>', '<< think>>')
    .replaceAll('More Details >>', 'More Details ->');
  if (t.split('<<').length > t.split('>>').length) {
    const lastOpen = t.lastIndexOf('<<');
    if (lastOpen !== -1) t = t.slice(0, lastOpen);
  }
  return t.replace(SPACE_BEFORE_CLOSE, '');
}
