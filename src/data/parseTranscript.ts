import type { ProblemCode, ResponseSpan, Severity } from './types.js';

/** A problem inside a transcript text, located by its 0-based offset in the text. */
export interface TextProblem {
  severity: Severity;
  code: ProblemCode;
  offset: number;
  message: string;
}

export interface ParsedTranscript {
  spans: ResponseSpan[];
  problems: TextProblem[];
}

const MARKER_RUN = /<{2,}|>{2,}/g;
const WORD_CHAR = /[\p{L}\p{N}]/u;

/**
 * Find the human responses of a transcript: the characters strictly between `<<` and `>>`.
 * Offsets are UTF-16 indices into `text` (JavaScript string offsets). Every marker problem is reported; a response
 * is returned only when its markers are well formed, so a span never contains a marker. `allowEmpty` (the reference
 * policy): an empty or blank response is a span and a warning, so only that response is skipped when scoring.
 */
export function parseTranscript(text: string, options: { allowEmpty?: boolean } = {}): ParsedTranscript {
  const spans: ResponseSpan[] = [];
  const problems: TextProblem[] = [];
  let openAt = -1; // offset of the pending `<<`, or -1
  MARKER_RUN.lastIndex = 0;
  for (let m = MARKER_RUN.exec(text); m !== null; m = MARKER_RUN.exec(text)) {
    const run = m[0];
    const at = m.index;
    const isOpen = run[0] === '<';
    if (run.length > 2) {
      problems.push({
        severity: 'error',
        code: 'marker-misuse',
        offset: at,
        message: `'${run}' is not a response marker: '<<' and '>>' are reserved for wrapping human responses`,
      });
    }
    if (isOpen) {
      if (openAt >= 0) {
        problems.push({
          severity: 'error',
          code: 'nested-marker',
          offset: at,
          message: `'<<' inside a response that opened at offset ${openAt}: responses cannot nest`,
        });
        openAt = -2; // poisoned until the next '>>'
      } else {
        openAt = at;
      }
      continue;
    }
    // A closing run: the marker is its last two characters.
    const closeAt = at + run.length - 2;
    if (openAt === -1) {
      problems.push({ severity: 'error', code: 'unbalanced-marker', offset: closeAt, message: "'>>' without an opening '<<'" });
      continue;
    }
    if (openAt >= 0) {
      const start = openAt + 2;
      const content = text.slice(start, closeAt);
      if (content.trim() === '') {
        if (options.allowEmpty) spans.push({ start, end: closeAt });
        problems.push({
          severity: options.allowEmpty ? 'warning' : 'error',
          code: 'empty-response',
          offset: openAt,
          message: content === '' ? 'empty response <<>>' : 'response holds only whitespace',
        });
      } else {
        spans.push({ start, end: closeAt });
      }
      const next = text[closeAt + 2];
      if (next === '\n') {
        problems.push({
          severity: 'warning',
          code: 'marker-newline',
          offset: closeAt,
          message: "'>>' followed directly by a newline: some tokenizers merge '>>\\n' into one token",
        });
      } else if (next !== undefined && WORD_CHAR.test(next)) {
        problems.push({
          severity: 'warning',
          code: 'marker-glued',
          offset: closeAt,
          message: `'>>' glued to the next word ('>>${next}'): tokenizers may merge the marker with it`,
        });
      }
    }
    openAt = -1;
  }
  if (openAt >= 0) {
    problems.push({ severity: 'error', code: 'unbalanced-marker', offset: openAt, message: "'<<' is never closed by '>>'" });
  }
  return { spans, problems };
}
