/** A response to score, as positions in the full token sequence (BOS included at 0 when the model uses it). */
export interface ResponsePositions {
  first: number;
  last: number;
}

export interface Window {
  /** Slice [start, end) of the full sequence, read after the pinned head. */
  start: number;
  end: number;
  /**
   * Tokens [0, head) of the sequence (BOS, persona prefix, instructions) read before the slice: 0 when the slice
   * itself starts at 0. A window's tokens are sequence[0, head) followed by sequence[start, end).
   */
  head: number;
  /** Indices (into the responses array) scored in this window. */
  responses: number[];
}

export interface WindowPlan {
  windows: Window[];
  /** Responses that cannot be scored, with the reason. */
  unscorable: { index: number; reason: string }[];
}

/** The most of the context the pinned head may take: the rest is left for the recent transcript. */
export const HEAD_SHARE = 0.25;

/** Tokens to pin in every window: the sequence before its first response, at most HEAD_SHARE of the context. */
export function pinnedHead(firstResponse: number, contextSize: number): number {
  return Math.max(0, Math.min(firstResponse, Math.floor(HEAD_SHARE * contextSize)));
}

/**
 * Plan the windows for a sequence of `length` tokens with context size `contextSize`. Everything is scored in one
 * window when it fits. Otherwise the first window is the sequence's start; every later window is the pinned head
 * (`head` tokens: BOS, the persona prefix and the instructions before the first response, capped by the caller) and
 * then the recent transcript: it starts ⌊capacity/2⌋ tokens before the first response not yet scored (later only if
 * that response is too long to fit otherwise), where capacity = contextSize − head. So every response keeps what the
 * participant was told at the start, and at least min(all its preceding tokens, capacity − its length,
 * ⌊capacity/2⌋) tokens of recent context; the work stays below about 2× the sequence plus the heads.
 */
export function planWindows(length: number, responses: readonly ResponsePositions[], contextSize: number, head: number): WindowPlan {
  const unscorable: WindowPlan['unscorable'] = [];
  const scorable: number[] = [];
  responses.forEach((r, i) => {
    if (r.first < 1) unscorable.push({ index: i, reason: 'first token has no preceding context' });
    else scorable.push(i);
  });
  if (length <= contextSize) {
    return { windows: scorable.length ? [{ start: 0, end: length, head: 0, responses: scorable }] : [], unscorable };
  }
  const capacity = contextSize - head; // tokens of the recent transcript a later window holds
  const half = Math.floor(capacity / 2);
  const windows: Window[] = [];
  let i = 0;
  const firstWindow: Window = { start: 0, end: contextSize, head: 0, responses: [] };
  while (i < scorable.length && responses[scorable[i]!]!.last < contextSize) firstWindow.responses.push(scorable[i++]!);
  if (firstWindow.responses.length) windows.push(firstWindow);
  const fits = (r: ResponsePositions): boolean => r.last - r.first + 1 <= capacity - 1;
  while (i < scorable.length) {
    const idx = scorable[i]!;
    const r = responses[idx]!;
    if (!fits(r)) {
      unscorable.push({ index: idx, reason: `response of ${r.last - r.first + 1} tokens does not fit the context of ${contextSize}` });
      i++;
      continue;
    }
    // ⌊capacity/2⌋ tokens of recent context, unless the response is so long that the window must start later.
    const start = Math.max(head, r.first - half, r.last + 1 - capacity);
    const end = Math.min(length, start + capacity);
    const w: Window = { start, end, head, responses: [] };
    while (i < scorable.length) {
      const rr = responses[scorable[i]!]!;
      if (rr.last >= end || !fits(rr)) break;
      w.responses.push(scorable[i++]!);
    }
    windows.push(w);
  }
  unscorable.sort((a, b) => a.index - b.index);
  return { windows, unscorable };
}
