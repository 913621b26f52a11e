import { parseTranscript } from '../../src/data/parseTranscript.js';
import type { Transcript } from '../../src/data/types.js';

/** A transcript of one participant made from text (spans parsed from its markers), for tests. */
export function makeTranscript(text: string, extra: Partial<Transcript> = {}): Transcript {
  return {
    study: 's',
    experiment: 'e',
    participant: '1',
    text,
    spans: parseTranscript(text).spans,
    metadata: {},
    extras: {},
    location: { file: 'f', line: 1 },
    ...extra,
  };
}
