import { type DataError, UnsafeArchiveError } from '../errors.js';
import { participantKey } from './participantKey.js';
import { type ReadOptions, readTranscripts } from './readTranscripts.js';
import type { Problem, ProblemCode, Severity } from './types.js';

export interface ValidationSummary {
  source: string;
  records: number;
  transcripts: number;
  responses: number;
  errors: number;
  warnings: number;
  /** Count of problems per severity and code, e.g. `{ "error": { "unbalanced-marker": 3 } }`. */
  byCode: Record<Severity, Partial<Record<ProblemCode, number>>>;
  ok: boolean;
}

export interface ValidateOptions extends ReadOptions {
  /** Receives every problem as it is found (in file order). */
  onProblem?: (p: Problem) => void;
}

/**
 * Review a source the way a contributed study is reviewed: every problem of every record, never stopping at the
 * first. Whole files that cannot be read are problems too (`unreadable-file`, `unsafe-archive`).
 */
export async function validateSource(path: string, options: ValidateOptions = {}): Promise<ValidationSummary> {
  const summary: ValidationSummary = {
    source: path,
    records: 0,
    transcripts: 0,
    responses: 0,
    errors: 0,
    warnings: 0,
    byCode: { error: {}, warning: {} },
    ok: true,
  };
  const report = (p: Problem): void => {
    if (p.severity === 'error') summary.errors++;
    else summary.warnings++;
    const counts = summary.byCode[p.severity];
    counts[p.code] = (counts[p.code] ?? 0) + 1;
    options.onProblem?.(p);
  };
  // First location of each participant per study, to point duplicates at the original.
  const seen = new Map<string, Map<string, string>>();
  const onFileError = (file: string, e: DataError): void => {
    const code: ProblemCode = e instanceof UnsafeArchiveError ? 'unsafe-archive' : 'unreadable-file';
    report({ severity: 'error', code, file, line: 0, column: 0, message: e.message });
  };
  let nothingReported = false;
  const onFileWarning = (file: string, message: string): void => {
    nothingReported = true;
    report({ severity: 'warning', code: 'nothing-to-read', file, line: 0, column: 0, message });
  };
  for await (const parsed of readTranscripts(path, { ...options, onFileError, onFileWarning })) {
    summary.records++;
    for (const p of parsed.problems) report(p);
    const t = parsed.transcript;
    if (!t) continue;
    summary.transcripts++;
    summary.responses += t.spans.length;
    let studySeen = seen.get(t.study);
    if (!studySeen) seen.set(t.study, (studySeen = new Map()));
    const key = participantKey(t);
    const first = studySeen.get(key);
    if (first !== undefined) {
      report({
        severity: 'error',
        code: 'duplicate-participant',
        file: t.location.file,
        line: t.location.line,
        column: 1,
        message: `participant ${JSON.stringify(t.participant)} of experiment ${JSON.stringify(t.experiment)} already appears at ${first}`,
      });
    } else {
      studySeen.set(key, `${t.location.file}:${t.location.line}`);
    }
  }
  if (summary.records === 0 && !nothingReported && summary.errors === 0) {
    report({
      severity: 'warning',
      code: 'nothing-to-read',
      file: path,
      line: 0,
      column: 0,
      message: 'nothing to read: the source has no records (of the selected studies or split side)',
    });
  }
  summary.ok = summary.errors === 0;
  return summary;
}

/** One problem as `file:line:column: severity [code] message`, the format editors and CI annotate. */
export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.severity} [${p.code}] ${p.message}`;
}
