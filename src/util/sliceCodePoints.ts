/**
 * The first `n` code points of `text`, like Python's `text[:n]` (JavaScript's slice counts UTF-16 units, so an astral
 * character such as an emoji would count twice and the cut would land elsewhere, or split a surrogate pair).
 */
export function sliceCodePoints(text: string, n: number): string {
  if (text.length <= n) return text; // n UTF-16 units hold at most n code points
  let units = 0;
  let points = 0;
  while (units < text.length && points < n) {
    const c = text.charCodeAt(units);
    units += c >= 0xd800 && c <= 0xdbff && units + 1 < text.length && (text.charCodeAt(units + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
    points++;
  }
  return text.slice(0, units);
}
