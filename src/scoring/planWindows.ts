/** A response to score, as positions in the full token sequence (BOS included at 0 when the model uses it). */
export interface ResponsePositions {
  first: number;
  last: number;
}

export interface Window {
  /** Slice [start, end) of the full sequence. */
  start: number;
  end: number;
  /** Prepend BOS to this window (every window but the first when the model uses BOS). */
  prependBos: boolean;
  /** Indices (into the responses array) scored in this window. */
  responses: number[];
}

export interface WindowPlan {
  windows: Window[];
  /** Responses that cannot be scored, with the reason. */
  unscorable: { index: number; reason: string }[];
}

/**
 * Plan the windows for a sequence of `length` tokens with context size `contextSize`. Everything is scored in one
 * window when it fits. Otherwise the first window is the sequence's start; each next window starts ⌊capacity/2⌋
 * tokens before the first response not yet scored (later only if that response is too long to fit otherwise), where
 * capacity = contextSize − 1 when BOS is prepended. So every response is scored with at least
 * min(all its preceding tokens, capacity − its length, ⌊capacity/2⌋) tokens of context, and the work stays below
 * about 2× the sequence. A response is scored in the first window that holds it whole.
 */
export function planWindows(length: number, responses: readonly ResponsePositions[], contextSize: number, usesBos: boolean): WindowPlan {
  const unscorable: WindowPlan['unscorable'] = [];
  const scorable: number[] = [];
  responses.forEach((r, i) => {
    if (r.first < 1) unscorable.push({ index: i, reason: 'first token has no preceding context' });
    else scorable.push(i);
  });
  if (length <= contextSize) {
    return { windows: scorable.length ? [{ start: 0, end: length, prependBos: false, responses: scorable }] : [], unscorable };
  }
  const capacity = contextSize - (usesBos ? 1 : 0); // tokens of the sequence a later window holds
  const half = Math.floor(capacity / 2);
  const windows: Window[] = [];
  let i = 0;
  // First window: the sequence's own start (BOS included when present).
  const firstWindow: Window = { start: 0, end: contextSize, prependBos: false, responses: [] };
  while (i < scorable.length && (responses[scorable[i]!]!.last) < contextSize) firstWindow.responses.push(scorable[i++]!);
  if (firstWindow.responses.length) windows.push(firstWindow);
  while (i < scorable.length) {
    const idx = scorable[i]!;
    const r = responses[idx]!;
    if (r.last - r.first + 1 > capacity - 1) {
      unscorable.push({ index: idx, reason: `response of ${r.last - r.first + 1} tokens does not fit the context of ${contextSize}` });
      i++;
      continue;
    }
    // ⌊capacity/2⌋ tokens of context, unless the response is so long that the window must start later to hold it.
    const start = Math.max(r.first - half, r.last + 1 - capacity);
    const end = Math.min(length, start + capacity);
    const w: Window = { start, end, prependBos: usesBos, responses: [] };
    while (i < scorable.length) {
      const rr = responses[scorable[i]!]!;
      if (rr.last >= end) break;
      if (rr.last - rr.first + 1 > capacity - 1) break;
      w.responses.push(scorable[i++]!);
    }
    windows.push(w);
  }
  unscorable.sort((a, b) => a.index - b.index);
  return { windows, unscorable };
}
