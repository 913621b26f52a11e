import type { ResponseSpan } from '../data/types.js';

/** Token indices of one response, and whether its first/last token also covers characters outside it. */
export interface AlignedSpan {
  /** First token index (inclusive); -1 when no token overlaps the span. */
  first: number;
  /** Last token index (inclusive). */
  last: number;
  /** The first token starts before the span (it also holds text before the response, e.g. ` <<A` merged). */
  straddleStart: boolean;
  /** The last token ends after the span (it also holds text after the response, e.g. `A>>`). */
  straddleEnd: boolean;
}

/**
 * Map character spans to tokens. Policy: a response's tokens are every token whose character range overlaps the
 * response's characters (a token with an empty range counts when it lies strictly inside). So no character of a
 * response is ever left unscored; a token that also covers characters outside the response is a straddling token,
 * scored with the response and counted in the run's statistics. Spans must be sorted and disjoint (they are).
 */
export function alignSpans(spans: readonly ResponseSpan[], starts: Int32Array, ends: Int32Array): AlignedSpan[] {
  const out: AlignedSpan[] = [];
  let k = 0;
  const n = starts.length;
  for (const span of spans) {
    // Skip tokens that end at or before the span start (an empty token at the start boundary is outside).
    while (k < n && (ends[k] ?? 0) <= span.start) k++;
    let first = -1;
    let last = -1;
    let j = k;
    for (; j < n && (starts[j] ?? 0) < span.end; j++) {
      const s = starts[j] ?? 0;
      const e = ends[j] ?? 0;
      const overlaps = s === e ? s > span.start && s < span.end : e > span.start;
      if (!overlaps) continue;
      if (first < 0) first = j;
      last = j;
    }
    if (first < 0) {
      out.push({ first: -1, last: -1, straddleStart: false, straddleEnd: false });
      continue;
    }
    out.push({
      first,
      last,
      straddleStart: (starts[first] ?? 0) < span.start,
      straddleEnd: (ends[last] ?? 0) > span.end,
    });
    // The next span may share a straddling token with this one, so restart from this span's last token.
    k = last;
  }
  return out;
}
